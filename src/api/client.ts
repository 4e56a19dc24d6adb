import { ServerConnection } from '@jupyterlab/services';
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import * as paths from './paths';
import { requestAPI } from './request';
import { IVertexAPI } from './vertexAPI';
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
  JobKind
} from './types';

/**
 * The client of the server extension's REST API.
 */
export class VertexClient implements IVertexAPI {
  constructor(options: VertexClient.IOptions = {}) {
    this.serverSettings =
      options.serverSettings ?? ServerConnection.makeSettings();
    this._trans = (options.translator ?? nullTranslator).load('jupyter_vertex');
  }

  readonly serverSettings: ServerConnection.ISettings;

  status(): Promise<IStatus> {
    return this._get<IStatus>('status');
  }

  async listModels(options: IListOptions = {}): Promise<IListModelsResponse> {
    const answer = await this._get<Partial<IListModelsResponse>>(
      'models' + paths.query(options)
    );
    return {
      models: answer?.models ?? [],
      nextPageToken: answer?.nextPageToken
    };
  }

  getModel(modelId: string): Promise<IModel> {
    return this._get<IModel>(`models/${paths.segment(modelId)}`);
  }

  getModelExample(modelId: string): Promise<IModelExample> {
    return this._get<IModelExample>(`models/${paths.segment(modelId)}/example`);
  }

  updateModel(modelId: string, patch: IVertexAPI.IPatch): Promise<IModel> {
    return this._send<IModel>(
      'PATCH',
      `models/${paths.segment(modelId)}`,
      patch
    );
  }

  async deleteModel(modelId: string): Promise<void> {
    await this._send<void>('DELETE', `models/${paths.segment(modelId)}`);
  }

  async listModelVersions(
    modelId: string,
    options: Pick<IListOptions, 'pageSize' | 'pageToken'> = {}
  ): Promise<IListModelsResponse> {
    const answer = await this._get<Partial<IListModelsResponse>>(
      `models/${paths.segment(modelId)}/versions` + paths.query(options)
    );
    return {
      models: answer?.models ?? [],
      nextPageToken: answer?.nextPageToken
    };
  }

  async listEndpoints(
    options: IListOptions = {}
  ): Promise<IListEndpointsResponse> {
    const answer = await this._get<Partial<IListEndpointsResponse>>(
      'endpoints' + paths.query(options)
    );
    return {
      endpoints: answer?.endpoints ?? [],
      nextPageToken: answer?.nextPageToken
    };
  }

  createEndpoint(body: IVertexAPI.ICreateEndpoint): Promise<IEndpoint> {
    return this._send<IEndpoint>('POST', 'endpoints', body);
  }

  getEndpoint(endpointId: string): Promise<IEndpoint> {
    return this._get<IEndpoint>(`endpoints/${paths.segment(endpointId)}`);
  }

  updateEndpoint(
    endpointId: string,
    patch: IVertexAPI.IPatch
  ): Promise<IEndpoint> {
    return this._send<IEndpoint>(
      'PATCH',
      `endpoints/${paths.segment(endpointId)}`,
      patch
    );
  }

  async deleteEndpoint(endpointId: string): Promise<void> {
    await this._send<void>('DELETE', `endpoints/${paths.segment(endpointId)}`);
  }

  async listJobs(
    options: IVertexAPI.IListJobsOptions = {}
  ): Promise<IListJobsResponse> {
    const answer = await this._get<Partial<IListJobsResponse>>(
      'jobs' + paths.query(options)
    );
    return {
      jobs: answer?.jobs ?? [],
      nextPageToken: answer?.nextPageToken ?? undefined
    };
  }

  createJob(body: ITrainingCreate): Promise<IJob> {
    return this._send<IJob>('POST', 'jobs', body);
  }

  getJob(kind: JobKind, jobId: string): Promise<IJob> {
    return this._get<IJob>(paths.jobPath(kind, jobId));
  }

  cancelJob(kind: JobKind, jobId: string): Promise<IJob> {
    return this._send<IJob>('POST', `${paths.jobPath(kind, jobId)}/cancel`);
  }

  async deleteJob(kind: JobKind, jobId: string): Promise<void> {
    await this._send<void>('DELETE', paths.jobPath(kind, jobId));
  }

  jobLogs(
    kind: JobKind,
    jobId: string,
    options: { cursor?: string | null; pageSize?: number } = {}
  ): Promise<IJobLogs> {
    return this._get<IJobLogs>(
      `${paths.jobPath(kind, jobId)}/logs` +
        paths.query({
          cursor: options.cursor ?? undefined,
          pageSize: options.pageSize
        })
    );
  }

  jobCode(
    kind: JobKind,
    jobId: string
  ): Promise<{ language: string; code: string }> {
    return this._get<{ language: string; code: string }>(
      `${paths.jobPath(kind, jobId)}/code`
    );
  }

  rerunJob(kind: JobKind, jobId: string): Promise<IJob> {
    return this._send<IJob>('POST', `${paths.jobPath(kind, jobId)}/rerun`);
  }

  rerunJobCode(
    kind: JobKind,
    jobId: string
  ): Promise<{ language: string; code: string }> {
    return this._get<{ language: string; code: string }>(
      `${paths.jobPath(kind, jobId)}/rerun/code`
    );
  }

  openArtifact(uri: string): Promise<IArtifactCopy> {
    return this._send<IArtifactCopy>('POST', 'artifacts/open', { uri });
  }

  trainingOptions(): Promise<ITrainingOptions> {
    return this._get<ITrainingOptions>('training/options');
  }

  trainingProvenance(path: string): Promise<ITrainingProvenance> {
    return this._get<ITrainingProvenance>(
      'training/provenance' + paths.query({ path })
    );
  }

  trainingCode(
    body: ITrainingCreate
  ): Promise<{ language: string; code: string }> {
    return this._send<{ language: string; code: string }>(
      'POST',
      'training/code',
      body
    );
  }

  deployModel(modelId: string, body: IDeployRequest): Promise<IOperation> {
    return this._send<IOperation>(
      'POST',
      `models/${paths.segment(modelId)}/deploy`,
      body
    );
  }

  undeployModel(
    endpointId: string,
    deployedModelId: string
  ): Promise<IOperation> {
    return this._send<IOperation>(
      'DELETE',
      `endpoints/${paths.segment(endpointId)}/deployedModels/${paths.segment(deployedModelId)}`
    );
  }

  setTrafficSplit(
    endpointId: string,
    trafficSplit: Record<string, number>
  ): Promise<IEndpoint> {
    return this._send<IEndpoint>(
      'PUT',
      `endpoints/${paths.segment(endpointId)}/trafficSplit`,
      { trafficSplit }
    );
  }

  predict(
    endpointId: string,
    body: { instances: unknown[]; parameters?: unknown }
  ): Promise<IPrediction> {
    return this._send<IPrediction>(
      'POST',
      `endpoints/${paths.segment(endpointId)}/predict`,
      body
    );
  }

  createBulkPrediction(
    endpointId: string,
    body: IBulkCreate
  ): Promise<IBulkPrediction> {
    return this._send<IBulkPrediction>(
      'POST',
      `endpoints/${paths.segment(endpointId)}/bulkPredictions`,
      body
    );
  }

  getBulkPrediction(bulkId: string): Promise<IBulkPrediction> {
    return this._get<IBulkPrediction>(
      `bulkPredictions/${paths.segment(bulkId)}`
    );
  }

  async deleteBulkPrediction(bulkId: string): Promise<void> {
    await this._send<void>(
      'DELETE',
      `bulkPredictions/${paths.segment(bulkId)}`
    );
  }

  getOperation(name: string): Promise<IOperation> {
    return this._get<IOperation>('operations' + paths.query({ name }));
  }

  deployCode(
    modelId: string,
    body: IDeployRequest
  ): Promise<{ language: string; code: string }> {
    return this._send<{ language: string; code: string }>(
      'POST',
      'code/deploy',
      { ...body, modelId }
    );
  }

  predictCode(body: {
    endpointId: string;
    instances?: unknown[];
    bulk?: boolean;
  }): Promise<{ language: string; code: string }> {
    return this._send<{ language: string; code: string }>(
      'POST',
      'code/predict',
      body
    );
  }

  endpointMetrics(
    endpointId: string,
    options: { window?: MetricsWindow; deployedModelId?: string } = {}
  ): Promise<IEndpointMetrics> {
    return this._get<IEndpointMetrics>(
      `endpoints/${paths.segment(endpointId)}/metrics` + paths.query(options)
    );
  }

  async listInstances(
    options: Pick<IListOptions, 'pageSize' | 'pageToken'> = {}
  ): Promise<IListInstancesResponse> {
    const answer = await this._get<Partial<IListInstancesResponse>>(
      'instances' + paths.query(options)
    );
    return {
      instances: answer?.instances ?? [],
      nextPageToken: answer?.nextPageToken ?? undefined
    };
  }

  createInstance(body: IInstanceCreate): Promise<IOperation> {
    return this._send<IOperation>('POST', 'instances', body);
  }

  getInstance(instanceId: string): Promise<IInstance> {
    return this._get<IInstance>(`instances/${paths.segment(instanceId)}`);
  }

  deleteInstance(instanceId: string): Promise<IOperation> {
    return this._send<IOperation>(
      'DELETE',
      `instances/${paths.segment(instanceId)}`
    );
  }

  instanceAction(
    instanceId: string,
    action: 'start' | 'stop' | 'reset'
  ): Promise<IOperation> {
    return this._send<IOperation>(
      'POST',
      `instances/${paths.segment(instanceId)}/${action}`
    );
  }

  running(): Promise<IRunningNow> {
    return this._get<IRunningNow>('running');
  }

  createBatchJob(modelId: string, body: IBatchCreate): Promise<IBatchCreated> {
    const path = `models/${paths.segment(modelId)}/batchPredictionJobs`;
    return this._send<IBatchCreated>('POST', path, body);
  }

  batchJobCode(
    modelId: string,
    body: IBatchCreate
  ): Promise<{ language: string; code: string }> {
    const path = `models/${paths.segment(modelId)}/batchPredictionJobs/code`;
    return this._send('POST', path, body);
  }

  async listBatchJobs(
    options: IVertexAPI.IListJobsOptions = {}
  ): Promise<IListBatchJobsResponse> {
    const answer = await this._get<Partial<IListBatchJobsResponse>>(
      'batchPredictionJobs' + paths.query({ ...options })
    );
    return {
      batchPredictionJobs: answer?.batchPredictionJobs ?? [],
      nextPageToken: answer?.nextPageToken ?? undefined
    };
  }

  getBatchJob(batchJobId: string): Promise<IBatchJob> {
    return this._get<IBatchJob>(paths.batchPath(batchJobId));
  }

  cancelBatchJob(batchJobId: string): Promise<IBatchJob> {
    return this._send('POST', `${paths.batchPath(batchJobId)}/cancel`);
  }

  async deleteBatchJob(batchJobId: string): Promise<void> {
    await this._send<void>('DELETE', paths.batchPath(batchJobId));
  }

  previewPipeline(body: IPipelineRunRequest): Promise<IPipelinePreview> {
    return this._send<IPipelinePreview>('POST', 'pipelines/preview', body);
  }

  createPipelineJob(body: IPipelineRunRequest): Promise<IPipelineJobCreated> {
    return this._send<IPipelineJobCreated>('POST', 'pipelineJobs', body);
  }

  async listPipelineJobs(
    options: IVertexAPI.IListJobsOptions = {}
  ): Promise<IListPipelineJobsResponse> {
    const answer = await this._get<Partial<IListPipelineJobsResponse>>(
      'pipelineJobs' + paths.query({ ...options })
    );
    return {
      pipelineJobs: answer?.pipelineJobs ?? [],
      nextPageToken: answer?.nextPageToken ?? null
    };
  }

  getPipelineJob(pipelineJobId: string): Promise<IPipelineJob> {
    return this._get<IPipelineJob>(paths.pipelinePath(pipelineJobId));
  }

  cancelPipelineJob(pipelineJobId: string): Promise<IPipelineJob> {
    return this._send('POST', `${paths.pipelinePath(pipelineJobId)}/cancel`);
  }

  async deletePipelineJob(pipelineJobId: string): Promise<void> {
    await this._send<void>('DELETE', paths.pipelinePath(pipelineJobId));
  }

  rerunPipelineJob(
    pipelineJobId: string,
    body: Omit<IPipelineRunRequest, 'path' | 'pipeline'>
  ): Promise<IPipelineJobCreated> {
    return this._send(
      'POST',
      `${paths.pipelinePath(pipelineJobId)}/rerun`,
      body
    );
  }

  async listPipelineSchedules(
    options: Pick<IVertexAPI.IListJobsOptions, 'pageSize' | 'pageToken'> = {}
  ): Promise<IListPipelineSchedulesResponse> {
    const answer = await this._get<Partial<IListPipelineSchedulesResponse>>(
      'pipelineSchedules' + paths.query({ ...options })
    );
    return {
      schedules: answer?.schedules ?? [],
      nextPageToken: answer?.nextPageToken ?? null
    };
  }

  pausePipelineSchedule(scheduleId: string): Promise<IPipelineSchedule> {
    return this._send('POST', `${paths.schedulePath(scheduleId)}/pause`);
  }

  resumePipelineSchedule(
    scheduleId: string,
    catchUp = false
  ): Promise<IPipelineSchedule> {
    return this._send('POST', `${paths.schedulePath(scheduleId)}/resume`, {
      catchUp
    });
  }

  async deletePipelineSchedule(scheduleId: string): Promise<void> {
    await this._send<void>('DELETE', paths.schedulePath(scheduleId));
  }

  batchJobResults(batchJobId: string, rows?: number): Promise<IBatchResults> {
    return this._get<IBatchResults>(
      `${paths.batchPath(batchJobId)}/results` + paths.query({ rows })
    );
  }

  private _get<T>(path: string): Promise<T> {
    return requestAPI<T>(
      path,
      { method: 'GET' },
      { serverSettings: this.serverSettings, trans: this._trans }
    );
  }

  private _send<T>(method: string, path: string, body?: unknown): Promise<T> {
    const init: RequestInit = { method };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { 'Content-Type': 'application/json' };
    }
    return requestAPI<T>(path, init, {
      serverSettings: this.serverSettings,
      trans: this._trans
    });
  }

  private _trans: TranslationBundle;
}

export namespace VertexClient {
  export interface IOptions {
    serverSettings?: ServerConnection.ISettings;
    translator?: ITranslator;
  }
}
