import * as paths from './paths';
import { PipelinesClient } from './pipelinesClient';
import type { RequestClient } from './requestClient';
import { IVertexAPI } from './vertexAPI';
import {
  IArtifactCopy,
  IBatchCreate,
  IBatchCreated,
  IBatchJob,
  IBatchResults,
  IListBatchJobsResponse,
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
export class VertexClient extends PipelinesClient implements IVertexAPI {
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

  batchJobResults(batchJobId: string, rows?: number): Promise<IBatchResults> {
    return this._get<IBatchResults>(
      `${paths.batchPath(batchJobId)}/results` + paths.query({ rows })
    );
  }
}

export namespace VertexClient {
  export type IOptions = RequestClient.IOptions;
}
