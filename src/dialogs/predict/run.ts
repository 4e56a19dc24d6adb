import { TranslationBundle } from '@jupyterlab/translation';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';
import { IVertexAPI } from '../../api/vertexAPI';
import { VertexAPIError } from '../../api/request';
import { needsBulk } from './instances';

export type RunState = 'running' | 'succeeded' | 'failed' | 'cancelled';

/**
 * One prediction of a selection at an endpoint: one online request, or a
 * bulk prediction (several requests, run by the server) when the
 * instances do not fit in one.
 */
export class PredictionRun implements IDisposable {
  constructor(options: PredictionRun.IOptions) {
    this._api = options.api;
    this.endpointId = options.endpointId;
    this.instances = options.instances;
    this._trans = options.trans;
    this._pollMs = options.pollMs ?? 500;
    this.mode =
      options.mode ??
      (needsBulk(options.instances, options.onlineMaxBytes)
        ? 'bulk'
        : 'online');
    this._progress = { done: 0, total: options.instances.length };
  }

  readonly endpointId: string;
  readonly instances: unknown[];
  readonly mode: 'online' | 'bulk';

  get state(): RunState {
    return this._state;
  }

  /**
   * Instances predicted so far, and of how many (bulk only).
   */
  get progress(): { done: number; total: number } {
    return this._progress;
  }

  get predictions(): unknown[] | null {
    return this._predictions;
  }

  /**
   * The deployed models that answered.
   */
  get deployedModelIds(): string[] {
    return this._deployedModelIds;
  }

  /**
   * The model that answered (online requests say; bulk ones do not).
   */
  get modelDisplayName(): string | null {
    return this._modelDisplayName;
  }

  get error(): VertexAPIError | null {
    return this._error;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Run to the end (resolves when it succeeded, failed or was cancelled).
   */
  async start(): Promise<void> {
    try {
      if (this.mode === 'online') {
        const answer = await this._api.predict(this.endpointId, {
          instances: this.instances
        });
        if (this._state !== 'running') {
          return;
        }
        this._predictions = answer.predictions;
        this._deployedModelIds = [answer.deployedModelId];
        this._modelDisplayName = answer.modelDisplayName || null;
        this._progress = {
          done: this.instances.length,
          total: this.instances.length
        };
        this._finish('succeeded');
      } else {
        await this._runBulk();
      }
    } catch (reason) {
      if (this._state === 'running') {
        this._error = VertexAPIError.from(reason);
        this._finish('failed');
      }
    }
  }

  /**
   * Stop: a bulk prediction is cancelled on the server; an online request
   * is only no longer waited for.
   */
  async cancel(): Promise<void> {
    if (this._state !== 'running') {
      return;
    }
    this._finish('cancelled');
    if (this._bulkId) {
      await this._api.deleteBulkPrediction(this._bulkId);
    }
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    void this.cancel();
    this._isDisposed = true;
    Signal.clearData(this);
  }

  private async _runBulk(): Promise<void> {
    const created = await this._api.createBulkPrediction(this.endpointId, {
      instances: this.instances
    });
    this._bulkId = created.id;
    if (this._state !== 'running') {
      // Cancelled while it was being created.
      await this._api.deleteBulkPrediction(created.id);
      return;
    }
    let bulk = created;
    for (;;) {
      this._progress = { done: bulk.done, total: bulk.total };
      this._deployedModelIds = bulk.deployedModelIds;
      this._changed.emit();
      if (bulk.state !== 'RUNNING') {
        break;
      }
      await new Promise(resolve => setTimeout(resolve, this._pollMs));
      if (this._state !== 'running') {
        return;
      }
      bulk = await this._api.getBulkPrediction(created.id);
      if (this._state !== 'running') {
        return;
      }
    }
    switch (bulk.state) {
      case 'SUCCEEDED':
        this._predictions = bulk.predictions ?? [];
        this._finish('succeeded');
        break;
      case 'CANCELLED':
        this._finish('cancelled');
        break;
      default:
        this._error = new VertexAPIError({
          message:
            bulk.error?.message ??
            this._trans.__('The bulk prediction failed.'),
          reason: bulk.error?.reason ?? 'FAILED'
        });
        this._finish('failed');
    }
  }

  private _finish(state: RunState): void {
    this._state = state;
    this._changed.emit();
  }

  private _api: IVertexAPI;
  private _trans: TranslationBundle;
  private _pollMs: number;
  private _state: RunState = 'running';
  private _progress = { done: 0, total: 0 };
  private _predictions: unknown[] | null = null;
  private _deployedModelIds: string[] = [];
  private _modelDisplayName: string | null = null;
  private _error: VertexAPIError | null = null;
  private _bulkId: string | null = null;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
}

export namespace PredictionRun {
  export interface IOptions {
    api: IVertexAPI;
    endpointId: string;
    instances: unknown[];
    trans: TranslationBundle;
    /**
     * Force a mode; by default bulk when the body exceeds `onlineMaxBytes`.
     */
    mode?: 'online' | 'bulk';
    onlineMaxBytes?: number;
    /**
     * Milliseconds between bulk progress polls.
     */
    pollMs?: number;
  }
}
