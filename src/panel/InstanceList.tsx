import { Dialog, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { addIcon, refreshIcon } from '@jupyterlab/ui-components';
import * as React from 'react';
import { IVertexAPI } from '../api/vertexAPI';
import { VertexAPIError } from '../api/request';
import { IInstance, OperationKind } from '../api/types';
import { IListState, IVertexModel } from '../model/tokens';
import { ErrorBanners } from '../components/Banner';
import { IconButton } from '../components/IconButton';
import { onRowKeyDown, RowTime, timeOf } from '../components/format';
import {
  createInstanceFlow,
  IMachineOption
} from '../dialogs/instance/InstanceDialog';
import type { IOperationFollower } from '../model/operations';

export type InstanceAction = 'start' | 'stop' | 'reset' | 'delete';

const ACTION_KINDS: Record<InstanceAction, OperationKind> = {
  start: 'startInstance',
  stop: 'stopInstance',
  reset: 'resetInstance',
  delete: 'deleteInstance'
};

const INSTANCE_KINDS = new Set<OperationKind>([
  'createInstance',
  ...Object.values(ACTION_KINDS)
]);

/**
 * The instance operations under way, by instance id (re-rendered on change).
 */
export function useInstanceOperations(
  follower: IOperationFollower | null
): Map<string, OperationKind> {
  const [, setTick] = React.useState(0);
  React.useEffect(() => {
    if (!follower) {
      return;
    }
    const changed = () => setTick(tick => tick + 1);
    follower.changed.connect(changed);
    return () => {
      follower.changed.disconnect(changed);
    };
  }, [follower]);
  const pending = new Map<string, OperationKind>();
  for (const { operation } of follower?.operations ?? []) {
    if (operation.target && INSTANCE_KINDS.has(operation.kind)) {
      pending.set(operation.target, operation.kind);
    }
  }
  return pending;
}

/**
 * Start an action on an instance and follow its operation.
 *
 * Resolves once the operation has started (the follower reports its end);
 * rejects with the server's refusal (e.g. a 409 for a state that forbids it).
 */
export async function runInstanceAction(options: {
  api: IVertexAPI;
  follower: IOperationFollower | null;
  instance: Pick<IInstance, 'id'>;
  action: InstanceAction;
  trans: TranslationBundle;
  onEnded?: () => void;
}): Promise<void> {
  const { api, follower, instance, action, trans } = options;
  const operation =
    action === 'delete'
      ? await api.deleteInstance(instance.id)
      : await api.instanceAction(instance.id, action);
  const labels: Record<InstanceAction, string> = {
    start: trans.__('Starting instance "%1"', instance.id),
    stop: trans.__('Stopping instance "%1"', instance.id),
    reset: trans.__('Resetting instance "%1"', instance.id),
    delete: trans.__('Deleting instance "%1"', instance.id)
  };
  const successes: Record<InstanceAction, string> = {
    start: trans.__('Instance "%1" is running.', instance.id),
    stop: trans.__('Instance "%1" is stopped.', instance.id),
    reset: trans.__('Instance "%1" was reset.', instance.id),
    delete: trans.__('Instance "%1" was deleted.', instance.id)
  };
  const ended = follower
    ? follower.track(
        { ...operation, kind: operation.kind ?? ACTION_KINDS[action] },
        { label: labels[action], successMessage: successes[action] }
      )
    : Promise.resolve(operation);
  void ended
    .catch(() => undefined) // The follower's notification says why.
    .then(() => options.onEnded?.());
  options.onEnded?.();
}

/**
 * Ask before deleting an instance: its disks go with it.
 */
export async function confirmDeleteInstance(
  instance: Pick<IInstance, 'id'>,
  trans: TranslationBundle
): Promise<boolean> {
  const result = await showDialog({
    title: trans.__('Delete instance?'),
    body: trans.__(
      'Delete the instance "%1"? Its boot and data disks are deleted with it; this cannot be undone.',
      instance.id
    ),
    buttons: [
      Dialog.cancelButton({ label: trans.__('Keep') }),
      Dialog.warnButton({ label: trans.__('Delete') })
    ]
  });
  return result.button.accept;
}

/**
 * The Instances section: each Workbench instance with its state, machine
 * type and GPU, and its actions (start, stop, open JupyterLab, delete).
 */
export function InstanceList(props: InstanceList.IProps): JSX.Element {
  const { state, trans, api, follower } = props;
  const pending = useInstanceOperations(follower);
  const [actionError, setActionError] = React.useState<VertexAPIError | null>(
    null
  );
  const headingId = 'jp-Vertex-instances-heading';
  const items = state.items;
  const showError =
    state.error !== null && !(props.hideError?.(state.error) ?? false);

  const act = async (instance: IInstance, action: InstanceAction) => {
    if (
      action === 'delete' &&
      !(await confirmDeleteInstance(instance, trans))
    ) {
      return;
    }
    try {
      await runInstanceAction({
        api,
        follower,
        instance,
        action,
        trans,
        onEnded: props.onChanged
      });
      setActionError(null);
    } catch (error) {
      setActionError(VertexAPIError.from(error));
    }
  };

  let body: React.ReactNode;
  if (items === null) {
    body =
      state.error === null ? (
        <div className="jp-Vertex-placeholder">
          {trans.__('Loading instances…')}
        </div>
      ) : null;
  } else if (items.length === 0) {
    body = showError ? null : (
      <div className="jp-Vertex-empty">
        {trans.__(
          'No Workbench instances yet. Create one to get a JupyterLab on its own machine, with a GPU if you need one.'
        )}
      </div>
    );
  } else {
    body = (
      <ul className="jp-Vertex-list" aria-labelledby={headingId}>
        {items.map(instance => (
          <InstanceRow
            key={instance.name || instance.id}
            instance={instance}
            pending={pending.get(instance.id) ?? null}
            trans={trans}
            onAction={action => void act(instance, action)}
          />
        ))}
      </ul>
    );
  }

  return (
    <section
      className="jp-Vertex-Section jp-Vertex-Instances"
      id="jp-Vertex-instances"
      aria-labelledby={headingId}
      aria-busy={state.loading}
    >
      <div className="jp-Vertex-Section-header">
        <h3 className="jp-Vertex-Section-title" id={headingId}>
          {trans.__('Instances')}
        </h3>
        {items !== null ? (
          <span
            className="jp-Vertex-Section-count"
            aria-label={trans._n('%1 instance', '%1 instances', items.length)}
          >
            {state.truncated ? `${items.length}+` : items.length}
          </span>
        ) : null}
        <IconButton
          icon={addIcon}
          className="jp-Vertex-createInstance"
          label={trans.__('Create instance')}
          title={trans.__('Create a Workbench instance')}
          onClick={props.onCreate}
        />
        <IconButton
          icon={refreshIcon}
          label={trans.__('Refresh instances')}
          onClick={props.onRefresh}
        />
      </div>
      <ErrorBanners
        loadError={showError ? state.error : null}
        actionError={actionError}
        trans={trans}
        onRetry={props.onRefresh}
      />
      {body}
    </section>
  );
}

export namespace InstanceList {
  export interface IProps {
    state: IListState<IInstance>;
    trans: TranslationBundle;
    api: IVertexAPI;
    /**
     * Follows the operations the actions start; without it, they are only
     * started.
     */
    follower: IOperationFollower | null;
    onRefresh: () => void;
    /**
     * An action started or its operation ended: time to fetch again.
     */
    onChanged: () => void;
    onCreate: () => void;
    hideError?: (error: VertexAPIError) => boolean;
  }
}

/**
 * The Instances section of the panel, wired to the panel's model: its
 * actions and the Create instance dialog refresh instances and "running
 * now" when they start and when their operations end.
 */
export function InstancesSection(props: InstancesSection.IProps): JSX.Element {
  const { model, api, follower, trans } = props;
  const changed = () => {
    void model.refreshInstances();
    void model.refreshRunning();
  };
  const create = async () => {
    const machines = props.loadMachines
      ? await props.loadMachines().catch(() => null)
      : null;
    await createInstanceFlow({
      api,
      follower,
      machines,
      trans,
      onChanged: changed
    });
  };
  return (
    <InstanceList
      state={model.instances}
      trans={trans}
      api={api}
      follower={follower}
      onRefresh={() => void model.refreshInstances()}
      onChanged={changed}
      onCreate={() => void create()}
      hideError={props.hideError}
    />
  );
}

export namespace InstancesSection {
  export interface IProps {
    model: IVertexModel;
    api: IVertexAPI;
    follower: IOperationFollower | null;
    trans: TranslationBundle;
    /**
     * The machine types and the GPUs each takes (`GET /training/options`);
     * without it the form takes any text and the server judges it.
     */
    loadMachines?: () => Promise<ReadonlyArray<IMachineOption> | null>;
    hideError?: (error: VertexAPIError) => boolean;
  }
}

/**
 * Instance states, for people.
 */
export function instanceStateLabel(
  state: string,
  trans: TranslationBundle
): string {
  switch (state) {
    case 'PROVISIONING':
      return trans.__('Provisioning');
    case 'STARTING':
      return trans.__('Starting');
    case 'INITIALIZING':
      return trans.__('Initializing');
    case 'ACTIVE':
      return trans.__('Active');
    case 'STOPPING':
      return trans.__('Stopping');
    case 'STOPPED':
      return trans.__('Stopped');
    case 'SUSPENDING':
      return trans.__('Suspending');
    case 'SUSPENDED':
      return trans.__('Suspended');
    case 'UPGRADING':
      return trans.__('Upgrading');
    case 'DELETING':
      return trans.__('Deleting');
    case 'DELETED':
      return trans.__('Deleted');
    case 'FAILED':
      return trans.__('Failed');
    default:
      return trans.__('Unknown');
  }
}

/**
 * An instance state chip; colours from the theme (instances.css).
 */
export function InstanceStateChip(props: {
  state: string;
  trans: TranslationBundle;
}): JSX.Element {
  return (
    <span
      className={`jp-Vertex-state jp-Vertex-instanceState-${props.state.toLowerCase()}`}
      data-state={props.state}
    >
      {instanceStateLabel(props.state, props.trans)}
    </span>
  );
}

/**
 * `NVIDIA_TESLA_T4 × 2`, or `null` without a GPU.
 */
export function gpuLabel(
  instance: Pick<IInstance, 'acceleratorType' | 'acceleratorCount'>
): string | null {
  if (!instance.acceleratorType) {
    return null;
  }
  return `${instance.acceleratorType} × ${instance.acceleratorCount || 1}`;
}

/**
 * States in which an instance runs (and costs) or is on its way there.
 */
const RUNNING_STATES = new Set([
  'PROVISIONING',
  'STARTING',
  'INITIALIZING',
  'ACTIVE',
  'UPGRADING'
]);

/**
 * What a pending operation shows in place of the actions.
 */
function pendingLabel(kind: OperationKind, trans: TranslationBundle): string {
  switch (kind) {
    case 'createInstance':
      return trans.__('Creating…');
    case 'startInstance':
      return trans.__('Starting…');
    case 'stopInstance':
      return trans.__('Stopping…');
    case 'resetInstance':
      return trans.__('Resetting…');
    case 'deleteInstance':
      return trans.__('Deleting…');
    default:
      return trans.__('Working…');
  }
}

/**
 * Open an instance's JupyterLab in a new tab, without giving it our window.
 */
export function openInstance(instance: Pick<IInstance, 'openUrl'>): void {
  if (instance.openUrl) {
    window.open(instance.openUrl, '_blank', 'noopener,noreferrer');
  }
}

/**
 * One instance and its actions.
 */
export function InstanceRow(props: {
  instance: IInstance;
  pending: OperationKind | null;
  trans: TranslationBundle;
  onAction: (action: InstanceAction) => void;
}): JSX.Element {
  const { instance, pending, trans, onAction } = props;
  const gpu = gpuLabel(instance);
  const created = timeOf(instance.createTime);
  const state = instance.state;
  const busy = pending !== null || state === 'DELETING';
  // A FAILED instance is stopped (its server could not start): it may be
  // started again.
  const canStart =
    state === 'STOPPED' || state === 'SUSPENDED' || state === 'FAILED';
  const canStop = RUNNING_STATES.has(state);
  const canOpen = state === 'ACTIVE' && Boolean(instance.openUrl);
  const label = [
    instance.id,
    instanceStateLabel(state, trans),
    instance.machineType,
    gpu ? trans.__('GPU %1', gpu) : trans.__('no GPU'),
    pending ? pendingLabel(pending, trans) : ''
  ]
    .filter(Boolean)
    .join(', ');
  return (
    <li
      className="jp-Vertex-row jp-Vertex-InstanceRow"
      tabIndex={0}
      role="listitem"
      aria-label={label}
      data-instance-id={instance.id}
      onKeyDown={event => {
        if (event.target === event.currentTarget) {
          onRowKeyDown(event);
        }
      }}
    >
      <div className="jp-Vertex-row-main">
        <span className="jp-Vertex-row-name" title={instance.name}>
          {instance.id}
        </span>
        <InstanceStateChip state={state} trans={trans} />
      </div>
      <div className="jp-Vertex-row-meta">
        <span className="jp-Vertex-mono" title={trans.__('Machine type')}>
          {instance.machineType}
        </span>
        <span
          className={gpu ? 'jp-Vertex-gpu' : 'jp-Vertex-noGpu'}
          title={trans.__('GPU')}
        >
          {gpu ?? trans.__('No GPU')}
        </span>
        <RowTime time={created} />
      </div>
      <div
        className="jp-Vertex-row-actions"
        role="group"
        aria-label={trans.__('Actions for %1', instance.id)}
      >
        {pending ? (
          <span className="jp-Vertex-pending" role="status">
            {pendingLabel(pending, trans)}
          </span>
        ) : null}
        {canOpen ? (
          <button
            type="button"
            className="jp-Button jp-mod-styled jp-mod-accept jp-Vertex-action"
            disabled={busy}
            onClick={() => openInstance(instance)}
            aria-label={trans.__('Open JupyterLab of %1', instance.id)}
          >
            {trans.__('Open JupyterLab')}
          </button>
        ) : null}
        {canStart ? (
          <button
            type="button"
            className="jp-Button jp-mod-styled jp-Vertex-action"
            disabled={busy}
            onClick={() => onAction('start')}
            aria-label={trans.__('Start %1', instance.id)}
          >
            {trans.__('Start')}
          </button>
        ) : null}
        {canStop ? (
          <button
            type="button"
            className="jp-Button jp-mod-styled jp-Vertex-action"
            disabled={busy}
            onClick={() => onAction('stop')}
            aria-label={trans.__('Stop %1', instance.id)}
          >
            {trans.__('Stop')}
          </button>
        ) : null}
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mod-warn jp-Vertex-action"
          disabled={busy}
          onClick={() => onAction('delete')}
          aria-label={trans.__('Delete %1', instance.id)}
        >
          {trans.__('Delete')}
        </button>
      </div>
      {state === 'FAILED' && instance.stateReason ? (
        <div className="jp-Vertex-instanceFailure" role="note">
          {instance.stateReason}
        </div>
      ) : null}
    </li>
  );
}
