import { showErrorMessage } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { LabIcon, ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';
import { IVertexAPI } from '../api/vertexAPI';
import { VertexAPIError } from '../api/request';
import { IJob, IModel } from '../api/types';
import { Banner } from '../components/Banner';
import { useFetched } from '../components/useFetched';
import {
  batchJobIcon,
  endpointIcon,
  instanceIcon,
  jobIcon,
  modelIcon,
  pipelineIcon
} from '../components/icons';
import { batchDialog, initialBatchForm } from '../dialogs/batch/BatchDialog';
import {
  FALLBACK_MACHINES,
  IMachineOption
} from '../dialogs/deploy/DeployDialog';
import { IVertexModel } from '../model/tokens';
import { OperationTracker } from '../model/operations';
import { BatchJobs } from '../model/batchJobs';
import { PipelineJobs } from '../model/pipelineJobs';
import { BatchJobDetail } from '../views/BatchJobDetail';
import { EndpointDetail } from '../views/EndpointDetail';
import { InstanceDetail } from '../views/InstanceDetail';
import { JobDetail } from '../views/JobDetail';
import { ModelDetail } from '../views/ModelDetail';
import { PipelineJobDetail } from '../views/PipelineJobDetail';
import { ArtifactOpener } from '../views/Provenance';
import { VertexResource } from './resources';

/**
 * What every tab shares: the panel's state and API, the operation tracker,
 * and how to open another tab.
 */
export interface ITabContext {
  model: IVertexModel;
  api: IVertexAPI;
  trans: TranslationBundle;
  tracker: OperationTracker;
  loadMachines: () => Promise<ReadonlyArray<IMachineOption>>;
  /**
   * The Deploy dialog's defaults (from the settings, read when used).
   */
  preferences: () => ModelDetail.IPreferences;
  open: (resource: VertexResource) => void;
  /**
   * Opens an artifact copied into the Jupyter root (documents, file browser).
   */
  openArtifact?: ArtifactOpener;
  /**
   * The Batch jobs list (its copy of a job, refreshed after an action).
   */
  batchJobs?: BatchJobs;
  /**
   * The Pipelines list (its copy of a run, refreshed after an action).
   */
  pipelineJobs?: PipelineJobs;
  /**
   * Put code into the active notebook as a new cell, or copy it when no
   * notebook is open.
   */
  insertCell?: (code: string) => Promise<'inserted' | 'copied'>;
  /**
   * Files of the Jupyter root the user points at (the file browser's
   * selection), for the Batch predict dialog.
   */
  browserPaths?: () => string[];
}

export const KIND_ICONS: Record<VertexResource['kind'], LabIcon> = {
  job: jobIcon,
  model: modelIcon,
  endpoint: endpointIcon,
  instance: instanceIcon,
  batchJob: batchJobIcon,
  pipelineJob: pipelineIcon
};

/**
 * The content of a main-area tab: one resource's detail view, kept in step
 * with the panel's lists. It asks to be closed (`onGone`) once the resource
 * no longer exists: deleted from the tab, from the panel, or before a reload.
 */
export class VertexTabContent extends ReactWidget {
  constructor(options: VertexTabContent.IOptions) {
    super();
    this.resource = options.resource;
    this._context = options.context;
    this._seed = options.seed ?? null;
    this._onGone = options.onGone;
    this.addClass('jp-Vertex-tab');
    this.addClass(`jp-Vertex-tab-${this.resource.kind}`);
    this.title.icon = KIND_ICONS[this.resource.kind];
    this.title.label = this.resource.id;
    this.title.caption = this.resource.id;
  }

  readonly resource: VertexResource;

  /**
   * Name the tab after what it shows: the display name, and the full
   * resource name on hover.
   */
  describe(label: string, caption: string): void {
    if (this.title.label !== label) {
      this.title.label = label;
    }
    if (this.title.caption !== caption) {
      this.title.caption = caption;
    }
  }

  protected render(): JSX.Element {
    const { model } = this._context;
    return (
      <UseSignal signal={model.stateChanged}>
        {() => (
          <TabBody
            resource={this.resource}
            context={this._context}
            seed={this._seed}
            isActive={() => this.isVisible}
            onGone={this._onGone}
            describe={(label, caption) => this.describe(label, caption)}
          />
        )}
      </UseSignal>
    );
  }

  private _context: ITabContext;
  private _seed: IJob | null;
  private _onGone: () => void;
}

export namespace VertexTabContent {
  export interface IOptions {
    resource: VertexResource;
    context: ITabContext;
    /**
     * The job as its creator has it, shown until the list or a GET has it.
     */
    seed?: IJob;
    onGone: () => void;
  }
}

interface ITabBodyProps {
  resource: VertexResource;
  context: ITabContext;
  seed: IJob | null;
  isActive: () => boolean;
  onGone: () => void;
  describe: (label: string, caption: string) => void;
}

/**
 * What a tab shows: the list's copy of its resource, else the one fetched
 * (see `useFetched`), else `fallback`; the tab is named after it (`label`,
 * and the full resource name on hover).
 */
function useShown<T extends { id: string; name?: string | null }>(
  listed: T | null,
  load: () => Promise<T>,
  key: string,
  props: Pick<ITabBodyProps, 'onGone' | 'describe'>,
  label: (item: T) => string,
  fallback: T | null = null
): { shown: T | null; error: VertexAPIError | null } {
  const fetched = useFetched(load, key, props.onGone);
  const shown = listed ?? fetched.value ?? fallback;
  const text = shown ? label(shown) : null;
  const caption = shown ? shown.name || shown.id : null;
  React.useEffect(() => {
    if (text !== null && caption !== null) {
      props.describe(text, caption);
    }
  }, [text, caption]);
  return { shown, error: fetched.error };
}

function TabBody(props: ITabBodyProps): JSX.Element {
  switch (props.resource.kind) {
    case 'job':
      return <JobTab {...props} />;
    case 'model':
      return <ModelTab {...props} />;
    case 'endpoint':
      return <EndpointTab {...props} />;
    case 'instance':
      return <InstanceTab {...props} />;
    case 'batchJob':
      return <BatchJobTab {...props} />;
    case 'pipelineJob':
      return <PipelineJobTab {...props} />;
  }
}

/**
 * What a tab shows until its resource is known.
 */
function Pending(props: {
  error: VertexAPIError | null;
  trans: TranslationBundle;
  text: string;
}): JSX.Element {
  return props.error ? (
    <Banner error={props.error} trans={props.trans} />
  ) : (
    <div className="jp-Vertex-placeholder">{props.text}</div>
  );
}

function JobTab(props: ITabBodyProps): JSX.Element {
  const { context, resource } = props;
  const { model, api, trans } = context;
  const jobKind = resource.kind === 'job' ? resource.jobKind : 'customJob';
  const listed =
    (model.jobs.items ?? []).find(
      item => item.kind === jobKind && item.id === resource.id
    ) ?? null;
  // A job the list does not show (filtered out, paged away) is fetched again
  // when it reports a change.
  const [version, setVersion] = React.useState(0);
  const { shown: job, error } = useShown(
    listed,
    () => api.getJob(jobKind, resource.id),
    `${JSON.stringify(listed)}#${version}`,
    props,
    item => item.displayName || item.id,
    props.seed
  );
  if (!job) {
    return (
      <Pending error={error} trans={trans} text={trans.__('Loading job…')} />
    );
  }
  return (
    <JobDetail
      api={api}
      job={job}
      trans={trans}
      onChanged={() => {
        void model.refreshJobs();
        setVersion(v => v + 1);
      }}
      isActive={props.isActive}
      onOpenModel={id => context.open({ kind: 'model', id })}
      onOpenJob={next =>
        // The new job is listed first, so that its tab finds it.
        void model
          .refreshJobs()
          .then(() =>
            context.open({ kind: 'job', jobKind: next.kind, id: next.id })
          )
      }
      onOpenArtifact={context.openArtifact}
    />
  );
}

function ModelTab(props: ITabBodyProps): JSX.Element {
  const { context, resource, onGone } = props;
  const { model, api, trans } = context;
  const listed =
    (model.models.items ?? []).find(item => item.id === resource.id) ?? null;
  useShown(
    listed,
    () => api.getModel(resource.id),
    JSON.stringify(listed),
    props,
    item => item.displayName || item.id
  );
  return (
    <ModelDetail
      api={api}
      modelId={resource.id}
      listed={listed}
      endpoints={model.endpoints.items ?? []}
      trans={trans}
      tracker={context.tracker}
      onBack={onGone}
      onOpenEndpoint={id => context.open({ kind: 'endpoint', id })}
      onChanged={() => refreshServing(model)}
      loadMachines={context.loadMachines}
      preferences={context.preferences()}
      onOpenJob={(jobKind, id) => context.open({ kind: 'job', jobKind, id })}
      onOpenArtifact={context.openArtifact}
      onBatchPredict={version =>
        void batchPredict(context, version).catch(reason =>
          showErrorMessage(trans.__('Batch predict'), reason)
        )
      }
    />
  );
}

/**
 * The Batch predict dialog for a model version; the new job opens in its tab.
 */
async function batchPredict(context: ITabContext, version: IModel) {
  const machines = await context.loadMachines().catch(() => FALLBACK_MACHINES);
  const created = await batchDialog({
    api: context.api,
    model: version,
    machines,
    form: initialBatchForm(version, context.browserPaths?.() ?? []),
    trans: context.trans
  });
  if (created) {
    void context.batchJobs?.refresh();
    context.open({ kind: 'batchJob', id: created.job.id });
  }
}

function EndpointTab(props: ITabBodyProps): JSX.Element {
  const { context, resource, onGone } = props;
  const { model, api, trans } = context;
  const listed =
    (model.endpoints.items ?? []).find(item => item.id === resource.id) ?? null;
  useShown(
    listed,
    () => api.getEndpoint(resource.id),
    JSON.stringify(listed),
    props,
    item => item.displayName || item.id
  );
  return (
    <EndpointDetail
      api={api}
      endpointId={resource.id}
      listed={listed}
      trans={trans}
      tracker={context.tracker}
      onBack={onGone}
      onOpenModel={id => context.open({ kind: 'model', id })}
      onChanged={() => refreshServing(model)}
      isActive={props.isActive}
    />
  );
}

function InstanceTab(props: ITabBodyProps): JSX.Element {
  const { context, resource } = props;
  const { model, api, trans } = context;
  const listed =
    (model.instances.items ?? []).find(item => item.id === resource.id) ?? null;
  const [version, setVersion] = React.useState(0);
  const { shown: instance, error } = useShown(
    listed,
    () => api.getInstance(resource.id),
    `${JSON.stringify(listed)}#${version}`,
    props,
    item => item.id
  );
  if (!instance) {
    return (
      <Pending
        error={error}
        trans={trans}
        text={trans.__('Loading instance…')}
      />
    );
  }
  return (
    <InstanceDetail
      api={api}
      instance={instance}
      follower={context.tracker}
      trans={trans}
      onChanged={() => {
        void model.refreshInstances();
        void model.refreshRunning();
        setVersion(v => v + 1);
      }}
    />
  );
}

function BatchJobTab(props: ITabBodyProps): JSX.Element {
  const { context, resource, onGone, describe } = props;
  const { batchJobs } = context;
  // The tab follows the Batch jobs list as the others follow the model.
  const [, setSeen] = React.useState(0);
  React.useEffect(() => {
    const seen = () => setSeen(n => n + 1);
    batchJobs?.changed.connect(seen);
    return () => void batchJobs?.changed.disconnect(seen);
  }, [batchJobs]);
  const listed =
    (batchJobs?.state.items ?? []).find(item => item.id === resource.id) ??
    null;
  return (
    <BatchJobDetail
      api={context.api}
      jobId={resource.id}
      listed={listed}
      trans={context.trans}
      onGone={onGone}
      onChanged={() => void batchJobs?.refresh()}
      onOpenModel={id => context.open({ kind: 'model', id })}
      describe={describe}
      insertCell={context.insertCell}
    />
  );
}

function PipelineJobTab(props: ITabBodyProps): JSX.Element {
  const { context, resource, onGone, describe } = props;
  const { pipelineJobs } = context;
  const [, setSeen] = React.useState(0);
  React.useEffect(() => {
    const seen = () => setSeen(n => n + 1);
    pipelineJobs?.changed.connect(seen);
    return () => void pipelineJobs?.changed.disconnect(seen);
  }, [pipelineJobs]);
  const listed =
    (pipelineJobs?.state.items ?? []).find(item => item.id === resource.id) ??
    null;
  return (
    <PipelineJobDetail
      api={context.api}
      jobId={resource.id}
      listed={listed}
      trans={context.trans}
      onGone={onGone}
      onChanged={() => void pipelineJobs?.refresh()}
      onOpenRun={id => context.open({ kind: 'pipelineJob', id })}
      describe={describe}
    />
  );
}

function refreshServing(model: IVertexModel): void {
  void model.refreshModels();
  void model.refreshEndpoints();
}
