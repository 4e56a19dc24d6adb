// What keeps running (and costing): `GET /running`.
import type { IInstance } from './instances';
import type { IJob } from './jobs';
import type { IEndpoint } from './models';
import type { IBulkPrediction } from './serving';

/**
 * `GET /running`: everything that keeps running (and costing).
 */
export interface IRunningNow {
  instances: IInstance[];
  endpoints: IEndpoint[];
  jobs: IJob[];
  bulkPredictions: IBulkPrediction[];
}
