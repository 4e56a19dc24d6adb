import type { IBatchJob, JobState } from '../api/types';
import { PolledList } from './polledList';

/**
 * The Batch jobs list, beside the panel's model, filtered by state on the
 * server (`?state=`) when a state is chosen.
 */
export class BatchJobs extends PolledList<IBatchJob> {
  constructor(
    options: Omit<PolledList.IOptions<IBatchJob>, 'name' | 'fetchPage'>
  ) {
    // the page fetcher reads the filter set after construction
    const filter: { state?: JobState } = {};
    super({
      ...options,
      name: 'jupyter-vertex:batch-jobs',
      fetchPage: async (api, token) => {
        const page = await api.listBatchJobs({
          state: filter.state,
          pageSize: 100,
          pageToken: token
        });
        return {
          items: page.batchPredictionJobs,
          nextPageToken: page.nextPageToken ?? undefined
        };
      }
    });
    this._filter = filter;
  }

  /**
   * The state the list shows, or all (`undefined`).
   */
  get stateFilter(): JobState | undefined {
    return this._filter.state;
  }

  set stateFilter(state: JobState | undefined) {
    if (state === this._filter.state) {
      return;
    }
    this._filter.state = state;
    void this.restart().catch(() => undefined); // the list's state shows the error
  }

  private _filter: { state?: JobState };
}
