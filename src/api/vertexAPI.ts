import { Token } from '@lumino/coreutils';
import {
  IArtifactCopy,
  IBatchCreate,
  IBatchCreated,
  IBatchJob,
  IBatchResults,
  IListBatchJobsResponse,
  IListPipelineJobsResponse,
  IListPipelineSchedulesResponse,
  IPipelineSchedule,
  IPipelineJob,
  IPipelineJobCreated,
  IPipelinePreview,
  IPipelineRunRequest,
  IBulkCreate,
  IBulkPrediction,
  IDeployRequest,
  IEndpoint,
  IEndpointMetrics,
  IInstance,
  IInstanceCreate,
  IListInstancesResponse,
  IOperation,
  IPrediction,
  IRunningNow,
  MetricsWindow,
  IJob,
  IJobLogs,
  IListEndpointsResponse,
  IListJobsResponse,
  IListModelsResponse,
  IListOptions,
  IModel,
  IModelExample,
  IStatus,
  ITrainingCreate,
  ITrainingOptions,
  ITrainingProvenance,
  JobKind,
  JobState
} from './types';

/**
 * The jupyter_vertex REST API (docs/architecture.md §3), typed.
 *
 * Every method rejects with a `VertexAPIError` on failure.
 */
export interface IVertexAPI {
  status(): Promise<IStatus>;
  listModels(options?: IListOptions): Promise<IListModelsResponse>;
  getModel(modelId: string): Promise<IModel>;
  getModelExample(modelId: string): Promise<IModelExample>;
  updateModel(modelId: string, patch: IVertexAPI.IPatch): Promise<IModel>;
  deleteModel(modelId: string): Promise<void>;
  listModelVersions(
    modelId: string,
    options?: Pick<IListOptions, 'pageSize' | 'pageToken'>
  ): Promise<IListModelsResponse>;
  listEndpoints(options?: IListOptions): Promise<IListEndpointsResponse>;
  createEndpoint(body: IVertexAPI.ICreateEndpoint): Promise<IEndpoint>;
  getEndpoint(endpointId: string): Promise<IEndpoint>;
  updateEndpoint(
    endpointId: string,
    patch: IVertexAPI.IPatch
  ): Promise<IEndpoint>;
  deleteEndpoint(endpointId: string): Promise<void>;
  listJobs(options?: IVertexAPI.IListJobsOptions): Promise<IListJobsResponse>;
  createJob(body: ITrainingCreate): Promise<IJob>;
  getJob(kind: JobKind, jobId: string): Promise<IJob>;
  cancelJob(kind: JobKind, jobId: string): Promise<IJob>;
  deleteJob(kind: JobKind, jobId: string): Promise<void>;
  jobLogs(
    kind: JobKind,
    jobId: string,
    options?: { cursor?: string | null; pageSize?: number }
  ): Promise<IJobLogs>;
  jobCode(
    kind: JobKind,
    jobId: string
  ): Promise<{ language: string; code: string }>;
  /**
   * Train again from the job's clean commit (the committed tree).
   */
  rerunJob(kind: JobKind, jobId: string): Promise<IJob>;
  rerunJobCode(
    kind: JobKind,
    jobId: string
  ): Promise<{ language: string; code: string }>;
  /**
   * Copy a `gs://` object or folder into the Jupyter root.
   */
  openArtifact(uri: string): Promise<IArtifactCopy>;

  // The Train dialog (read-only: nothing is created)
  trainingOptions(): Promise<ITrainingOptions>;
  trainingProvenance(path: string): Promise<ITrainingProvenance>;
  trainingCode(
    body: ITrainingCreate
  ): Promise<{ language: string; code: string }>;

  // Serving (docs/architecture.md §3, serving)
  deployModel(modelId: string, body: IDeployRequest): Promise<IOperation>;
  undeployModel(
    endpointId: string,
    deployedModelId: string
  ): Promise<IOperation>;
  setTrafficSplit(
    endpointId: string,
    trafficSplit: Record<string, number>
  ): Promise<IEndpoint>;
  predict(
    endpointId: string,
    body: { instances: unknown[]; parameters?: unknown }
  ): Promise<IPrediction>;
  createBulkPrediction(
    endpointId: string,
    body: IBulkCreate
  ): Promise<IBulkPrediction>;
  getBulkPrediction(bulkId: string): Promise<IBulkPrediction>;
  deleteBulkPrediction(bulkId: string): Promise<void>;
  getOperation(name: string): Promise<IOperation>;
  deployCode(
    modelId: string,
    body: IDeployRequest
  ): Promise<{ language: string; code: string }>;
  predictCode(body: {
    endpointId: string;
    instances?: unknown[];
    bulk?: boolean;
  }): Promise<{ language: string; code: string }>;
  endpointMetrics(
    endpointId: string,
    options?: { window?: MetricsWindow; deployedModelId?: string }
  ): Promise<IEndpointMetrics>;

  // Workbench instances
  listInstances(
    options?: Pick<IListOptions, 'pageSize' | 'pageToken'>
  ): Promise<IListInstancesResponse>;
  createInstance(body: IInstanceCreate): Promise<IOperation>;
  getInstance(instanceId: string): Promise<IInstance>;
  deleteInstance(instanceId: string): Promise<IOperation>;
  instanceAction(
    instanceId: string,
    action: 'start' | 'stop' | 'reset'
  ): Promise<IOperation>;
  running(): Promise<IRunningNow>;

  // Batch prediction jobs
  createBatchJob(modelId: string, body: IBatchCreate): Promise<IBatchCreated>;
  batchJobCode(
    modelId: string,
    body: IBatchCreate
  ): Promise<{ language: string; code: string }>;
  listBatchJobs(
    options?: Pick<
      IVertexAPI.IListJobsOptions,
      'state' | 'pageSize' | 'pageToken'
    >
  ): Promise<IListBatchJobsResponse>;
  getBatchJob(batchJobId: string): Promise<IBatchJob>;
  cancelBatchJob(batchJobId: string): Promise<IBatchJob>;
  deleteBatchJob(batchJobId: string): Promise<void>;
  /**
   * The first `rows` rows of the predictions and errors (409 before the job
   * has an output directory).
   */
  batchJobResults(batchJobId: string, rows?: number): Promise<IBatchResults>;

  // Vertex AI Pipelines
  previewPipeline(body: IPipelineRunRequest): Promise<IPipelinePreview>;
  createPipelineJob(body: IPipelineRunRequest): Promise<IPipelineJobCreated>;
  listPipelineJobs(
    options?: Pick<
      IVertexAPI.IListJobsOptions,
      'state' | 'pageSize' | 'pageToken'
    >
  ): Promise<IListPipelineJobsResponse>;
  getPipelineJob(pipelineJobId: string): Promise<IPipelineJob>;
  cancelPipelineJob(pipelineJobId: string): Promise<IPipelineJob>;
  deletePipelineJob(pipelineJobId: string): Promise<void>;
  /**
   * A new run of the job's own pipeline, with other values if given.
   */
  rerunPipelineJob(
    pipelineJobId: string,
    body: Omit<IPipelineRunRequest, 'path' | 'pipeline'>
  ): Promise<IPipelineJobCreated>;
  /**
   * Schedules of pipeline runs (made with the SDK), newest first.
   */
  listPipelineSchedules(
    options?: Pick<IVertexAPI.IListJobsOptions, 'pageSize' | 'pageToken'>
  ): Promise<IListPipelineSchedulesResponse>;
  pausePipelineSchedule(scheduleId: string): Promise<IPipelineSchedule>;
  /**
   * With `catchUp` the runs missed while paused run first.
   */
  resumePipelineSchedule(
    scheduleId: string,
    catchUp?: boolean
  ): Promise<IPipelineSchedule>;
  deletePipelineSchedule(scheduleId: string): Promise<void>;
}

export namespace IVertexAPI {
  export interface IPatch {
    displayName?: string;
    description?: string;
    labels?: Record<string, string>;
  }

  export interface ICreateEndpoint extends IPatch {
    displayName: string;
  }

  export interface IListJobsOptions {
    kind?: JobKind;
    state?: JobState;
    pageSize?: number;
    pageToken?: string;
  }
}

/**
 * The one client of the REST API, provided by the `jupyter-vertex:api`
 * plugin; every other plugin requires it instead of making its own.
 */
export const IVertexAPI = new Token<IVertexAPI>(
  'jupyter-vertex:IVertexAPI',
  'The client of the jupyter_vertex REST API (status, jobs, models, endpoints, instances).'
);
