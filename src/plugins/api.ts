import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { VertexClient } from '../api/client';
import { IVertexAPI } from '../api/vertexAPI';

/**
 * The one client of the extension's REST API; the panel and the predict
 * plugins require it rather than each making its own.
 */
export const apiPlugin: JupyterFrontEndPlugin<IVertexAPI> = {
  id: 'jupyter-vertex:api',
  description: 'The client of the jupyter_vertex REST API.',
  autoStart: true,
  provides: IVertexAPI,
  optional: [ITranslator],
  activate: (
    app: JupyterFrontEnd,
    translator: ITranslator | null
  ): IVertexAPI =>
    new VertexClient({
      serverSettings: app.serviceManager.serverSettings,
      translator: translator ?? nullTranslator
    })
};
