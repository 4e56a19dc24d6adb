import { ServerConnection } from '@jupyterlab/services';
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import { requestAPI } from './request';

/**
 * What every part of the REST client shares: the server's settings and the
 * two ways of calling the extension's API.
 */
export class RequestClient {
  constructor(options: RequestClient.IOptions = {}) {
    this.serverSettings =
      options.serverSettings ?? ServerConnection.makeSettings();
    this._trans = (options.translator ?? nullTranslator).load('jupyter_vertex');
  }

  readonly serverSettings: ServerConnection.ISettings;

  protected _get<T>(path: string): Promise<T> {
    return requestAPI<T>(
      path,
      { method: 'GET' },
      { serverSettings: this.serverSettings, trans: this._trans }
    );
  }

  protected _send<T>(method: string, path: string, body?: unknown): Promise<T> {
    const init: RequestInit = { method };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { 'Content-Type': 'application/json' };
    }
    return requestAPI<T>(path, init, {
      serverSettings: this.serverSettings,
      trans: this._trans
    });
  }

  private _trans: TranslationBundle;
}

export namespace RequestClient {
  export interface IOptions {
    serverSettings?: ServerConnection.ISettings;
    translator?: ITranslator;
  }
}
