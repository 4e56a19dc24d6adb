import type { IPipelineJob } from '../api/types';
import { PolledList } from './polledList';

/**
 * The Pipelines list (runs newest first), beside the panel's model.
 */
export class PipelineJobs extends PolledList<IPipelineJob> {
  constructor(
    options: Omit<PolledList.IOptions<IPipelineJob>, 'name' | 'fetchPage'>
  ) {
    super({
      ...options,
      name: 'jupyter-vertex:pipeline-jobs',
      fetchPage: async (api, token) => {
        const page = await api.listPipelineJobs({
          pageSize: 100,
          pageToken: token
        });
        return {
          items: page.pipelineJobs,
          nextPageToken: page.nextPageToken ?? undefined
        };
      }
    });
  }
}
