import type { IPipelineSchedule } from '../api/types';
import { PolledList } from './polledList';

/**
 * The Schedules list (schedules of pipeline runs, newest first), beside the
 * panel's model.
 */
export class PipelineSchedules extends PolledList<IPipelineSchedule> {
  constructor(
    options: Omit<PolledList.IOptions<IPipelineSchedule>, 'name' | 'fetchPage'>
  ) {
    super({
      ...options,
      name: 'jupyter-vertex:pipeline-schedules',
      fetchPage: async (api, token) => {
        const page = await api.listPipelineSchedules({
          pageSize: 100,
          pageToken: token
        });
        return {
          items: page.schedules,
          nextPageToken: page.nextPageToken ?? undefined
        };
      }
    });
  }
}
