import type { IBatchJob } from '../api/types';
import { PolledList } from './polledList';

/**
 * The Batch jobs list, beside the panel's model.
 */
export class BatchJobs extends PolledList<IBatchJob> {
  constructor(
    options: Omit<PolledList.IOptions<IBatchJob>, 'name' | 'fetchPage'>
  ) {
    super({
      ...options,
      name: 'jupyter-vertex:batch-jobs',
      fetchPage: async (api, token) => {
        const page = await api.listBatchJobs({
          pageSize: 100,
          pageToken: token
        });
        return {
          items: page.batchPredictionJobs,
          nextPageToken: page.nextPageToken ?? undefined
        };
      }
    });
  }
}
