import { Token } from '@lumino/coreutils';
import { ISignal } from '@lumino/signaling';
import type { VertexAPIError } from './request';

/**
 * The plugin id; `schema/plugin.json` holds its settings.
 */
export const PLUGIN_ID = 'jupyter-vertex:plugin';

/**
 * The id of the sidebar panel (also its layout-restorer key).
 */
export const PANEL_ID = 'jp-vertex-panel';

/**
 * Command ids.
 */
export namespace CommandIDs {
  export const openPanel = 'jupyter-vertex:open-panel';
  export const refresh = 'jupyter-vertex:refresh';
  export const train = 'jupyter-vertex:train';
  export const createInstance = 'jupyter-vertex:create-instance';
}

/**
 * Which Vertex AI the server extension talks to.
 */
export type Backend = 'local' | 'vertex';

/**
 * `GET /status`.
 */
export interface IStatus {
  backend: Backend;
  project: string | null;
  region: string | null;
  account: string | null;
  capabilities: string[];
  emulator: { state: string; url: string | null } | null;
}

/**
 * Where a model is deployed (`Model.deployedModels[]`).
 */
export interface IDeployedModelRef {
  endpoint: string;
  deployedModelId: string;
}

/**
 * A model (one version of it) as the REST API returns it.
 */
export interface IModel {
  name: string;
  id: string;
  displayName: string;
  description?: string;
  versionId: string;
  versionAliases?: string[];
  versionCreateTime?: string;
  versionUpdateTime?: string;
  createTime: string;
  updateTime?: string;
  labels?: Record<string, string>;
  artifactUri?: string;
  containerImageUri?: string;
  framework?: string;
  deployedModels?: IDeployedModelRef[];
  etag?: string;
}

/**
 * A model deployed to an endpoint (`Endpoint.deployedModels[]`).
 */
export interface IDeployedModel {
  id: string;
  model: string;
  modelVersionId?: string;
  displayName?: string;
}

/**
 * An endpoint as the REST API returns it.
 */
export interface IEndpoint {
  name: string;
  id: string;
  displayName: string;
  description?: string;
  labels?: Record<string, string>;
  createTime: string;
  updateTime?: string;
  etag?: string;
  deployedModels?: IDeployedModel[];
  trafficSplit?: Record<string, number>;
}

/**
 * `GET /models`.
 */
export interface IListModelsResponse {
  models: IModel[];
  nextPageToken?: string;
}

/**
 * `GET /endpoints`.
 */
export interface IListEndpointsResponse {
  endpoints: IEndpoint[];
  nextPageToken?: string;
}

/**
 * A job's state: Vertex's without `JOB_STATE_` / `PIPELINE_STATE_`.
 */
export type JobState =
  | 'UNSPECIFIED'
  | 'QUEUED'
  | 'PENDING'
  | 'RUNNING'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'CANCELLING'
  | 'CANCELLED'
  | 'PAUSED'
  | 'EXPIRED'
  | 'UPDATING'
  | 'PARTIALLY_SUCCEEDED';

export type JobKind = 'customJob' | 'trainingPipeline';

/**
 * How a job runs (`Job.spec`).
 */
export interface IJobSpec {
  imageUri: string | null;
  packageUris: string[];
  pythonModule: string | null;
  args: string[];
  env: Record<string, string>;
  machineType: string | null;
  acceleratorType: string | null;
  acceleratorCount: number | null;
  replicaCount: number;
  baseOutputDirectory: string | null;
}

/**
 * A CustomJob or TrainingPipeline as the REST API returns it.
 */
export interface IJob {
  name: string;
  id: string;
  kind: JobKind;
  displayName: string;
  state: JobState;
  createTime: string | null;
  startTime: string | null;
  endTime: string | null;
  updateTime: string | null;
  error: { code: number; message: string } | null;
  labels: Record<string, string>;
  git: { commit: string; branch: string | null; dirty: boolean } | null;
  source: { path: string; kind: 'script' | 'notebook' } | null;
  notebookOutput: string | null;
  spec: IJobSpec | null;
  customJob: string | null;
  model: {
    displayName: string;
    servingContainerImageUri: string | null;
    parentModel: string | null;
    uploadedModel: string | null;
  } | null;
}

/**
 * `GET /jobs`.
 */
export interface IListJobsResponse {
  jobs: IJob[];
  nextPageToken?: string | null;
}

/**
 * One log line of a job.
 */
export interface ILogEntry {
  timestamp: string;
  insertId: string;
  severity: string;
  replica: string | null;
  message: string;
}

/**
 * `GET /jobs/{kind}/{jobId}/logs`.
 */
export interface IJobLogs {
  entries: ILogEntry[];
  cursor: string | null;
  state: JobState;
}

/**
 * `POST /jobs`.
 */
export interface ITrainingCreate {
  path: string;
  displayName?: string;
  framework?: 'scikit-learn' | 'xgboost' | 'tensorflow' | 'pytorch';
  frameworkVersion?: string;
  imageUri?: string;
  machineType?: string;
  acceleratorType?: string;
  acceleratorCount?: number;
  replicaCount?: number;
  args?: string[];
  env?: Record<string, string>;
  labels?: Record<string, string>;
  registerModel?: {
    servingContainerImageUri: string;
    modelDisplayName?: string;
    parentModel?: string;
  };
}

/**
 * `GET /training/options`: what a `TrainingCreate` may ask for, from the
 * table the server checks it with.
 */
export interface ITrainingOptions {
  region: string;
  defaultFramework: string;
  defaultMachineType: string;
  frameworks: Array<{
    name: NonNullable<ITrainingCreate['framework']>;
    /** The first is the default. */
    versions: Array<{ version: string; gpu: boolean }>;
  }>;
  machineTypes: ITrainingMachine[];
  /** Vertex AI's prebuilt prediction image per framework. */
  servingImages: Record<string, string>;
}

/**
 * A machine type and the accelerators it takes (none: CPU only).
 */
export interface ITrainingMachine {
  machineType: string;
  acceleratorTypes: string[];
  acceleratorCounts: number[];
  /** a2/a3/g2: the accelerators come with the machine. */
  acceleratorRequired: boolean;
}

/**
 * `GET /training/provenance?path=`: the file's git state now.
 */
export interface ITrainingProvenance {
  path: string;
  kind: 'script' | 'notebook';
  git: { commit: string; branch: string | null; dirty: boolean } | null;
}

/**
 * The Jobs section's server-side filter (`GET /jobs?kind=&state=`).
 */
export interface IJobFilter {
  kind?: JobKind;
  state?: JobState;
}

/**
 * `DeployRequest` (docs/architecture.md §3, serving).
 */
export interface IDeployRequest {
  endpointId?: string;
  endpointDisplayName?: string;
  deployedModelDisplayName?: string;
  machineType?: string;
  minReplicaCount?: number;
  maxReplicaCount?: number;
  acceleratorType?: string;
  acceleratorCount?: number;
  trafficPercentage?: number;
}

export type OperationKind =
  | 'deploy'
  | 'undeploy'
  | 'createInstance'
  | 'deleteInstance'
  | 'startInstance'
  | 'stopInstance'
  | 'resetInstance'
  | 'other';

/**
 * A long-running operation the panel polls until `done`.
 */
export interface IOperation {
  name: string;
  done: boolean;
  error: { code: number; message: string } | null;
  kind: OperationKind;
  target: string | null;
  metadata: Record<string, unknown> | null;
  result?: { deployedModelId?: string } | null;
}

/**
 * `POST /endpoints/{id}/predict`, as Vertex answers it.
 */
export interface IPrediction {
  predictions: unknown[];
  deployedModelId: string;
  model: string;
  modelDisplayName: string;
  modelVersionId: string;
}

export interface IBulkCreate {
  instances: unknown[];
  parameters?: unknown;
  concurrency?: number;
  maxRequestBytes?: number;
  maxInstancesPerRequest?: number;
}

export type BulkState = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export interface IBulkPrediction {
  id: string;
  endpointId: string;
  state: BulkState;
  total: number;
  done: number;
  requests: number;
  requestsDone: number;
  error: { message: string; reason: string } | null;
  createTime: string;
  endTime: string | null;
  deployedModelIds: string[];
  predictions: unknown[] | null;
}

export type MetricsWindow = '1h' | '6h' | '12h' | '1d' | '7d' | '30d';

export type ChartId =
  | 'predictions'
  | 'requests'
  | 'errors'
  | 'latencyTotal'
  | 'latencyModel'
  | 'responseCodes'
  | 'replicas';

export interface IChartSeries {
  label: string;
  /**
   * `[epochMillis, value]`; `null` where there is no data.
   */
  points: Array<[number, number | null]>;
}

export interface IChart {
  id: ChartId;
  title: string;
  unit: string;
  series: IChartSeries[];
}

export interface IEndpointMetrics {
  endpointId: string;
  window: MetricsWindow;
  startTime: string;
  endTime: string;
  alignmentSeconds: number;
  charts: IChart[];
}

export type InstanceState =
  | 'STATE_UNSPECIFIED'
  | 'STARTING'
  | 'PROVISIONING'
  | 'ACTIVE'
  | 'STOPPING'
  | 'STOPPED'
  | 'DELETED'
  | 'UPGRADING'
  | 'INITIALIZING'
  | 'SUSPENDING'
  | 'SUSPENDED'
  | 'DELETING'
  | 'FAILED';

export interface IDisk {
  type: string;
  sizeGb: number;
}

/**
 * A Workbench instance (Notebooks API v2).
 */
export interface IInstance {
  name: string;
  id: string;
  state: InstanceState;
  machineType: string;
  acceleratorType: string | null;
  acceleratorCount: number;
  bootDisk: IDisk;
  dataDisk: IDisk | null;
  vmImage: { project: string; family?: string; name?: string } | null;
  containerImage: { repository: string; tag?: string } | null;
  networkTags: string[];
  serviceAccount: string | null;
  labels: Record<string, string>;
  metadata: Record<string, string>;
  proxyUri: string | null;
  openUrl: string | null;
  createTime: string;
  updateTime?: string;
  creator: string | null;
  healthState: string | null;
  /**
   * Why a FAILED instance failed (e.g. its server could not start).
   */
  stateReason: string | null;
}

export interface IInstanceCreate {
  instanceId: string;
  machineType?: string;
  acceleratorType?: string;
  acceleratorCount?: number;
  installGpuDriver?: boolean;
  bootDiskType?: string;
  bootDiskSizeGb?: number;
  dataDiskType?: string;
  dataDiskSizeGb?: number;
  vmImageFamily?: string;
  containerImage?: { repository: string; tag?: string };
  postStartupScript?: string;
  metadata?: Record<string, string>;
  networkTags?: string[];
  serviceAccount?: string;
  labels?: Record<string, string>;
}

export interface IListInstancesResponse {
  instances: IInstance[];
  nextPageToken?: string;
}

/**
 * `GET /running`: everything that keeps running (and costing).
 */
export interface IRunningNow {
  instances: IInstance[];
  endpoints: IEndpoint[];
  jobs: IJob[];
  bulkPredictions: IBulkPrediction[];
}

/**
 * Query of the list routes.
 */
export interface IListOptions {
  pageSize?: number;
  pageToken?: string;
  filter?: string;
  orderBy?: string;
}

/**
 * One list of the panel (models, endpoints, ...).
 */
export interface IListState<T> {
  /**
   * The items, or `null` before the first answer.
   */
  readonly items: ReadonlyArray<T> | null;
  /**
   * The error of the last attempt, if it failed.
   */
  readonly error: VertexAPIError | null;
  /**
   * Whether a request is under way.
   */
  readonly loading: boolean;
  /**
   * Whether more items exist than were fetched.
   */
  readonly truncated: boolean;
  /**
   * When the items were last fetched.
   */
  readonly updated: Date | null;
}

/**
 * The panel's state and its polling, provided to other plugins so they can
 * read it or ask for a refresh (e.g. after they deployed a model).
 */
export interface IVertexModel {
  /**
   * The server's status, or `null` before the first answer or if it failed.
   */
  readonly status: IStatus | null;
  /**
   * Why `GET /status` failed, if it did (e.g. 503 CONFIGURATION).
   */
  readonly statusError: VertexAPIError | null;
  readonly models: IListState<IModel>;
  readonly endpoints: IListState<IEndpoint>;
  readonly jobs: IListState<IJob>;
  /**
   * Workbench instances; fetched only when the server has the `instances`
   * capability (as is "running now").
   */
  readonly instances: IListState<IInstance>;
  /**
   * What keeps running (and costing): `GET /running`.
   */
  readonly running: IRunningState;
  /**
   * Emitted whenever any of the above changes.
   */
  readonly stateChanged: ISignal<IVertexModel, void>;
  /**
   * Whether the panel is visible; polling pauses while it is not.
   */
  active: boolean;
  /**
   * Polling interval in seconds.
   */
  pollInterval: number;
  /**
   * Fetch status, models and endpoints now; resolves when done.
   */
  refresh(): Promise<void>;
  refreshModels(): Promise<void>;
  refreshEndpoints(): Promise<void>;
  refreshJobs(): Promise<void>;
  /**
   * Only jobs of this kind and state are listed (server-side); setting it
   * fetches the jobs again.
   */
  jobFilter: IJobFilter;
  refreshInstances(): Promise<void>;
  refreshRunning(): Promise<void>;
}

/**
 * The panel's "Running now" summary and how its last fetch went.
 */
export interface IRunningState {
  /**
   * The summary, or `null` before the first answer.
   */
  readonly value: IRunningNow | null;
  readonly error: VertexAPIError | null;
  readonly loading: boolean;
  readonly updated: Date | null;
}

export const IVertexModel = new Token<IVertexModel>(
  'jupyter-vertex:IVertexModel',
  'The state of the Vertex AI panel: status, models and endpoints, kept fresh by polling.'
);
