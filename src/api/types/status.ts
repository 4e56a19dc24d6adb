// Types of `GET /status`: which Vertex AI the server talks to and what it can do.
/**
 * Which Vertex AI the server extension talks to.
 */
export type Backend = 'local' | 'vertex';

/**
 * `GET /status`.
 */
export interface IStatus {
  backend: Backend;
  project: string | null;
  region: string | null;
  account: string | null;
  capabilities: string[];
  emulator: { state: string; url: string | null } | null;
  /**
   * Null on the vertex backend (Vertex AI provisions what is asked for) or
   * while the embedded Vertex cannot tell; absent from servers before it.
   */
  hardware?: ILocalHardware | null;
}

/**
 * A GPU of the embedded Vertex's machine.
 */
export interface ILocalGpu {
  index: number;
  name: string;
}

/**
 * `GET /status`'s `hardware`: the GPUs work asking for accelerators gets on
 * the embedded Vertex's machine (none: it runs on CPU there).
 */
export interface ILocalHardware {
  gpus: ILocalGpu[];
}
