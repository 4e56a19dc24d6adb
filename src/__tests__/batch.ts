// Batch prediction jobs for the specs.
import { IBatchJob, IBatchResults } from '../api/types';

/**
 * A batch prediction job of model 123 version 1: 1,000 rows, succeeded.
 */
export function makeBatchJob(overrides: Partial<IBatchJob> = {}): IBatchJob {
  const id = overrides.id ?? '777';
  return {
    name: `projects/123/locations/us-central1/batchPredictionJobs/${id}`,
    id,
    displayName: 'score-rows',
    model: 'projects/123/locations/us-central1/models/123',
    modelVersionId: '1',
    state: 'SUCCEEDED',
    createTime: '2024-05-01T10:00:00Z',
    startTime: '2024-05-01T10:00:02Z',
    endTime: '2024-05-01T10:00:12Z',
    updateTime: '2024-05-01T10:00:12Z',
    error: null,
    labels: { 'jupyter-vertex-rows': '1000' },
    inputUris: ['gs://staging/jupyter-vertex/batch-inputs/rows.csv'],
    instancesFormat: 'csv',
    predictionsFormat: 'jsonl',
    outputUriPrefix: 'gs://staging/jupyter-vertex/batch-outputs',
    outputDirectory:
      'gs://staging/jupyter-vertex/batch-outputs/prediction-123-2024_05_01T10_00_02Z',
    machineType: 'n1-standard-2',
    startingReplicaCount: 2,
    maxReplicaCount: 2,
    batchSize: 64,
    completionStats: { successful: 998, failed: 2, incomplete: 0 },
    progress: {
      done: 1000,
      total: 1000,
      rowsPerSecond: 100,
      etaSeconds: null
    },
    ...overrides
  };
}

export function makeBatchResults(): IBatchResults {
  return {
    outputDirectory:
      'gs://staging/jupyter-vertex/batch-outputs/prediction-123-2024_05_01T10_00_02Z',
    predictionsFormat: 'jsonl',
    predictions: {
      columns: ['instance', 'prediction'],
      rows: [
        [[0, 1, 2], 7],
        [[3, 4, 5], 2]
      ],
      more: true
    },
    errors: {
      columns: ['instance', 'error_code', 'error_message'],
      rows: [[[1], 3, 'X has 1 features, but the model expects 64']],
      more: false
    },
    cell: 'import pandas as pd\ndf = ...'
  };
}
