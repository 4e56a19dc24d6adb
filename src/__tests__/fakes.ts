import { showDialog } from '@jupyterlab/apputils';
import { ServerConnection } from '@jupyterlab/services';
import { nullTranslator } from '@jupyterlab/translation';
import { IVertexAPI } from '../api/vertexAPI';
import { VertexAPIError } from '../api/request';
import {
  IArtifactCopy,
  IBulkPrediction,
  IEndpoint,
  IEndpointMetrics,
  IInstance,
  IJob,
  IJobLogs,
  ILogEntry,
  IModel,
  IModelExample,
  IOperation,
  IPrediction,
  IRunningNow,
  IStatus,
  ITrainingOptions,
  ITrainingProvenance
} from '../api/types';
import { IListState } from '../model/tokens';
import { makeBatchJob, makeBatchResults } from './batch';
import { FakePipelineSchedules, makePipelineJob } from './pipelines';

export { makeBatchJob, makeBatchResults, makePipelineJob };

/**
 * The bundle the widgets get in the specs (English, no translation).
 */
export const trans = nullTranslator.load('jupyter_vertex');

/**
 * `showDialog` as a spec that mocks `@jupyterlab/apputils` sees it; the
 * `jest.mock` call itself stays in the spec, where Jest hoists it above the
 * imports (this module then gets the mock too).
 */
export const mockedShowDialog = showDialog as jest.MockedFunction<
  typeof showDialog
>;

/**
 * A loaded list (not loading, no error, not truncated) of these items;
 * `null`: not loaded yet.
 */
export function listState<T>(items: T[] | null): IListState<T> {
  return {
    items,
    error: null,
    loading: false,
    truncated: false,
    updated: new Date()
  };
}

/**
 * What the mocked `showDialog` resolves to: accepted or not, with a value.
 */
export function dialogAnswer(
  accept: boolean,
  value: unknown = null
): Awaited<ReturnType<typeof showDialog>> {
  return {
    button: { accept, label: accept ? 'OK' : 'Cancel' },
    value,
    isChecked: null
  } as unknown as Awaited<ReturnType<typeof showDialog>>;
}

/**
 * A part of the server's machine table (`GET /training/options`): a machine
 * that takes GPUs, one that takes none, one that needs its own.
 */
export const MACHINE_TABLE: ITrainingOptions['machineTypes'] = [
  {
    machineType: 'n1-standard-4',
    acceleratorTypes: [
      'NVIDIA_TESLA_T4',
      'NVIDIA_TESLA_V100',
      'NVIDIA_TESLA_P100',
      'NVIDIA_TESLA_P4'
    ],
    acceleratorCounts: [1, 2, 4, 8],
    acceleratorRequired: false
  },
  {
    machineType: 'e2-standard-4',
    acceleratorTypes: [],
    acceleratorCounts: [],
    acceleratorRequired: false
  },
  {
    machineType: 'a2-highgpu-2g',
    acceleratorTypes: ['NVIDIA_TESLA_A100'],
    acceleratorCounts: [2],
    acceleratorRequired: true
  }
];

export const LOCAL_STATUS: IStatus = {
  backend: 'local',
  project: 'local-project',
  region: 'us-central1',
  account: 'local-user',
  capabilities: ['models', 'endpoints', 'training'],
  emulator: { state: 'running', url: 'http://127.0.0.1:41000' }
};

export function makeModel(overrides: Partial<IModel> = {}): IModel {
  const id = overrides.id ?? '1234';
  return {
    name: `projects/local-project/locations/us-central1/models/${id}`,
    id,
    displayName: 'digits-classifier',
    description: '',
    versionId: '1',
    versionAliases: ['default'],
    versionCreateTime: '2024-05-01T10:00:00Z',
    versionUpdateTime: '2024-05-01T10:00:00Z',
    createTime: '2024-05-01T10:00:00Z',
    updateTime: '2024-05-01T10:00:00Z',
    labels: {},
    artifactUri: 'gs://bucket/digits',
    containerImageUri:
      'us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest',
    framework: 'sklearn',
    deployedModels: [],
    etag: 'e1',
    ...overrides
  };
}

export function makeEndpoint(overrides: Partial<IEndpoint> = {}): IEndpoint {
  const id = overrides.id ?? '5678';
  return {
    name: `projects/local-project/locations/us-central1/endpoints/${id}`,
    id,
    displayName: 'digits-endpoint',
    description: '',
    labels: {},
    createTime: '2024-05-01T11:00:00Z',
    updateTime: '2024-05-01T11:00:00Z',
    etag: 'e2',
    deployedModels: [],
    trafficSplit: {},
    ...overrides
  };
}

export const CONFIGURATION_ERROR = new VertexAPIError({
  message: 'No Google Cloud project is set.',
  reason: 'CONFIGURATION',
  hint: 'Set `c.VertexApp.project` or the GOOGLE_CLOUD_PROJECT environment variable.',
  status: 503
});

/**
 * An `IVertexAPI` answering from memory; every method is a jest mock.
 */
export class FakeAPI extends FakePipelineSchedules implements IVertexAPI {
  statusAnswer: IStatus | VertexAPIError = LOCAL_STATUS;
  models: IModel[] = [];
  endpoints: IEndpoint[] = [];
  listError: VertexAPIError | null = null;

  status = jest.fn(async () => {
    if (this.statusAnswer instanceof VertexAPIError) {
      throw this.statusAnswer;
    }
    return this.statusAnswer;
  });
  listModels = jest.fn(async () => {
    if (this.listError) {
      throw this.listError;
    }
    return { models: [...this.models] };
  });
  listEndpoints = jest.fn(async () => {
    if (this.listError) {
      throw this.listError;
    }
    return { endpoints: [...this.endpoints] };
  });
  getModel = jest.fn(async (id: string) => this.models[0]);
  getModelExample = jest.fn(async (id: string): Promise<IModelExample> => ({
    instances: null,
    source: null,
    uri: null,
    note: null
  }));
  updateModel = jest.fn(async () => this.models[0]);
  deleteModel = jest.fn(async () => undefined);
  listModelVersions = jest.fn(async () => ({ models: [] }));
  createEndpoint = jest.fn(async () => this.endpoints[0]);
  getEndpoint = jest.fn(async () => this.endpoints[0]);
  updateEndpoint = jest.fn(async () => this.endpoints[0]);
  deleteEndpoint = jest.fn(async () => undefined);
  jobs: IJob[] = [];
  logPages: IJobLogs[] = [];
  listJobs = jest.fn(async () => {
    if (this.listError) {
      throw this.listError;
    }
    return { jobs: [...this.jobs], nextPageToken: null };
  });
  createJob = jest.fn(async () => this.jobs[0]);
  getJob = jest.fn(async (kind: string, id: string) => {
    const job = this.jobs.find(j => j.id === id);
    if (!job) {
      throw new VertexAPIError({
        message: 'not found',
        reason: 'NOT_FOUND',
        status: 404
      });
    }
    return job;
  });
  cancelJob = jest.fn(async () => this.jobs[0]);
  deleteJob = jest.fn(async () => undefined);
  jobLogs = jest.fn(
    async (
      kind: string,
      id: string,
      options?: { cursor?: string | null }
    ): Promise<IJobLogs> => {
      const page = this.logPages.shift();
      return (
        page ?? {
          entries: [],
          cursor: options?.cursor ?? null,
          state: 'SUCCEEDED'
        }
      );
    }
  );
  jobCode = jest.fn(async () => ({ language: 'python', code: 'print(1)' }));
  rerunJob = jest.fn(async () => this.jobs[0]);
  rerunJobCode = jest.fn(async () => ({
    language: 'python',
    code: 'git archive'
  }));
  openArtifact = jest.fn(async (uri: string): Promise<IArtifactCopy> => ({
    uri,
    path: 'vertex-artifacts/b/' + uri.split('/').slice(3).join('/'),
    kind: uri.endsWith('.ipynb') ? 'notebook' : 'directory',
    files: 1,
    bytes: 10
  }));
  // The Train dialog: tests that use it set `trainingOptionsAnswer`.
  trainingOptionsAnswer: ITrainingOptions | null = null;
  trainingOptions = jest.fn(async (): Promise<ITrainingOptions> => {
    if (!this.trainingOptionsAnswer) {
      throw new VertexAPIError({
        message: 'no options',
        reason: 'NOT_FOUND',
        status: 404
      });
    }
    return this.trainingOptionsAnswer;
  });
  trainingProvenance = jest.fn(
    async (path: string): Promise<ITrainingProvenance> => ({
      path,
      kind: 'script',
      git: null
    })
  );
  trainingCode = jest.fn(async () => ({
    language: 'python',
    code: 'job.run()'
  }));

  // Serving, metrics, instances: tests that use them set their answers.
  operation: IOperation = {
    name: 'projects/123/locations/us-central1/operations/1',
    done: true,
    error: null,
    kind: 'other',
    target: null,
    metadata: null
  };
  deployModel = jest.fn(async () => this.operation);
  undeployModel = jest.fn(async () => this.operation);
  setTrafficSplit = jest.fn(async () => this.endpoints[0]);
  predict = jest.fn(async (): Promise<IPrediction> => ({
    predictions: [],
    deployedModelId: '1',
    model: 'projects/123/locations/us-central1/models/1234',
    modelDisplayName: 'digits-classifier',
    modelVersionId: '1'
  }));
  createBulkPrediction = jest.fn(
    async (): Promise<IBulkPrediction> => this.bulk
  );
  getBulkPrediction = jest.fn(async (): Promise<IBulkPrediction> => this.bulk);
  deleteBulkPrediction = jest.fn(async () => undefined);
  bulk: IBulkPrediction = {
    id: 'b1',
    endpointId: '5678',
    state: 'SUCCEEDED',
    total: 0,
    done: 0,
    requests: 0,
    requestsDone: 0,
    error: null,
    createTime: '2024-05-01T11:00:00Z',
    endTime: '2024-05-01T11:00:01Z',
    deployedModelIds: [],
    predictions: []
  };
  getOperation = jest.fn(async () => this.operation);
  deployCode = jest.fn(async () => ({ language: 'python', code: 'deploy()' }));
  predictCode = jest.fn(async () => ({
    language: 'python',
    code: 'predict()'
  }));
  metrics: IEndpointMetrics | null = null;
  endpointMetrics = jest.fn(async (): Promise<IEndpointMetrics> => {
    if (!this.metrics) {
      throw new VertexAPIError({
        message: 'no metrics',
        reason: 'NOT_FOUND',
        status: 404
      });
    }
    return this.metrics;
  });
  instances: IInstance[] = [];
  listInstances = jest.fn(async () => ({ instances: [...this.instances] }));
  createInstance = jest.fn(async () => this.operation);
  getInstance = jest.fn(async () => this.instances[0]);
  deleteInstance = jest.fn(async () => this.operation);
  instanceAction = jest.fn(async () => this.operation);
  running = jest.fn(async (): Promise<IRunningNow> => ({
    instances: this.instances,
    endpoints: [],
    jobs: [],
    bulkPredictions: []
  }));
  batchJobs: ReturnType<typeof makeBatchJob>[] = [];
  batchResults = makeBatchResults();
  createBatchJob = jest.fn(async () => ({
    job: this.batchJobs[0] ?? makeBatchJob(),
    code: 'model.batch_predict()'
  }));
  batchJobCode = jest.fn(async () => ({
    language: 'python',
    code: 'model.batch_predict(...)'
  }));
  listBatchJobs = jest.fn(async () => ({
    batchPredictionJobs: [...this.batchJobs]
  }));
  getBatchJob = jest.fn(async (id: string) => {
    const job = this.batchJobs.find(item => item.id === id);
    if (!job) {
      throw new VertexAPIError({
        message: `no batch job ${id}`,
        reason: 'NOT_FOUND',
        status: 404
      });
    }
    return job;
  });
  cancelBatchJob = jest.fn(async (id: string) => ({
    ...(this.batchJobs.find(item => item.id === id) ?? makeBatchJob()),
    state: 'CANCELLING' as const
  }));
  deleteBatchJob = jest.fn(async () => undefined);
  batchJobResults = jest.fn(async () => this.batchResults);

  pipelineJobs: ReturnType<typeof makePipelineJob>[] = [];
  previewPipeline = jest.fn(async (body: { path: string }) => ({
    path: body.path,
    pipelineName: 'flow',
    pipelines: [],
    pipeline: null,
    parameters: makePipelineJob().parameters ?? [],
    pipelineRoot: 'gs://staging/pipeline-root',
    code: 'aiplatform.PipelineJob(...).submit()'
  }));
  createPipelineJob = jest.fn(async () => ({
    job: this.pipelineJobs[0] ?? makePipelineJob(),
    code: 'aiplatform.PipelineJob(...).submit()'
  }));
  listPipelineJobs = jest.fn(async () => ({
    pipelineJobs: [...this.pipelineJobs],
    nextPageToken: null
  }));
  getPipelineJob = jest.fn(async (id: string) => {
    const job = this.pipelineJobs.find(item => item.id === id);
    if (!job) {
      throw new VertexAPIError({
        message: `no pipeline job ${id}`,
        reason: 'NOT_FOUND',
        status: 404
      });
    }
    return job;
  });
  cancelPipelineJob = jest.fn(async (id: string) => ({
    ...(this.pipelineJobs.find(item => item.id === id) ?? makePipelineJob()),
    state: 'CANCELLING' as const
  }));
  deletePipelineJob = jest.fn(async () => undefined);
  rerunPipelineJob = jest.fn(async () => ({
    job: makePipelineJob({}, { id: 'flow-2' })
  }));
}

export function makeJob(overrides: Partial<IJob> = {}): IJob {
  const id = overrides.id ?? '111';
  const kind = overrides.kind ?? 'customJob';
  return {
    name: `projects/123/locations/us-central1/${
      kind === 'customJob' ? 'customJobs' : 'trainingPipelines'
    }/${id}`,
    id,
    kind,
    displayName: 'train-digits',
    state: 'SUCCEEDED',
    createTime: '2024-05-01T09:00:00Z',
    startTime: '2024-05-01T09:00:05Z',
    endTime: '2024-05-01T09:01:10Z',
    updateTime: '2024-05-01T09:01:10Z',
    error: null,
    labels: { 'git-commit': 'abc1234', 'git-branch': 'main' },
    git: { commit: 'abc1234', branch: 'main', dirty: false },
    source: { path: 'train_digits.py', kind: 'script' },
    notebookOutput: null,
    spec: {
      imageUri: 'us-docker.pkg.dev/vertex-ai/training/sklearn-cpu.1-0:latest',
      packageUris: ['gs://b/p.tar.gz'],
      pythonModule: 'jupyter_vertex_task.run',
      args: ['--max-iter', '100'],
      env: {},
      machineType: 'n1-standard-4',
      acceleratorType: null,
      acceleratorCount: null,
      replicaCount: 1,
      baseOutputDirectory: 'gs://b/output'
    },
    customJob: null,
    model: null,
    ...overrides
  };
}

/**
 * The `n`th line a training job logged (second `n` of 09:00).
 */
export function logEntry(n: number): ILogEntry {
  return {
    timestamp: `2024-05-01T09:00:${String(n).padStart(2, '0')}Z`,
    insertId: `id-${n}`,
    severity: 'INFO',
    replica: 'workerpool0-0',
    message: `line ${n}`
  };
}

/**
 * Server settings whose `fetch` is a jest mock answering `answer`.
 */
export function fakeServer(
  answer: (request: Request) => Response | Promise<Response>
): { settings: ServerConnection.ISettings; fetch: jest.Mock } {
  const fetch = jest.fn(async (request: Request) => answer(request));
  const settings = ServerConnection.makeSettings({
    baseUrl: 'http://localhost:8899/lab-base/',
    wsUrl: 'ws://localhost:8899/lab-base/',
    token: '',
    fetch: fetch as unknown as typeof window.fetch
  });
  return { settings, fetch };
}

export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' }
  });
}

/**
 * Path and query of a request, without the cache buster that
 * `ServerConnection` adds to GETs (`?1712345678901`).
 */
export function pathOf(request: Request): string {
  const url = new URL(request.url);
  const query = url.search
    .replace(/^\?/, '')
    .split('&')
    .filter(part => part !== '' && !/^\d+$/.test(part))
    .join('&');
  return url.pathname + (query ? `?${query}` : '');
}
