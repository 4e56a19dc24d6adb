import { Notification } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';
import { IVertexAPI } from '../api/vertexAPI';
import { VertexAPIError } from '../api/request';
import { IOperation } from '../api/types';

/**
 * What the instance views need of the panel's operation tracker: follow an
 * operation until it ends (with its notification), and list those under way.
 * `OperationTracker` (operations.ts) is one.
 */
export interface IOperationFollower {
  track(
    operation: IOperation,
    options: { label: string; successMessage?: string }
  ): Promise<IOperation>;
  readonly operations: ReadonlyArray<{ operation: IOperation; label: string }>;
  readonly changed: ISignal<unknown, void>;
}

/**
 * A long-running operation the panel follows (deploy, undeploy).
 */
export interface ITrackedOperation {
  /**
   * The operation as last fetched.
   */
  readonly operation: IOperation;
  /**
   * What it does, for people: `Deploying "digits" to "digits-endpoint"`.
   */
  readonly label: string;
  /**
   * The model (id, maybe `123@2`) and endpoint it concerns, so details can
   * show their progress.
   */
  readonly modelId: string | null;
  readonly endpointId: string | null;
  /**
   * The last polling failure, if the last poll failed (it is retried).
   */
  readonly pollError: VertexAPIError | null;
}

/**
 * Follows long-running operations: polls `GET /operations?name=` (0.25 s, then
 * backing off to 5 s) until each is done, keeps one notification per
 * operation up to date (in progress, then success or failure), and tells
 * its listeners on each change and when one ends (the lists refresh then).
 */
export class OperationTracker implements IDisposable {
  constructor(options: OperationTracker.IOptions) {
    this._api = options.api;
    this._trans = options.trans;
    this._delays = { ...OperationTracker.DELAYS, ...options.delays };
    this._notify = options.notify ?? true;
  }

  /**
   * Operations under way, oldest first.
   */
  get operations(): ReadonlyArray<ITrackedOperation> {
    return this._items;
  }

  /**
   * Emitted on every change of `operations`.
   */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /**
   * How many operations have ended so far (views fetch again when it grows).
   */
  get endedCount(): number {
    return this._endedCount;
  }

  /**
   * Emitted with an operation once it has ended (done, with or without error).
   */
  get ended(): ISignal<this, ITrackedOperation> {
    return this._ended;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    for (const timer of this._timers) {
      clearTimeout(timer);
    }
    this._timers.clear();
    // No notification keeps spinning for an operation nobody follows.
    for (const id of this._notifications) {
      Notification.dismiss(id);
    }
    this._notifications.clear();
    Signal.clearData(this);
  }

  /**
   * The operations concerning a model or an endpoint.
   */
  find(filter: { modelId?: string; endpointId?: string }): ITrackedOperation[] {
    return this._items.filter(
      item =>
        (filter.modelId !== undefined &&
          item.modelId !== null &&
          modelBase(item.modelId) === modelBase(filter.modelId)) ||
        (filter.endpointId !== undefined &&
          item.endpointId === filter.endpointId)
    );
  }

  /**
   * Follow an operation until it is done.
   *
   * @returns the finished operation; rejects with its error if it failed
   */
  track(
    operation: IOperation,
    options: OperationTracker.ITrackOptions
  ): Promise<IOperation> {
    const trans = this._trans;
    let item: ITrackedOperation = {
      operation,
      label: options.label,
      modelId: options.modelId ?? null,
      endpointId: options.endpointId ?? operation.target ?? null,
      pollError: null
    };
    this._items = [...this._items, item];
    this._changed.emit();
    // An operation answered done (the embedded Vertex's undeploy) gets its
    // final notification only: JupyterLab's toasts are created
    // asynchronously, so an update in the same tick as the emit can be lost
    // and leave "in progress" spinning until a reload.
    let notification =
      this._notify && !operation.done
        ? Notification.emit(options.label + '…', 'in-progress', {
            autoClose: false
          })
        : null;
    if (notification !== null) {
      this._notifications.add(notification);
    }

    return new Promise<IOperation>((resolve, reject) => {
      // The operation vanished (404): whatever it did has ended.
      let gone = false;
      const finish = (done: IOperation) => {
        this._items = this._items.filter(other => other !== item);
        item = { ...item, operation: done, pollError: null };
        this._endedCount++;
        this._changed.emit();
        this._ended.emit(item);
        const failed = done.error !== null;
        if (this._notify) {
          const message = failed
            ? trans.__('%1 failed: %2', options.label, done.error!.message)
            : gone
              ? trans.__(
                  '%1: already done (the server no longer knows the operation).',
                  options.label
                )
              : (options.successMessage ??
                trans.__('%1: done.', options.label));
          const type = failed ? 'error' : gone ? 'info' : 'success';
          const ending = {
            autoClose: failed ? (false as const) : 8000,
            actions: failed ? [] : (options.actions ?? [])
          };
          // A notification dismissed meanwhile is told again, ended.
          if (
            notification === null ||
            !Notification.update({ id: notification, message, type, ...ending })
          ) {
            notification = Notification.emit(message, type, ending);
          }
          this._notifications.delete(notification);
        }
        if (failed) {
          reject(
            new VertexAPIError({
              message: done.error!.message,
              reason: 'OPERATION_FAILED',
              status: 0
            })
          );
        } else {
          resolve(done);
        }
      };

      let delay = this._delays.initial;
      const poll = () => {
        if (this._isDisposed) {
          return;
        }
        const timer = setTimeout(async () => {
          this._timers.delete(timer);
          if (this._isDisposed) {
            return;
          }
          try {
            const latest = await this._api.getOperation(operation.name);
            if (latest.done) {
              finish(latest);
              return;
            }
            this._replace(item, (item = { ...item, operation: latest }));
          } catch (error) {
            const reason = VertexAPIError.from(error);
            if (reason.status === 404) {
              gone = true;
              finish({ ...item.operation, done: true, error: null });
              return;
            }
            // Keep polling: the server may be restarting; show why meanwhile.
            this._replace(item, (item = { ...item, pollError: reason }));
          }
          delay = Math.min(this._delays.max, delay * this._delays.factor);
          poll();
        }, delay);
        this._timers.add(timer);
      };

      if (operation.done) {
        finish(operation);
      } else {
        poll();
      }
    });
  }

  private _replace(previous: ITrackedOperation, next: ITrackedOperation) {
    this._items = this._items.map(item => (item === previous ? next : item));
    this._changed.emit();
  }

  private _api: IVertexAPI;
  private _trans: TranslationBundle;
  private _delays: OperationTracker.IDelays;
  private _notify: boolean;
  private _items: ITrackedOperation[] = [];
  private _timers = new Set<ReturnType<typeof setTimeout>>();
  private _notifications = new Set<string>();
  private _isDisposed = false;
  private _endedCount = 0;
  private _changed = new Signal<this, void>(this);
  private _ended = new Signal<this, ITrackedOperation>(this);
}

export namespace OperationTracker {
  export interface IDelays {
    /** First poll after this many milliseconds. */
    initial: number;
    /** Never wait longer than this between polls. */
    max: number;
    /** Each wait is this much longer than the previous one. */
    factor: number;
  }

  /**
   * First after 0.25 s (a local deploy is done within about a second, and the
   * user is waiting to test it), then twice as long each time, to every 5 s.
   */
  export const DELAYS: IDelays = { initial: 250, max: 5000, factor: 2 };

  export interface IOptions {
    api: IVertexAPI;
    trans: TranslationBundle;
    delays?: Partial<IDelays>;
    /**
     * Show a notification per operation (default true).
     */
    notify?: boolean;
  }

  export interface ITrackOptions {
    label: string;
    modelId?: string;
    endpointId?: string;
    /**
     * The notification's text once it succeeded.
     */
    successMessage?: string;
    /**
     * Buttons of the success notification.
     */
    actions?: Notification.IAction[];
  }
}

/**
 * A model id without its version (`123@2` → `123`).
 */
export function modelBase(modelId: string): string {
  return modelId.split('@')[0];
}

/**
 * The last segment of a resource name (`projects/…/endpoints/42` → `42`).
 */
export function idOf(name: string): string {
  return name.split('/').pop() ?? name;
}
