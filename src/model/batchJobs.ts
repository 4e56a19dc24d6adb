import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';
import { VertexAPIError } from '../api/request';
import type { IBatchJob } from '../api/types';
import type { IVertexAPI } from '../api/vertexAPI';
import { emptyList, fetchList, frequency } from './listing';
import type { IListState, IVertexModel } from './tokens';

/**
 * The Batch jobs list: fetched at the panel's poll interval while the panel
 * is shown (as the other lists), and at once when asked (after a create, a
 * cancel or a delete). Kept beside the panel's model rather than in it, so
 * that the model stays the lists the status knows about.
 */
export class BatchJobs implements IDisposable {
  constructor(options: BatchJobs.IOptions) {
    this._api = options.api;
    this._model = options.model;
    this._poll = new Poll<void, VertexAPIError>({
      auto: options.autoStart ?? true,
      factory: () => this.refresh(),
      frequency: frequency(this._model.pollInterval, 0),
      standby: () => (this._model.active ? 'when-hidden' : true),
      name: 'jupyter-vertex:batch-jobs'
    });
  }

  get state(): IListState<IBatchJob> {
    return this._state;
  }

  get changed(): ISignal<BatchJobs, void> {
    return this._changed;
  }

  /**
   * Follow the panel's poll interval (seconds) when the settings change it.
   */
  set pollInterval(seconds: number) {
    this._poll.frequency = frequency(seconds, 0);
  }

  get isDisposed(): boolean {
    return this._poll.isDisposed;
  }

  /**
   * Fetch the list now; a refresh asked for while one is under way joins it.
   */
  refresh(): Promise<void> {
    if (!this._inFlight) {
      this._inFlight = fetchList<IBatchJob>({
        get: () => this._state,
        set: state => {
          this._state = state;
          this._changed.emit();
        },
        fetchPage: async token => {
          const page = await this._api.listBatchJobs({
            pageSize: 100,
            pageToken: token
          });
          return {
            items: page.batchPredictionJobs,
            nextPageToken: page.nextPageToken ?? undefined
          };
        },
        maxItems: BatchJobs.MAX_ITEMS
      }).finally(() => {
        this._inFlight = null;
      });
    }
    return this._inFlight;
  }

  dispose(): void {
    this._poll.dispose();
    Signal.clearData(this);
  }

  private _api: IVertexAPI;
  private _model: IVertexModel;
  private _poll: Poll<void, VertexAPIError>;
  private _state: IListState<IBatchJob> = emptyList();
  private _changed = new Signal<BatchJobs, void>(this);
  private _inFlight: Promise<void> | null = null;
}

export namespace BatchJobs {
  export const MAX_ITEMS = 200;

  export interface IOptions {
    api: IVertexAPI;
    /**
     * The panel's model: its poll interval and whether the panel is shown.
     */
    model: IVertexModel;
    autoStart?: boolean;
  }
}
