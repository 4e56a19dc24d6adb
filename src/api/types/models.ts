// Models and endpoints, as the REST API returns them.
/**
 * Where a model is deployed (`Model.deployedModels[]`).
 */
export interface IDeployedModelRef {
  endpoint: string;
  deployedModelId: string;
}

/**
 * An example instance of a model, known without predicting
 * (`GET /models/{id}/example`): from `instance_example.json` beside its
 * artifacts, or from its instance schema; nulls when neither gives one.
 */
export interface IModelExample {
  instances: unknown[] | null;
  source: 'artifact' | 'schema' | null;
  /**
   * The object it was read from (`gs://…/instance_example.json`).
   */
  uri: string | null;
  /**
   * Why a file found was not used.
   */
  note: string | null;
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
  /**
   * The job that registered the version and its git state (null otherwise).
   */
  provenance?: IModelProvenance | null;
}

/**
 * Where a model version comes from (`Model.provenance`).
 */
export interface IModelProvenance {
  job: {
    kind: 'trainingPipeline';
    id: string;
    displayName: string | null;
  } | null;
  git: { commit: string; branch: string | null; dirty: boolean } | null;
}

/**
 * A model deployed to an endpoint (`Endpoint.deployedModels[]`).
 */
export interface IDeployedModel {
  id: string;
  model: string;
  modelVersionId?: string;
  displayName?: string;
  machineType?: string | null;
  /**
   * The accelerator each replica asked for, null without one.
   */
  acceleratorType?: string | null;
  acceleratorCount?: number;
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
