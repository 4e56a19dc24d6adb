import { Dialog, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { IVertexAPI } from '../api/vertexAPI';
import { VertexAPIError } from '../api/request';
import {
  IBulkPrediction,
  IEndpoint,
  IInstance,
  IJob,
  IRunningNow
} from '../api/types';
import { IRunningState, IVertexModel } from '../model/tokens';
import { ErrorBanners } from '../components/Banner';
import { confirmCancelJob } from '../views/JobDetail';
import { kindLabel, onRowKeyDown, StateChip } from '../components/format';
import {
  confirmStopInstance,
  gpuLabel,
  InstanceStateChip,
  runInstanceAction,
  useInstanceOperations
} from './InstanceList';
import type { IOperationFollower } from '../model/operations';

/**
 * How many things keep running (and costing).
 */
export function runningCount(value: IRunningNow | null): number {
  if (!value) {
    return 0;
  }
  return (
    value.instances.length +
    value.endpoints.length +
    value.jobs.length +
    value.bulkPredictions.length
  );
}

/**
 * Undeploy every model of an endpoint, one after the other (the server moves
 * the traffic of each to those left), following each operation to its end.
 *
 * @returns the number of models undeployed; rejects with the first failure
 */
export async function undeployAll(options: {
  api: IVertexAPI;
  follower: IOperationFollower | null;
  endpoint: IEndpoint;
  trans: TranslationBundle;
}): Promise<number> {
  const { api, follower, endpoint, trans } = options;
  const name = endpoint.displayName || endpoint.id;
  let count = 0;
  for (const deployed of endpoint.deployedModels ?? []) {
    const operation = await api.undeployModel(endpoint.id, deployed.id);
    if (follower) {
      await follower.track(operation, {
        label: trans.__(
          'Undeploying "%1" from "%2"',
          deployed.displayName || deployed.id,
          name
        )
      });
    }
    count += 1;
  }
  return count;
}

/**
 * "Running now": every instance not stopped, every endpoint with deployed
 * models, every running job and bulk prediction, each with the one click
 * that stops it. The count in the header says at a glance what keeps costing.
 */
export function RunningNow(props: RunningNow.IProps): JSX.Element {
  const { state, trans, api, follower } = props;
  const pendingInstances = useInstanceOperations(follower);
  const [busy, setBusy] = React.useState<Set<string>>(new Set());
  const [actionError, setActionError] = React.useState<VertexAPIError | null>(
    null
  );
  const value = state.value;
  const count = runningCount(value);
  const headingId = 'jp-Vertex-running-heading';
  const showError =
    state.error !== null && !(props.hideError?.(state.error) ?? false);

  /**
   * Run an action for one item, with its button disabled meanwhile.
   */
  const run = async (key: string, action: () => Promise<unknown>) => {
    setBusy(previous => new Set(previous).add(key));
    try {
      await action();
      setActionError(null);
    } catch (error) {
      setActionError(VertexAPIError.from(error));
    } finally {
      setBusy(previous => {
        const next = new Set(previous);
        next.delete(key);
        return next;
      });
      props.onChanged();
    }
  };

  const stopInstance = async (instance: IInstance) => {
    if (!(await confirmStopInstance(instance, trans))) {
      return;
    }
    await run(`instance:${instance.id}`, () =>
      runInstanceAction({
        api,
        follower,
        instance,
        action: 'stop',
        trans,
        onEnded: props.onChanged
      })
    );
  };

  const undeploy = async (endpoint: IEndpoint) => {
    const name = endpoint.displayName || endpoint.id;
    const models = endpoint.deployedModels ?? [];
    const result = await showDialog({
      title: trans.__('Undeploy all models?'),
      body: trans._n(
        'Undeploy the model from "%2"? The endpoint stays, without models; it stops serving predictions.',
        'Undeploy all %1 models from "%2"? The endpoint stays, without models; it stops serving predictions.',
        models.length,
        name
      ),
      buttons: [
        Dialog.cancelButton({ label: trans.__('Keep serving') }),
        Dialog.warnButton({ label: trans.__('Undeploy') })
      ]
    });
    if (!result.button.accept) {
      return;
    }
    await run(`endpoint:${endpoint.id}`, () =>
      undeployAll({ api, follower, endpoint, trans })
    );
  };

  const cancelJob = async (job: IJob) => {
    if (!(await confirmCancelJob(job, trans))) {
      return;
    }
    await run(`job:${job.kind}:${job.id}`, () =>
      api.cancelJob(job.kind, job.id)
    );
  };

  const cancelBulk = (bulk: IBulkPrediction) =>
    run(`bulk:${bulk.id}`, () => api.deleteBulkPrediction(bulk.id));

  let body: React.ReactNode;
  if (value === null) {
    body =
      state.error === null ? (
        <div className="jp-Vertex-placeholder">{trans.__('Loading…')}</div>
      ) : null;
  } else if (count === 0) {
    body = (
      <div className="jp-Vertex-empty">{trans.__('Nothing is running.')}</div>
    );
  } else {
    body = (
      <ul className="jp-Vertex-list" aria-labelledby={headingId}>
        {value.instances.map(instance => {
          const pending = pendingInstances.get(instance.id);
          const gpu = gpuLabel(instance);
          return (
            <RunningRow
              key={`instance:${instance.id}`}
              kind="instance"
              id={instance.id}
              name={instance.id}
              what={trans.__('Instance')}
              detail={[instance.machineType, gpu].filter(Boolean).join(' · ')}
              chip={<InstanceStateChip state={instance.state} trans={trans} />}
              actionLabel={trans.__('Stop')}
              actionAriaLabel={trans.__('Stop instance %1', instance.id)}
              disabled={
                busy.has(`instance:${instance.id}`) ||
                pending !== undefined ||
                instance.state === 'STOPPING' ||
                instance.state === 'DELETING'
              }
              onAction={() => void stopInstance(instance)}
            />
          );
        })}
        {value.endpoints.map(endpoint => {
          const name = endpoint.displayName || endpoint.id;
          const models = endpoint.deployedModels?.length ?? 0;
          return (
            <RunningRow
              key={`endpoint:${endpoint.id}`}
              kind="endpoint"
              id={endpoint.id}
              name={name}
              what={trans.__('Endpoint')}
              detail={trans._n(
                '%1 deployed model',
                '%1 deployed models',
                models
              )}
              actionLabel={trans.__('Undeploy')}
              actionAriaLabel={trans.__(
                'Undeploy all models from endpoint %1',
                name
              )}
              disabled={busy.has(`endpoint:${endpoint.id}`)}
              onAction={() => void undeploy(endpoint)}
            />
          );
        })}
        {value.jobs.map(job => {
          const name = job.displayName || job.id;
          return (
            <RunningRow
              key={`job:${job.kind}:${job.id}`}
              kind="job"
              id={job.id}
              name={name}
              what={kindLabel(job.kind, trans)}
              detail={job.spec?.machineType ?? ''}
              chip={<StateChip state={job.state} trans={trans} />}
              actionLabel={trans.__('Cancel')}
              actionAriaLabel={trans.__('Cancel job %1', name)}
              disabled={
                busy.has(`job:${job.kind}:${job.id}`) ||
                job.state === 'CANCELLING'
              }
              onAction={() => void cancelJob(job)}
            />
          );
        })}
        {value.bulkPredictions.map(bulk => (
          <RunningRow
            key={`bulk:${bulk.id}`}
            kind="bulk"
            id={bulk.id}
            name={trans.__('Bulk prediction %1', bulk.id)}
            what={trans.__('Bulk prediction')}
            detail={trans.__(
              '%1 of %2 instances · endpoint %3',
              bulk.done,
              bulk.total,
              bulk.endpointId
            )}
            actionLabel={trans.__('Cancel')}
            actionAriaLabel={trans.__('Cancel bulk prediction %1', bulk.id)}
            disabled={busy.has(`bulk:${bulk.id}`)}
            onAction={() => void cancelBulk(bulk)}
          />
        ))}
      </ul>
    );
  }

  return (
    <section
      className="jp-Vertex-Section jp-Vertex-RunningNow"
      id="jp-Vertex-running"
      aria-labelledby={headingId}
      aria-busy={state.loading}
    >
      <div className="jp-Vertex-Section-header">
        <h3 className="jp-Vertex-Section-title" id={headingId}>
          {trans.__('Running now')}
        </h3>
        {value !== null ? (
          <span
            className={
              'jp-Vertex-runningCount' + (count > 0 ? ' jp-mod-running' : '')
            }
            data-testid="vertex-running-count"
            aria-label={trans._n(
              '%1 thing running',
              '%1 things running',
              count
            )}
          >
            {count}
          </span>
        ) : null}
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

export namespace RunningNow {
  export interface IProps {
    state: IRunningState;
    trans: TranslationBundle;
    api: IVertexAPI;
    follower: IOperationFollower | null;
    onRefresh: () => void;
    /**
     * Something was stopped (or its operation ended): fetch again.
     */
    onChanged: () => void;
    hideError?: (error: VertexAPIError) => boolean;
  }
}

/**
 * "Running now" wired to the panel's model: whatever is stopped, the lists
 * that show it are fetched again.
 */
export function RunningNowSection(props: {
  model: IVertexModel;
  api: IVertexAPI;
  follower: IOperationFollower | null;
  trans: TranslationBundle;
  hideError?: (error: VertexAPIError) => boolean;
}): JSX.Element {
  const { model } = props;
  return (
    <RunningNow
      state={model.running}
      trans={props.trans}
      api={props.api}
      follower={props.follower}
      onRefresh={() => void model.refreshRunning()}
      onChanged={() => {
        void model.refreshRunning();
        void model.refreshInstances();
        void model.refreshEndpoints();
        void model.refreshJobs();
      }}
      hideError={props.hideError}
    />
  );
}

/**
 * One running thing and the button that stops it.
 */
function RunningRow(props: {
  kind: 'instance' | 'endpoint' | 'job' | 'bulk';
  id: string;
  name: string;
  what: string;
  detail: string;
  chip?: React.ReactNode;
  actionLabel: string;
  actionAriaLabel: string;
  disabled: boolean;
  onAction: () => void;
}): JSX.Element {
  return (
    <li
      className="jp-Vertex-row jp-Vertex-RunningRow"
      tabIndex={0}
      role="listitem"
      aria-label={[props.what, props.name, props.detail]
        .filter(Boolean)
        .join(', ')}
      data-running-kind={props.kind}
      data-running-id={props.id}
      onKeyDown={event => {
        if (event.target === event.currentTarget) {
          onRowKeyDown(event);
        }
      }}
    >
      <div className="jp-Vertex-row-main">
        <span className="jp-Vertex-runningKind">{props.what}</span>
        <span className="jp-Vertex-row-name" title={props.name}>
          {props.name}
        </span>
        {props.chip}
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mod-warn jp-Vertex-action"
          disabled={props.disabled}
          aria-label={props.actionAriaLabel}
          title={props.actionAriaLabel}
          onClick={props.onAction}
        >
          {props.actionLabel}
        </button>
      </div>
      {props.detail ? (
        <div className="jp-Vertex-row-meta">
          <span>{props.detail}</span>
        </div>
      ) : null}
    </li>
  );
}
