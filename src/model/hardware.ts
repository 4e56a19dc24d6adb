import { ISignal, Signal } from '@lumino/signaling';
import { ILocalGpu, IStatus } from '../api/types';

/**
 * Where work that asks for accelerators runs, as the server last said
 * (`GET /status`'s `hardware`). One per page, kept up to date by the panel's
 * model, so that the dialogs and views can say "runs on CPU here" without
 * each asking the server.
 */
export class LocalHardware {
  /**
   * Emitted when what is known changes.
   */
  get changed(): ISignal<LocalHardware, void> {
    return this._changed;
  }

  /**
   * The embedded Vertex machine's GPUs; null when not known or not local.
   */
  get gpus(): ReadonlyArray<ILocalGpu> | null {
    return this._gpus;
  }

  update(status: IStatus | null): void {
    const gpus =
      status?.backend === 'local' && status.hardware
        ? status.hardware.gpus
        : null;
    if (JSON.stringify(gpus) === JSON.stringify(this._gpus)) {
      return;
    }
    this._gpus = gpus;
    this._changed.emit();
  }

  /**
   * What `count` × `acceleratorType` gets here: `cpu` (no GPU on this
   * machine), `fewer` (fewer GPUs than asked for: all of them), or null
   * (nothing to say: none asked, enough GPUs, or not known).
   */
  placement(
    acceleratorType: string | null | undefined,
    count: number | null | undefined
  ): LocalHardware.Placement | null {
    const gpus = this._gpus;
    if (!acceleratorType || gpus === null) {
      return null;
    }
    if (gpus.length === 0) {
      return { kind: 'cpu' };
    }
    return gpus.length < (count || 1)
      ? { kind: 'fewer', gpus: gpus.length }
      : null;
  }

  private _gpus: ReadonlyArray<ILocalGpu> | null = null;
  private _changed = new Signal<LocalHardware, void>(this);
}

export namespace LocalHardware {
  export type Placement = { kind: 'cpu' } | { kind: 'fewer'; gpus: number };
}

/**
 * The page's one.
 */
export const localHardware = new LocalHardware();
