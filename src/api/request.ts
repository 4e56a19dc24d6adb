import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { nullTranslator, TranslationBundle } from '@jupyterlab/translation';

/**
 * Where the server extension's REST API lives, below the server's base URL.
 */
export const API_NAMESPACE = 'jupyter-vertex/api';

/**
 * Reasons the client itself gives when no answer of the API could be read.
 */
export namespace ClientReasons {
  /** The server could not be reached at all. */
  export const network = 'NETWORK_ERROR';
  /** The server answered, but not with the API's JSON. */
  export const invalidResponse = 'INVALID_RESPONSE';
}

/**
 * An error answer of the jupyter_vertex REST API (`{message, reason, hint}`)
 * or a failure to reach it.
 */
export class VertexAPIError extends Error {
  constructor(options: VertexAPIError.IOptions) {
    super(options.message);
    this.name = 'VertexAPIError';
    this.reason = options.reason;
    this.hint = options.hint ?? null;
    this.status = options.status ?? 0;
  }

  /**
   * Machine-readable reason, e.g. `NOT_FOUND`, `CONFIGURATION`.
   */
  readonly reason: string;

  /**
   * What the user can do about it, if the server said.
   */
  readonly hint: string | null;

  /**
   * HTTP status; 0 when the server could not be reached.
   */
  readonly status: number;

  /**
   * Whether `error` is a `VertexAPIError`.
   */
  static isInstance(error: unknown): error is VertexAPIError {
    return error instanceof VertexAPIError;
  }

  /**
   * Turn anything thrown into a `VertexAPIError`.
   */
  static from(error: unknown): VertexAPIError {
    if (error instanceof VertexAPIError) {
      return error;
    }
    const message = error instanceof Error ? error.message : String(error);
    return new VertexAPIError({ message, reason: 'UNKNOWN' });
  }
}

export namespace VertexAPIError {
  export interface IOptions {
    message: string;
    reason: string;
    hint?: string | null;
    status?: number;
  }
}

/**
 * Options of `requestAPI`.
 */
export interface IRequestOptions {
  /**
   * Server connection settings; defaults to `ServerConnection.makeSettings()`.
   */
  serverSettings?: ServerConnection.ISettings;
  /**
   * Translation bundle for the messages the client writes itself.
   */
  trans?: TranslationBundle;
}

/**
 * Call the server extension's REST API.
 *
 * @param path - path below `/jupyter-vertex/api/`, optionally with a query
 * @param init - fetch options (method, body, signal...)
 * @returns the decoded JSON answer, or `undefined` for `204 No Content`
 * @throws {VertexAPIError} when the server answers an error or cannot be reached
 */
export async function requestAPI<T>(
  path = '',
  init: RequestInit = {},
  options: IRequestOptions = {}
): Promise<T> {
  const settings = options.serverSettings ?? ServerConnection.makeSettings();
  const trans = options.trans ?? nullTranslator.load('jupyter_vertex');
  const url = URLExt.join(
    settings.baseUrl,
    API_NAMESPACE,
    path.replace(/^\/+/, '')
  );

  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    if (init.signal?.aborted) {
      // The caller cancelled: not a failure to report.
      throw error;
    }
    throw new VertexAPIError({
      message: trans.__('Could not reach the Jupyter server.'),
      reason: ClientReasons.network,
      hint: trans.__(
        'Check that JupyterLab is still running, then refresh. (%1)',
        error instanceof Error ? error.message : String(error)
      ),
      status: 0
    });
  }

  const text = await response.text();
  let body: unknown = undefined;
  let parsed = false;
  if (text.length > 0) {
    try {
      body = JSON.parse(text);
      parsed = true;
    } catch {
      parsed = false;
    }
  }

  if (!response.ok) {
    throw Private.errorFromResponse(response, parsed ? body : undefined, trans);
  }
  if (text.length > 0 && !parsed) {
    throw new VertexAPIError({
      message: trans.__('The server answered something that is not JSON.'),
      reason: ClientReasons.invalidResponse,
      hint: trans.__(
        'Is the jupyter_vertex server extension installed and enabled? Run `jupyter server extension list`.'
      ),
      status: response.status
    });
  }
  return body as T;
}

namespace Private {
  /**
   * Build the error of a non-2xx answer.
   */
  export function errorFromResponse(
    response: Response,
    body: unknown,
    trans: TranslationBundle
  ): VertexAPIError {
    const data =
      body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
    const message = asText(data.message);
    const reason = asText(data.reason);
    const hint = asText(data.hint);
    if (message) {
      return new VertexAPIError({
        message,
        reason: reason || reasonOf(response.status),
        hint: hint || null,
        status: response.status
      });
    }
    // Not the extension's error JSON: a proxy, or the extension is missing.
    return new VertexAPIError({
      message: trans
        .__('The server answered %1 %2.', response.status, response.statusText)
        .trim(),
      reason: reason || reasonOf(response.status),
      hint:
        hint ||
        (response.status === 404
          ? trans.__(
              'Is the jupyter_vertex server extension installed and enabled? Run `jupyter server extension list`.'
            )
          : null),
      status: response.status
    });
  }

  export function asText(value: unknown): string {
    return typeof value === 'string' ? value : '';
  }

  /**
   * The reason the API would give for an HTTP status.
   */
  export function reasonOf(status: number): string {
    switch (status) {
      case 400:
        return 'INVALID_ARGUMENT';
      case 401:
        return 'UNAUTHENTICATED';
      case 403:
        return 'PERMISSION_DENIED';
      case 404:
        return 'NOT_FOUND';
      case 409:
        return 'FAILED_PRECONDITION';
      case 503:
        return 'UNAVAILABLE';
      default:
        return status >= 500 ? 'INTERNAL' : 'UNKNOWN';
    }
  }
}
