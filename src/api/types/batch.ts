// Batch prediction jobs (`/batchPredictionJobs`), as the REST API returns them.
import type { JobState } from './jobs';

export type InstancesFormat = 'jsonl' | 'csv' | 'file-list';
export type PredictionsFormat = 'jsonl' | 'csv';

/**
 * `POST /models/{modelId}/batchPredictionJobs` (and `/code`): `input` is a
 * `gs://` URI or a file of the Jupyter root, which the server stages.
 */
export interface IBatchCreate {
  input: string;
  instancesFormat?: InstancesFormat;
  predictionsFormat?: PredictionsFormat;
  outputUriPrefix?: string;
  displayName?: string;
  machineType?: string;
  startingReplicaCount?: number;
  maxReplicaCount?: number;
  batchSize?: number;
}

/**
 * Rows done (successful + failed + incomplete) of the total when known, the
 * rate over the running time and the time left while it runs.
 */
export interface IBatchProgress {
  done: number;
  total: number | null;
  rowsPerSecond: number | null;
  etaSeconds: number | null;
}

/**
 * A BatchPredictionJob.
 */
export interface IBatchJob {
  name: string;
  id: string;
  displayName: string;
  model: string;
  modelVersionId: string | null;
  state: JobState;
  createTime: string | null;
  startTime: string | null;
  endTime: string | null;
  updateTime: string | null;
  error: { code: number; message: string } | null;
  labels: Record<string, string>;
  inputUris: string[];
  instancesFormat: string;
  predictionsFormat: string;
  outputUriPrefix: string | null;
  outputDirectory: string | null;
  machineType: string | null;
  startingReplicaCount: number;
  maxReplicaCount: number;
  batchSize: number | null;
  completionStats: { successful: number; failed: number; incomplete: number };
  progress: IBatchProgress;
}

export interface IBatchCreated {
  job: IBatchJob;
  code: string;
}

export interface IListBatchJobsResponse {
  batchPredictionJobs: IBatchJob[];
  nextPageToken?: string | null;
}

/**
 * The first rows of an output (predictions or errors) as a table.
 */
export interface IBatchTable {
  columns: string[];
  rows: unknown[][];
  more: boolean;
}

/**
 * `GET /batchPredictionJobs/{id}/results`: the first rows, and a cell
 * loading every prediction into a DataFrame.
 */
export interface IBatchResults {
  outputDirectory: string;
  predictionsFormat: string;
  predictions: IBatchTable;
  errors: IBatchTable;
  cell: string;
}
