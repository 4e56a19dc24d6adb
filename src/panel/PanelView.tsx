import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { IVertexAPI } from '../api/vertexAPI';
import { VertexAPIError } from '../api/request';
import { IJob, JobKind } from '../api/types';
import { IVertexModel } from '../model/tokens';
import { Banner } from '../components/Banner';
import {
  FALLBACK_MACHINES,
  IMachineOption
} from '../dialogs/deploy/DeployDialog';
import { EndpointDetail } from '../views/EndpointDetail';
import { EndpointList } from './EndpointList';
import { Header } from './Header';
import { InstancesSection } from './InstanceList';
import { JobDetail } from '../views/JobDetail';
import { JobList } from './JobList';
import { ModelDetail } from '../views/ModelDetail';
import { ArtifactOpener } from '../views/Provenance';
import { ModelList } from './ModelList';
import { OperationTracker } from '../model/operations';
import { RunningNowSection } from './RunningNow';

/**
 * What the panel shows instead of its lists: one detail view.
 */
export type PanelRoute =
  | { kind: 'job'; jobKind: JobKind; id: string }
  | { kind: 'model'; id: string }
  | { kind: 'endpoint'; id: string };

/**
 * The view of the panel's state; no state of its own.
 */
export function VertexPanelView(props: VertexPanelView.IProps): JSX.Element {
  const { model, trans } = props;
  const { status, statusError } = model;
  const backend = status?.backend ?? null;
  // A list failing for the same reason as the status would only repeat the
  // banner above it.
  const hideError = (error: VertexAPIError) =>
    statusError !== null && error.reason === statusError.reason;
  const refreshAll = () => void model.refresh();
  const route = routeOf(props);
  const open = (next: PanelRoute) => {
    if (props.onOpen) {
      props.onOpen(next);
    } else if (next.kind === 'job') {
      const job = (model.jobs.items ?? []).find(
        item => item.kind === next.jobKind && item.id === next.id
      );
      if (job) {
        props.onOpenJob?.(job);
      }
    }
  };

  if (route && props.api && props.onBack) {
    return (
      <div className="jp-Vertex-PanelView">
        <Header
          status={status}
          statusError={statusError}
          trans={trans}
          onRefresh={refreshAll}
          busy={
            model.jobs.loading ||
            model.models.loading ||
            model.endpoints.loading
          }
        />
        <div className="jp-Vertex-PanelView-body">
          <DetailRouter
            {...props}
            api={props.api}
            onBack={props.onBack}
            route={route}
            onOpen={open}
          />
        </div>
      </div>
    );
  }
  const canOpen = Boolean(props.api && (props.onOpen || props.onOpenJob));
  return (
    <div className="jp-Vertex-PanelView">
      <Header
        status={status}
        statusError={statusError}
        trans={trans}
        onRefresh={refreshAll}
        busy={
          model.models.loading || model.endpoints.loading || model.jobs.loading
        }
      />
      {statusError ? (
        <Banner error={statusError} trans={trans} onRetry={refreshAll} />
      ) : null}
      <div className="jp-Vertex-PanelView-body">
        {props.api && status?.capabilities.includes('instances') ? (
          <RunningNowSection
            model={model}
            api={props.api}
            follower={props.tracker ?? null}
            trans={trans}
            hideError={hideError}
          />
        ) : null}
        {status && !status.capabilities.includes('training') ? null : (
          <JobList
            state={model.jobs}
            trans={trans}
            onRefresh={() => void model.refreshJobs()}
            onOpen={item =>
              props.onOpen
                ? props.onOpen({ kind: 'job', jobKind: item.kind, id: item.id })
                : props.onOpenJob?.(item)
            }
            hideError={hideError}
            api={props.api}
            filter={model.jobFilter}
            onFilterChange={filter => {
              model.jobFilter = filter;
            }}
          />
        )}
        <ModelList
          state={model.models}
          trans={trans}
          backend={backend}
          onRefresh={() => void model.refreshModels()}
          endpoints={model.endpoints.items}
          onOpen={
            canOpen && props.onOpen
              ? item => open({ kind: 'model', id: item.id })
              : undefined
          }
          hideError={hideError}
        />
        <EndpointList
          state={model.endpoints}
          trans={trans}
          backend={backend}
          onRefresh={() => void model.refreshEndpoints()}
          onOpen={
            canOpen && props.onOpen
              ? item => open({ kind: 'endpoint', id: item.id })
              : undefined
          }
          hideError={hideError}
        />
        {props.api && status?.capabilities.includes('instances') ? (
          <InstancesSection
            model={model}
            api={props.api}
            follower={props.tracker ?? null}
            trans={trans}
            loadMachines={props.loadMachines}
            hideError={hideError}
          />
        ) : null}
      </div>
    </div>
  );
}

export namespace VertexPanelView {
  export interface IProps {
    model: IVertexModel;
    trans: TranslationBundle;
    /**
     * The API, for the detail views; without it rows do not open.
     */
    api?: IVertexAPI;
    /**
     * The detail shown instead of the lists.
     */
    route?: PanelRoute | null;
    /**
     * The job whose details are shown (same as a `job` route).
     */
    selectedJob?: { kind: JobKind; id: string } | null;
    /**
     * The selected job as last fetched, until the list has it.
     */
    selectedJobData?: IJob | null;
    onOpen?: (route: PanelRoute) => void;
    onOpenJob?: (job: IJob) => void;
    onBack?: () => void;
    /**
     * Follows deploy and undeploy operations (one per panel).
     */
    tracker?: OperationTracker;
    /**
     * The machine types and their accelerators for the Deploy dialog.
     */
    loadMachines?: () => Promise<ReadonlyArray<IMachineOption>>;
    preferences?: ModelDetail.IPreferences;
    /**
     * Opens an artifact copied into the Jupyter root (documents, file browser).
     */
    onOpenArtifact?: ArtifactOpener;
  }
}

function routeOf(props: VertexPanelView.IProps): PanelRoute | null {
  if (props.route) {
    return props.route;
  }
  const job = props.selectedJob;
  return job ? { kind: 'job', jobKind: job.kind, id: job.id } : null;
}

/**
 * One detail view, by route.
 */
function DetailRouter(
  props: VertexPanelView.IProps & {
    api: IVertexAPI;
    route: PanelRoute;
    onBack: () => void;
    onOpen: (route: PanelRoute) => void;
  }
): JSX.Element {
  const { model, trans, api, route, onBack, onOpen } = props;
  const fallbackTracker = React.useMemo(
    () => new OperationTracker({ api, trans }),
    [api]
  );
  const tracker = props.tracker ?? fallbackTracker;
  const refreshServing = () => {
    void model.refreshModels();
    void model.refreshEndpoints();
  };
  switch (route.kind) {
    case 'job': {
      const job =
        (model.jobs.items ?? []).find(
          item => item.kind === route.jobKind && item.id === route.id
        ) ??
        props.selectedJobData ??
        null;
      return job ? (
        <JobDetail
          api={api}
          job={job}
          trans={trans}
          onBack={onBack}
          onChanged={() => void model.refreshJobs()}
          isActive={() => model.active}
          onOpenModel={id => onOpen({ kind: 'model', id })}
          onOpenJob={next =>
            // The new job is listed first, so that its detail finds it.
            void model
              .refreshJobs()
              .then(() =>
                onOpen({ kind: 'job', jobKind: next.kind, id: next.id })
              )
          }
          onOpenArtifact={props.onOpenArtifact}
        />
      ) : (
        <Missing
          trans={trans}
          onBack={onBack}
          loading={model.jobs.items === null}
          loadingText={trans.__('Loading job…')}
          goneText={trans.__('This job no longer exists.')}
        />
      );
    }
    case 'model':
      return (
        <ModelDetail
          key={route.id}
          api={api}
          modelId={route.id}
          listed={
            (model.models.items ?? []).find(item => item.id === route.id) ??
            null
          }
          endpoints={model.endpoints.items ?? []}
          trans={trans}
          tracker={tracker}
          onBack={onBack}
          onOpenEndpoint={id => onOpen({ kind: 'endpoint', id })}
          onChanged={refreshServing}
          loadMachines={
            props.loadMachines ?? (() => Promise.resolve(FALLBACK_MACHINES))
          }
          preferences={props.preferences}
          onOpenJob={(jobKind, id) => onOpen({ kind: 'job', jobKind, id })}
          onOpenArtifact={props.onOpenArtifact}
        />
      );
    case 'endpoint':
      return (
        <EndpointDetail
          key={route.id}
          api={api}
          endpointId={route.id}
          listed={
            (model.endpoints.items ?? []).find(item => item.id === route.id) ??
            null
          }
          trans={trans}
          tracker={tracker}
          onBack={onBack}
          onOpenModel={id => onOpen({ kind: 'model', id })}
          onChanged={refreshServing}
          isActive={() => model.active}
        />
      );
  }
}

function Missing(props: {
  trans: TranslationBundle;
  onBack: () => void;
  loading: boolean;
  loadingText: string;
  goneText: string;
}): JSX.Element {
  return (
    <div className="jp-Vertex-JobDetail">
      <div className="jp-Vertex-placeholder">
        {props.loading ? props.loadingText : props.goneText}
      </div>
      <button
        type="button"
        className="jp-Button jp-mod-styled jp-Vertex-action"
        onClick={props.onBack}
      >
        {props.trans.__('Back to the list')}
      </button>
    </div>
  );
}
