import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';
import { IVertexAPI } from '../api/vertexAPI';
import { VertexAPIError } from '../api/request';
import {
  IEndpoint,
  IJobFilter,
  IInstance,
  IJob,
  IModel,
  IStatus
} from '../api/types';
import { localHardware, LocalHardware } from './hardware';
import { IListState, IRunningState, IVertexModel } from './tokens';
import {
  emptyList,
  emptyRunning,
  FetchPage,
  fetchList,
  frequency,
  InFlight,
  nothingInFlight,
  sameJSON,
  settle
} from './listing';

/**
 * The panel's state: status, models and endpoints, fetched through the REST
 * API and kept fresh by a `Poll` that backs off on errors and stands by while
 * the panel is hidden (or the browser tab is).
 */
export class VertexModel implements IVertexModel, IDisposable {
  constructor(options: VertexModel.IOptions) {
    this._api = options.api;
    this._hardware = options.hardware ?? localHardware;
    this._maxItems = options.maxItems ?? VertexModel.DEFAULT_MAX_ITEMS;
    this._pageSize = Math.min(this._maxItems, 100);
    this._interval = VertexModel.clampInterval(
      options.pollInterval ?? VertexModel.DEFAULT_POLL_INTERVAL
    );
    this._poll = new Poll<void, VertexAPIError>({
      auto: options.autoStart ?? true,
      factory: () => this._tick(),
      frequency: frequency(this._interval, 0),
      // Only fetch while the panel is shown and the browser tab is visible.
      standby: () => (this._active ? 'when-hidden' : true),
      name: 'jupyter-vertex:panel'
    });
  }

  get stateChanged(): ISignal<IVertexModel, void> {
    return this._stateChanged;
  }

  get status(): IStatus | null {
    return this._status;
  }

  get statusError(): VertexAPIError | null {
    return this._statusError;
  }

  get models(): IListState<IModel> {
    return this._models;
  }

  get endpoints(): IListState<IEndpoint> {
    return this._endpoints;
  }

  get jobs(): IListState<IJob> {
    return this._jobs;
  }

  get instances(): IListState<IInstance> {
    return this._instances;
  }

  get running(): IRunningState {
    return this._running;
  }

  /**
   * The poll, for those who need its ticks (tests, other plugins).
   */
  get poll(): Poll<void, VertexAPIError> {
    return this._poll;
  }

  get active(): boolean {
    return this._active;
  }
  set active(value: boolean) {
    if (this._active === value) {
      return;
    }
    this._active = value;
    if (value) {
      // Shown again: fetch now rather than at the next tick.
      void this._poll.refresh();
    }
  }

  get pollInterval(): number {
    return this._interval;
  }
  set pollInterval(seconds: number) {
    const interval = VertexModel.clampInterval(seconds);
    if (interval === this._interval) {
      return;
    }
    this._interval = interval;
    this._poll.frequency = frequency(interval, this._failures);
  }

  /**
   * How many polls in a row failed; the poll waits
   * `pollInterval × 2^failures` seconds (capped) before the next one.
   */
  get failures(): number {
    return this._failures;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._poll.dispose();
    Signal.clearData(this);
  }

  /**
   * Fetch everything now, whether or not the panel is shown.
   *
   * Never rejects: failures end up in `statusError` and the lists' `error`.
   */
  async refresh(): Promise<void> {
    const backingOff = this._failures > 0;
    try {
      await this._fetchAll();
      this._record(true);
      if (backingOff && !this._isDisposed) {
        // A manual refresh worked: leave the back-off at once.
        void this._poll.schedule({
          interval: this._poll.frequency.interval,
          phase: 'reconnected'
        });
      }
    } catch {
      // Shown in the panel; the poll keeps its pace.
    }
  }

  refreshModels(): Promise<void> {
    return this._fetchModels().catch(() => undefined);
  }

  refreshEndpoints(): Promise<void> {
    return this._fetchEndpoints().catch(() => undefined);
  }

  refreshJobs(): Promise<void> {
    return this._fetchJobs().catch(() => undefined);
  }

  get jobFilter(): IJobFilter {
    return this._jobFilter;
  }

  /**
   * List only jobs of this kind and state (the server filters). The list
   * starts again empty; an answer for the previous filter is dropped.
   */
  set jobFilter(filter: IJobFilter) {
    const next: IJobFilter = {};
    if (filter.kind) {
      next.kind = filter.kind;
    }
    if (filter.state) {
      next.state = filter.state;
    }
    if (
      next.kind === this._jobFilter.kind &&
      next.state === this._jobFilter.state
    ) {
      return;
    }
    this._jobFilter = next;
    this._inFlight.jobs = null;
    this._set(() => {
      this._jobs = { ...emptyList(), loading: true };
    });
    void this.refreshJobs();
  }

  refreshInstances(): Promise<void> {
    return this._fetchInstances().catch(() => undefined);
  }

  refreshRunning(): Promise<void> {
    return this._fetchRunning().catch(() => undefined);
  }

  /**
   * One poll tick. It resolves even when a request failed, and sets the
   * interval to the next tick itself: exponential back-off on failures,
   * deterministic (Lumino's own back-off is random and restarts near zero
   * after an immediate tick, which would hammer a failing server each time
   * the panel is shown).
   */
  private async _tick(): Promise<void> {
    try {
      await this._fetchAll();
      this._record(true);
    } catch {
      this._record(false);
    }
  }

  /**
   * Count failures in a row and set the poll's next interval from them.
   */
  private _record(ok: boolean): void {
    if (this._isDisposed) {
      return;
    }
    this._failures = ok ? 0 : this._failures + 1;
    this._poll.frequency = frequency(this._interval, this._failures);
  }

  /**
   * Fetch status, models and endpoints; rejects with the first error.
   */
  private _fetchAll(): Promise<void> {
    if (!this._inFlight.all) {
      const all = settle([
        this._fetchStatus(),
        this._fetchJobs(),
        this._fetchModels(),
        this._fetchEndpoints(),
        // Instances and "running now" wait for the status: only a server
        // with the `instances` capability has their routes.
        this._fetchStatus().then(() =>
          settle([this._fetchInstances(), this._fetchRunning()])
        )
      ]).finally(() => {
        this._inFlight.all = null;
      });
      this._inFlight.all = all;
      return all;
    }
    return this._inFlight.all;
  }

  private _fetchStatus(): Promise<void> {
    if (!this._inFlight.status) {
      this._inFlight.status = this._api
        .status()
        .then(
          status => {
            this._set(() => {
              this._status = status;
              this._statusError = null;
            });
            this._hardware.update(status);
          },
          (error: unknown) => {
            const reason = VertexAPIError.from(error);
            this._set(() => {
              this._status = null;
              this._statusError = reason;
            });
            throw reason;
          }
        )
        .finally(() => {
          this._inFlight.status = null;
        });
    }
    return this._inFlight.status;
  }

  private _fetchModels(): Promise<void> {
    if (!this._inFlight.models) {
      this._inFlight.models = this._fetchList(
        () => this._models,
        state => (this._models = state),
        token =>
          this._api
            .listModels({ pageSize: this._pageSize, pageToken: token })
            .then(page => ({
              items: page.models,
              nextPageToken: page.nextPageToken
            }))
      ).finally(() => {
        this._inFlight.models = null;
      });
    }
    return this._inFlight.models;
  }

  private _fetchEndpoints(): Promise<void> {
    if (!this._inFlight.endpoints) {
      this._inFlight.endpoints = this._fetchList(
        () => this._endpoints,
        state => (this._endpoints = state),
        token =>
          this._api
            .listEndpoints({ pageSize: this._pageSize, pageToken: token })
            .then(page => ({
              items: page.endpoints,
              nextPageToken: page.nextPageToken
            }))
      ).finally(() => {
        this._inFlight.endpoints = null;
      });
    }
    return this._inFlight.endpoints;
  }

  private _fetchJobs(): Promise<void> {
    if (this._status && !this._status.capabilities.includes('training')) {
      // A server without the jobs API: nothing to fetch (and no failure).
      return Promise.resolve();
    }
    if (!this._inFlight.jobs) {
      const filter = this._jobFilter;
      const fetching: Promise<void> = this._fetchList(
        () => this._jobs,
        state => {
          if (filter === this._jobFilter) {
            this._jobs = state;
          }
        },
        token =>
          this._api
            .listJobs({ ...filter, pageSize: this._pageSize, pageToken: token })
            .then(page => ({
              items: page.jobs,
              nextPageToken: page.nextPageToken ?? undefined
            }))
      ).finally(() => {
        if (this._inFlight.jobs === fetching) {
          this._inFlight.jobs = null;
        }
      });
      this._inFlight.jobs = fetching;
    }
    return this._inFlight.jobs;
  }

  private _hasInstances(): boolean {
    return Boolean(this._status?.capabilities.includes('instances'));
  }

  private _fetchInstances(): Promise<void> {
    if (!this._hasInstances()) {
      return Promise.resolve();
    }
    if (!this._inFlight.instances) {
      this._inFlight.instances = this._fetchList(
        () => this._instances,
        state => (this._instances = state),
        token =>
          this._api
            .listInstances({ pageSize: this._pageSize, pageToken: token })
            .then(page => ({
              items: page.instances,
              nextPageToken: page.nextPageToken
            }))
      ).finally(() => {
        this._inFlight.instances = null;
      });
    }
    return this._inFlight.instances;
  }

  private _fetchRunning(): Promise<void> {
    if (!this._hasInstances()) {
      return Promise.resolve();
    }
    if (!this._inFlight.running) {
      this._set(() => {
        this._running = { ...this._running, loading: true };
      });
      this._inFlight.running = this._api
        .running()
        .then(
          value => {
            const previous = this._running.value;
            this._set(() => {
              this._running = {
                value: sameJSON(previous, value) ? previous : value,
                error: null,
                loading: false,
                updated: new Date()
              };
            });
          },
          (error: unknown) => {
            const reason = VertexAPIError.from(error);
            this._set(() => {
              this._running = {
                ...this._running,
                error: reason,
                loading: false
              };
            });
            throw reason;
          }
        )
        .finally(() => {
          this._inFlight.running = null;
        });
    }
    return this._inFlight.running;
  }

  private _fetchList<T extends { createTime?: string | null }>(
    get: () => IListState<T>,
    set: (state: IListState<T>) => void,
    fetchPage: FetchPage<T>
  ): Promise<void> {
    return fetchList({
      get,
      set: state => this._set(() => set(state)),
      fetchPage,
      maxItems: this._maxItems
    });
  }

  /**
   * Apply a change and tell the views.
   */
  private _set(change: () => void): void {
    if (this._isDisposed) {
      return;
    }
    change();
    this._stateChanged.emit();
  }

  private _api: IVertexAPI;
  private _maxItems: number;
  private _pageSize: number;
  private _interval: number;
  private _poll: Poll<void, VertexAPIError>;
  private _active = false;
  private _failures = 0;
  private _isDisposed = false;
  private _status: IStatus | null = null;
  private _statusError: VertexAPIError | null = null;
  private _models: IListState<IModel> = emptyList();
  private _endpoints: IListState<IEndpoint> = emptyList();
  private _jobs: IListState<IJob> = emptyList();
  private _jobFilter: IJobFilter = {};
  private _instances: IListState<IInstance> = emptyList();
  private _running: IRunningState = emptyRunning();
  private _inFlight: InFlight = nothingInFlight();
  private _stateChanged = new Signal<IVertexModel, void>(this);
  private _hardware: LocalHardware;
}

export namespace VertexModel {
  export interface IOptions {
    api: IVertexAPI;
    /**
     * Seconds between refreshes while the panel is visible.
     */
    pollInterval?: number;
    /**
     * At most this many items per list are fetched.
     */
    maxItems?: number;
    /**
     * Start the poll at once (default); tests may start it themselves.
     */
    autoStart?: boolean;
    /**
     * Told what each status says of the local hardware (default: the page's).
     */
    hardware?: LocalHardware;
  }

  export const DEFAULT_POLL_INTERVAL = 10;
  export const MIN_POLL_INTERVAL = 2;
  export const DEFAULT_MAX_ITEMS = 500;

  /**
   * A valid interval in seconds (the schema's minimum is 2).
   */
  export function clampInterval(seconds: number): number {
    if (!Number.isFinite(seconds)) {
      return DEFAULT_POLL_INTERVAL;
    }
    return Math.max(MIN_POLL_INTERVAL, seconds);
  }
}
