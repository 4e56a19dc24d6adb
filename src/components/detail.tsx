import { Dialog, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { VertexAPIError } from '../api/request';
import { ErrorBanners } from './Banner';
import { ITrackedOperation, OperationTracker } from '../model/operations';
import { useSignalValue } from './useSignal';

/**
 * The parts the model and endpoint detail views share: a header, titled
 * sections of fields, operations in progress, and a confirmation dialog.
 * Each view fills a main-area tab (src/tabs): no back button, the tab's
 * close button leaves it.
 */
export function DetailView(props: {
  headingId: string;
  className: string;
  title: string;
  badge?: React.ReactNode;
  trans: TranslationBundle;
  children: React.ReactNode;
}): JSX.Element {
  return (
    <div
      className={`jp-Vertex-JobDetail jp-Vertex-Detail ${props.className}`}
      role="region"
      aria-labelledby={props.headingId}
    >
      <DetailHeader {...props} />
      {props.children}
    </div>
  );
}

/**
 * A detail view's header: the title (never cut: a tab is wide enough to
 * wrap it) and an optional badge.
 */
export function DetailHeader(props: {
  headingId: string;
  title: string;
  badge?: React.ReactNode;
}): JSX.Element {
  return (
    <div className="jp-Vertex-JobDetail-header">
      <h3 className="jp-Vertex-JobDetail-title" id={props.headingId}>
        {props.title}
      </h3>
      {props.badge}
    </div>
  );
}

export function DetailSection(props: {
  title: string;
  id: string;
  className?: string;
  children: React.ReactNode;
}): JSX.Element {
  return (
    <section
      className={'jp-Vertex-JobDetail-section ' + (props.className ?? '')}
      aria-labelledby={props.id}
    >
      <h4 className="jp-Vertex-JobDetail-sectionTitle" id={props.id}>
        {props.title}
      </h4>
      {props.children}
    </section>
  );
}

/**
 * A titled section whose content is a list of fields.
 */
export function FieldsSection(props: {
  title: string;
  id: string;
  children: React.ReactNode;
}): JSX.Element {
  return (
    <section className="jp-Vertex-JobDetail-section" aria-labelledby={props.id}>
      <h4 className="jp-Vertex-JobDetail-sectionTitle" id={props.id}>
        {props.title}
      </h4>
      <Fields>{props.children}</Fields>
    </section>
  );
}

export function Fields(props: { children: React.ReactNode }): JSX.Element {
  return <dl className="jp-Vertex-fields">{props.children}</dl>;
}

export function Field(props: {
  label: string;
  children: React.ReactNode;
}): JSX.Element {
  return (
    <div className="jp-Vertex-field">
      <dt>{props.label}</dt>
      <dd>{props.children}</dd>
    </div>
  );
}

/**
 * A field holding a time: how long ago, the full date on hover; no field
 * without a time.
 */
export function TimeField(props: {
  label: string;
  time: { relative: string; full: string } | null;
}): JSX.Element | null {
  const { time } = props;
  return time ? (
    <Field label={props.label}>
      <span title={time.full}>{time.relative}</span>
    </Field>
  ) : null;
}

/**
 * Load a detail view's item with `load` whenever one of `deps` changes (the
 * list saw a change, an operation ended); `onLoaded` gets the answer unless
 * a newer load started or the view is gone. Returns the last load's
 * failure, or null once a load succeeded.
 */
export function useReload<T>(
  load: () => Promise<T>,
  onLoaded: (value: T) => void,
  deps: React.DependencyList
): VertexAPIError | null {
  const [error, setError] = React.useState<VertexAPIError | null>(null);
  React.useEffect(() => {
    let cancelled = false;
    load().then(
      value => {
        if (!cancelled) {
          onLoaded(value);
          setError(null);
        }
      },
      reason => {
        if (!cancelled) {
          setError(VertexAPIError.from(reason));
        }
      }
    );
    return () => {
      cancelled = true;
    };
  }, deps);
  return error;
}

/**
 * What a model's or an endpoint's details keep about its actions: the last
 * refusal, whether one is being sent, the tracked operations under way on
 * it, and how many tracked operations have ended (a key to fetch again on).
 */
export function useActionState(
  tracker: OperationTracker,
  filter: { modelId?: string; endpointId?: string }
): {
  actionError: VertexAPIError | null;
  setActionError: (error: VertexAPIError | null) => void;
  busy: boolean;
  setBusy: (busy: boolean) => void;
  operations: ITrackedOperation[];
  endedCount: number;
} {
  const [actionError, setActionError] = React.useState<VertexAPIError | null>(
    null
  );
  const [busy, setBusy] = React.useState(false);
  const operations = useSignalValue(tracker.changed, () =>
    tracker.find(filter)
  );
  const endedCount = useSignalValue(tracker.ended, () => tracker.endedCount);
  return { actionError, setActionError, busy, setBusy, operations, endedCount };
}

/**
 * The top of a model's or an endpoint's details: why it could not load or
 * the last action was refused, its action buttons, then the operations
 * under way on it.
 */
export function DetailActions(props: {
  loadError: VertexAPIError | null;
  actionError: VertexAPIError | null;
  operations: ReadonlyArray<ITrackedOperation>;
  trans: TranslationBundle;
  children: React.ReactNode;
}): JSX.Element {
  const { loadError, actionError, operations, trans } = props;
  return (
    <>
      <ErrorBanners
        loadError={loadError}
        actionError={actionError}
        trans={trans}
      />
      <ActionBar>{props.children}</ActionBar>
      <OperationsInProgress operations={operations} trans={trans} />
    </>
  );
}

/**
 * A row of action buttons under a view's header or a section.
 */
export function ActionBar(props: { children: React.ReactNode }): JSX.Element {
  return <div className="jp-Vertex-JobDetail-actions">{props.children}</div>;
}

/**
 * A styled action button; `kind` colours it as JupyterLab's dialog buttons
 * (accept: the main action, warn: destructive).
 */
export function ActionButton(props: {
  kind?: 'accept' | 'warn';
  small?: boolean;
  disabled?: boolean;
  title?: string;
  'aria-label'?: string;
  onClick: () => void;
  children: React.ReactNode;
}): JSX.Element {
  const { kind, small, children, ...rest } = props;
  const className = [
    'jp-Button jp-mod-styled',
    kind ? `jp-mod-${kind}` : '',
    small ? 'jp-mod-small' : '',
    'jp-Vertex-action'
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <button type="button" className={className} {...rest}>
      {children}
    </button>
  );
}

/**
 * Operations under way (deploy, undeploy), as a live status line each.
 */
export function OperationsInProgress(props: {
  operations: ReadonlyArray<ITrackedOperation>;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { operations, trans } = props;
  if (operations.length === 0) {
    return null;
  }
  return (
    <ul
      className="jp-Vertex-operations"
      aria-label={trans.__('Operations in progress')}
    >
      {operations.map(item => (
        <li
          key={item.operation.name}
          className="jp-Vertex-operation"
          role="status"
          data-operation-kind={item.operation.kind}
        >
          <span className="jp-Vertex-spinner" aria-hidden="true" />
          <span>{trans.__('%1…', item.label)}</span>
          {item.pollError ? (
            <span className="jp-Vertex-operation-error">
              {trans.__('(retrying: %1)', item.pollError.message)}
            </span>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

/**
 * Delete the item a detail view shows, once confirmed: busy meanwhile; when
 * done the list is told and `onBack` closes the view (its tab), else the
 * server's refusal is shown.
 */
export async function deleteShown(options: {
  title: string;
  body: string;
  trans: TranslationBundle;
  remove: () => Promise<unknown>;
  setBusy: (busy: boolean) => void;
  setActionError: (error: VertexAPIError | null) => void;
  onChanged: () => void;
  onBack: () => void;
}): Promise<void> {
  const { trans, setBusy, setActionError } = options;
  const ok = await confirm({
    title: options.title,
    body: options.body,
    action: trans.__('Delete'),
    trans
  });
  if (!ok) {
    return;
  }
  setBusy(true);
  try {
    await options.remove();
    setActionError(null);
    options.onChanged();
    options.onBack();
  } catch (reason) {
    setActionError(VertexAPIError.from(reason));
  } finally {
    setBusy(false);
  }
}

/**
 * Ask before doing something that cannot be undone.
 */
export async function confirm(options: {
  title: string;
  body: string;
  action: string;
  trans: TranslationBundle;
}): Promise<boolean> {
  const result = await showDialog({
    title: options.title,
    body: options.body,
    buttons: [
      Dialog.cancelButton({ label: options.trans.__('Cancel') }),
      Dialog.warnButton({ label: options.action })
    ]
  });
  return result.button.accept;
}
