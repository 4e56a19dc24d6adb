// Models and endpoints, as the REST API returns them.
/**
 * Where a model is deployed (`Model.deployedModels[]`).
 */
export interface IDeployedModelRef {
  endpoint: string;
  deployedModelId: string;
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
