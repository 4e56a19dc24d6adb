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
}
