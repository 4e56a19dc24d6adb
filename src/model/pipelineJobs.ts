import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';
import { VertexAPIError } from '../api/request';
import type { IPipelineJob } from '../api/types';
import type { IVertexAPI } from '../api/vertexAPI';
import { emptyList, fetchList, frequency } from './listing';
import type { IListState, IVertexModel } from './tokens';

/**
 * The Pipelines list (newest first): fetched at the panel's poll interval
 * while the panel is shown, and at once when asked (after a run, a cancel or
 * a delete). Beside the panel's model, as the Batch jobs list is.
 */
export class PipelineJobs implements IDisposable {
  constructor(options: PipelineJobs.IOptions) {
    this._api = options.api;
    this._model = options.model;
    this._poll = new Poll<void, VertexAPIError>({
      auto: options.autoStart ?? true,
      factory: () => this.refresh(),
      frequency: frequency(this._model.pollInterval, 0),
      standby: () => (this._model.active ? 'when-hidden' : true),
      name: 'jupyter-vertex:pipeline-jobs'
    });
  }

  get state(): IListState<IPipelineJob> {
    return this._state;
  }

  get changed(): ISignal<PipelineJobs, void> {
    return this._changed;
  }

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
      this._inFlight = fetchList<IPipelineJob>({
        get: () => this._state,
        set: state => {
          this._state = state;
          this._changed.emit();
        },
        fetchPage: async token => {
          const page = await this._api.listPipelineJobs({
            pageSize: 100,
            pageToken: token
          });
          return {
            items: page.pipelineJobs,
            nextPageToken: page.nextPageToken ?? undefined
          };
        },
        maxItems: PipelineJobs.MAX_ITEMS
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
  private _state: IListState<IPipelineJob> = emptyList();
  private _changed = new Signal<PipelineJobs, void>(this);
  private _inFlight: Promise<void> | null = null;
}

export namespace PipelineJobs {
  export const MAX_ITEMS = 200;

  export interface IOptions {
    api: IVertexAPI;
    model: IVertexModel;
    autoStart?: boolean;
  }
}
