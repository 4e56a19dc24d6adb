// Training jobs (custom jobs and training pipelines) and their logs.
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
 * The Jobs section's server-side filter (`GET /jobs?kind=&state=`).
 */
export interface IJobFilter {
  kind?: JobKind;
  state?: JobState;
}
