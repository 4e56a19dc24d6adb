import { IModelExample } from '../api/types';

/**
 * Where the Test editor's first text comes from, best first.
 *
 * - `last-request`: the last request that succeeded on this endpoint (this
 *   browser remembers it);
 * - `artifact`: `instance_example.json` saved beside the model's artifacts
 *   by the training code;
 * - `schema`: the model's instance schema (its example, or its shape);
 * - `label`: zeros of the size the model's `input-size` label states.
 */
export type PrefillSource = 'last-request' | 'artifact' | 'schema' | 'label';

export interface IPrefill {
  /**
   * The editor's text: a JSON array of instances, or a request body with
   * parameters.
   */
  text: string;
  source: PrefillSource;
}

/**
 * What a request body looks like in the editor.
 */
export function requestText(body: {
  instances: unknown[];
  parameters?: unknown;
}): string {
  return body.parameters === undefined
    ? JSON.stringify(body.instances)
    : JSON.stringify({
        instances: body.instances,
        parameters: body.parameters
      });
}

/**
 * The best prefill known without failing first, or `null`.
 *
 * @param options.lastRequest - the remembered text of the last successful
 *   request to the endpoint
 * @param options.examples - the deployed models' examples (any order;
 *   those saved with a model come before those from a schema)
 * @param options.labelSize - the input size the models' labels state
 */
export function choosePrefill(options: {
  lastRequest: string | null;
  examples: ReadonlyArray<IModelExample | null>;
  labelSize: number | null;
}): IPrefill | null {
  if (options.lastRequest) {
    return { text: options.lastRequest, source: 'last-request' };
  }
  for (const source of ['artifact', 'schema'] as const) {
    const found = options.examples.find(
      example => example?.source === source && example.instances?.length
    );
    if (found?.instances) {
      return { text: requestText({ instances: found.instances }), source };
    }
  }
  if (options.labelSize) {
    return {
      text: JSON.stringify([new Array(options.labelSize).fill(0)]),
      source: 'label'
    };
  }
  return null;
}

/**
 * The last successful request per endpoint, remembered in the browser's
 * local storage (so it survives a reload), at most `MAX_CHARS` each.
 */
export class LastRequests {
  static readonly MAX_CHARS = 64 * 1024;
  static readonly PREFIX = 'jupyter-vertex:last-request:';

  constructor(storage: Pick<Storage, 'getItem' | 'setItem'> | null) {
    this._storage = storage;
  }

  /**
   * The one the views share (`null` storage where the browser has none).
   */
  static get shared(): LastRequests {
    if (!LastRequests._shared) {
      let storage: Storage | null = null;
      try {
        storage = window.localStorage;
      } catch {
        // Storage disabled (privacy settings): remember nothing.
      }
      LastRequests._shared = new LastRequests(storage);
    }
    return LastRequests._shared;
  }

  get(endpointId: string): string | null {
    try {
      return this._storage?.getItem(LastRequests.PREFIX + endpointId) ?? null;
    } catch {
      return null;
    }
  }

  remember(
    endpointId: string,
    body: { instances: unknown[]; parameters?: unknown }
  ): void {
    const text = requestText(body);
    if (text.length > LastRequests.MAX_CHARS) {
      return; // Too big to be a convenient start; keep the previous one.
    }
    try {
      this._storage?.setItem(LastRequests.PREFIX + endpointId, text);
    } catch {
      // Quota exceeded: only a convenience.
    }
  }

  private _storage: Pick<Storage, 'getItem' | 'setItem'> | null;
  private static _shared: LastRequests | null = null;
}
