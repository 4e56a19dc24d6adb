import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';
import { VertexAPIError } from '../api/request';
import type { IVertexAPI } from '../api/vertexAPI';
import { emptyList, fetchList, frequency } from './listing';
import type { IListState, IVertexModel } from './tokens';

/**
 * A list kept beside the panel's model (Batch jobs, Pipelines): fetched at the
 * panel's poll interval while the panel is shown, and at once when asked
 * (after a create, a cancel or a delete). Beside the model rather than in it,
 * so that the model stays the lists the status knows about.
 */
export class PolledList<
  T extends { createTime?: string | null }
> implements IDisposable {
  constructor(options: PolledList.IOptions<T>) {
    this._api = options.api;
    this._model = options.model;
    this._fetchPage = options.fetchPage;
    this._poll = new Poll<void, VertexAPIError>({
      auto: options.autoStart ?? true,
      factory: () => this.refresh(),
      frequency: frequency(this._model.pollInterval, 0),
      standby: () => (this._model.active ? 'when-hidden' : true),
      name: options.name
    });
  }

  get state(): IListState<T> {
    return this._state;
  }

  get changed(): ISignal<PolledList<T>, void> {
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
      const generation = this._generation;
      const current = () => generation === this._generation;
      const fetching: Promise<void> = fetchList<T>({
        get: () => this._state,
        set: state => {
          if (current()) {
            this._state = state;
            this._changed.emit();
          }
        },
        fetchPage: token => this._fetchPage(this._api, token),
        maxItems: PolledList.MAX_ITEMS
      }).finally(() => {
        if (this._inFlight === fetching) {
          this._inFlight = null;
        }
      });
      this._inFlight = fetching;
    }
    return this._inFlight;
  }

  /**
   * Forget the list and fetch it anew (what it lists changed: a filter): the
   * answer of a fetch under way is dropped, not shown under the new filter.
   */
  protected restart(): Promise<void> {
    this._generation += 1;
    this._inFlight = null;
    this._state = emptyList();
    this._changed.emit();
    return this.refresh();
  }

  dispose(): void {
    this._poll.dispose();
    Signal.clearData(this);
  }

  private _api: IVertexAPI;
  private _model: IVertexModel;
  private _fetchPage: PolledList.FetchPage<T>;
  private _poll: Poll<void, VertexAPIError>;
  private _state: IListState<T> = emptyList();
  private _changed = new Signal<PolledList<T>, void>(this);
  private _inFlight: Promise<void> | null = null;
  private _generation = 0;
}

export namespace PolledList {
  export const MAX_ITEMS = 200;

  /**
   * One page of the list, from the page token of the one before.
   */
  export type FetchPage<T> = (
    api: IVertexAPI,
    token: string | undefined
  ) => Promise<{ items: T[]; nextPageToken?: string }>;

  export interface IOptions<T> {
    api: IVertexAPI;
    /**
     * The panel's model: its poll interval and whether the panel is shown.
     */
    model: IVertexModel;
    autoStart?: boolean;
    /**
     * The poll's name, for debugging.
     */
    name: string;
    fetchPage: FetchPage<T>;
  }
}
