import { ServerConnection } from '@jupyterlab/services';
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
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
      'models' + Private.query(options)
    );
    return {
      models: answer?.models ?? [],
      nextPageToken: answer?.nextPageToken
    };
  }

  getModel(modelId: string): Promise<IModel> {
    return this._get<IModel>(`models/${Private.segment(modelId)}`);
  }

  getModelExample(modelId: string): Promise<IModelExample> {
    return this._get<IModelExample>(
      `models/${Private.segment(modelId)}/example`
    );
  }

  updateModel(modelId: string, patch: IVertexAPI.IPatch): Promise<IModel> {
    return this._send<IModel>(
      'PATCH',
      `models/${Private.segment(modelId)}`,
      patch
    );
  }

  async deleteModel(modelId: string): Promise<void> {
    await this._send<void>('DELETE', `models/${Private.segment(modelId)}`);
  }

  async listModelVersions(
    modelId: string,
    options: Pick<IListOptions, 'pageSize' | 'pageToken'> = {}
  ): Promise<IListModelsResponse> {
    const answer = await this._get<Partial<IListModelsResponse>>(
      `models/${Private.segment(modelId)}/versions` + Private.query(options)
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
      'endpoints' + Private.query(options)
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
    return this._get<IEndpoint>(`endpoints/${Private.segment(endpointId)}`);
  }

  updateEndpoint(
    endpointId: string,
    patch: IVertexAPI.IPatch
  ): Promise<IEndpoint> {
    return this._send<IEndpoint>(
      'PATCH',
      `endpoints/${Private.segment(endpointId)}`,
      patch
    );
  }

  async deleteEndpoint(endpointId: string): Promise<void> {
    await this._send<void>(
      'DELETE',
      `endpoints/${Private.segment(endpointId)}`
    );
  }

  async listJobs(
    options: IVertexAPI.IListJobsOptions = {}
  ): Promise<IListJobsResponse> {
    const answer = await this._get<Partial<IListJobsResponse>>(
      'jobs' + Private.query(options)
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
    return this._get<IJob>(Private.jobPath(kind, jobId));
  }

  cancelJob(kind: JobKind, jobId: string): Promise<IJob> {
    return this._send<IJob>('POST', `${Private.jobPath(kind, jobId)}/cancel`);
  }

  async deleteJob(kind: JobKind, jobId: string): Promise<void> {
    await this._send<void>('DELETE', Private.jobPath(kind, jobId));
  }

  jobLogs(
    kind: JobKind,
    jobId: string,
    options: { cursor?: string | null; pageSize?: number } = {}
  ): Promise<IJobLogs> {
    return this._get<IJobLogs>(
      `${Private.jobPath(kind, jobId)}/logs` +
        Private.query({
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
      `${Private.jobPath(kind, jobId)}/code`
    );
  }

  rerunJob(kind: JobKind, jobId: string): Promise<IJob> {
    return this._send<IJob>('POST', `${Private.jobPath(kind, jobId)}/rerun`);
  }

  rerunJobCode(
    kind: JobKind,
    jobId: string
  ): Promise<{ language: string; code: string }> {
    return this._get<{ language: string; code: string }>(
      `${Private.jobPath(kind, jobId)}/rerun/code`
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
      'training/provenance' + Private.query({ path })
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
      `models/${Private.segment(modelId)}/deploy`,
      body
    );
  }

  undeployModel(
    endpointId: string,
    deployedModelId: string
  ): Promise<IOperation> {
    return this._send<IOperation>(
      'DELETE',
      `endpoints/${Private.segment(endpointId)}/deployedModels/${Private.segment(deployedModelId)}`
    );
  }

  setTrafficSplit(
    endpointId: string,
    trafficSplit: Record<string, number>
  ): Promise<IEndpoint> {
    return this._send<IEndpoint>(
      'PUT',
      `endpoints/${Private.segment(endpointId)}/trafficSplit`,
      { trafficSplit }
    );
  }

  predict(
    endpointId: string,
    body: { instances: unknown[]; parameters?: unknown }
  ): Promise<IPrediction> {
    return this._send<IPrediction>(
      'POST',
      `endpoints/${Private.segment(endpointId)}/predict`,
      body
    );
  }

  createBulkPrediction(
    endpointId: string,
    body: IBulkCreate
  ): Promise<IBulkPrediction> {
    return this._send<IBulkPrediction>(
      'POST',
      `endpoints/${Private.segment(endpointId)}/bulkPredictions`,
      body
    );
  }

  getBulkPrediction(bulkId: string): Promise<IBulkPrediction> {
    return this._get<IBulkPrediction>(
      `bulkPredictions/${Private.segment(bulkId)}`
    );
  }

  async deleteBulkPrediction(bulkId: string): Promise<void> {
    await this._send<void>(
      'DELETE',
      `bulkPredictions/${Private.segment(bulkId)}`
    );
  }

  getOperation(name: string): Promise<IOperation> {
    return this._get<IOperation>('operations' + Private.query({ name }));
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
      `endpoints/${Private.segment(endpointId)}/metrics` +
        Private.query(options)
    );
  }

  async listInstances(
    options: Pick<IListOptions, 'pageSize' | 'pageToken'> = {}
  ): Promise<IListInstancesResponse> {
    const answer = await this._get<Partial<IListInstancesResponse>>(
      'instances' + Private.query(options)
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
    return this._get<IInstance>(`instances/${Private.segment(instanceId)}`);
  }

  deleteInstance(instanceId: string): Promise<IOperation> {
    return this._send<IOperation>(
      'DELETE',
      `instances/${Private.segment(instanceId)}`
    );
  }

  instanceAction(
    instanceId: string,
    action: 'start' | 'stop' | 'reset'
  ): Promise<IOperation> {
    return this._send<IOperation>(
      'POST',
      `instances/${Private.segment(instanceId)}/${action}`
    );
  }

  running(): Promise<IRunningNow> {
    return this._get<IRunningNow>('running');
  }

  createBatchJob(modelId: string, body: IBatchCreate): Promise<IBatchCreated> {
    const path = `models/${Private.segment(modelId)}/batchPredictionJobs`;
    return this._send<IBatchCreated>('POST', path, body);
  }

  batchJobCode(
    modelId: string,
    body: IBatchCreate
  ): Promise<{ language: string; code: string }> {
    const path = `models/${Private.segment(modelId)}/batchPredictionJobs/code`;
    return this._send('POST', path, body);
  }

  async listBatchJobs(
    options: IVertexAPI.IListJobsOptions = {}
  ): Promise<IListBatchJobsResponse> {
    const answer = await this._get<Partial<IListBatchJobsResponse>>(
      'batchPredictionJobs' + Private.query({ ...options })
    );
    return {
      batchPredictionJobs: answer?.batchPredictionJobs ?? [],
      nextPageToken: answer?.nextPageToken ?? undefined
    };
  }

  getBatchJob(batchJobId: string): Promise<IBatchJob> {
    return this._get<IBatchJob>(Private.batchPath(batchJobId));
  }

  cancelBatchJob(batchJobId: string): Promise<IBatchJob> {
    return this._send('POST', `${Private.batchPath(batchJobId)}/cancel`);
  }

  async deleteBatchJob(batchJobId: string): Promise<void> {
    await this._send<void>('DELETE', Private.batchPath(batchJobId));
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
      'pipelineJobs' + Private.query({ ...options })
    );
    return {
      pipelineJobs: answer?.pipelineJobs ?? [],
      nextPageToken: answer?.nextPageToken ?? null
    };
  }

  getPipelineJob(pipelineJobId: string): Promise<IPipelineJob> {
    return this._get<IPipelineJob>(Private.pipelinePath(pipelineJobId));
  }

  cancelPipelineJob(pipelineJobId: string): Promise<IPipelineJob> {
    return this._send('POST', `${Private.pipelinePath(pipelineJobId)}/cancel`);
  }

  async deletePipelineJob(pipelineJobId: string): Promise<void> {
    await this._send<void>('DELETE', Private.pipelinePath(pipelineJobId));
  }

  rerunPipelineJob(
    pipelineJobId: string,
    body: Omit<IPipelineRunRequest, 'path' | 'pipeline'>
  ): Promise<IPipelineJobCreated> {
    return this._send(
      'POST',
      `${Private.pipelinePath(pipelineJobId)}/rerun`,
      body
    );
  }

  batchJobResults(batchJobId: string, rows?: number): Promise<IBatchResults> {
    return this._get<IBatchResults>(
      `${Private.batchPath(batchJobId)}/results` + Private.query({ rows })
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

namespace Private {
  /**
   * The query string of list options (leading `?`, or empty).
   */
  export function query(
    options: IListOptions | Record<string, string | number | undefined>
  ): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(options)) {
      if (value !== undefined && value !== null && value !== '') {
        params.set(key, String(value));
      }
    }
    const text = params.toString();
    return text ? `?${text}` : '';
  }

  /**
   * One path segment; keeps `@` of `123@2` (model version ids) readable.
   */
  export function segment(id: string): string {
    return encodeURIComponent(id).replace(/%40/g, '@');
  }

  export function batchPath(batchJobId: string): string {
    return `batchPredictionJobs/${encodeURIComponent(batchJobId)}`;
  }

  export function pipelinePath(pipelineJobId: string): string {
    return `pipelineJobs/${encodeURIComponent(pipelineJobId)}`;
  }

  export function jobPath(kind: JobKind, jobId: string): string {
    return `jobs/${encodeURIComponent(kind)}/${encodeURIComponent(jobId)}`;
  }
}
