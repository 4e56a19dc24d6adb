// Deploying, predicting, bulk predictions and the long-running operations they start.
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
