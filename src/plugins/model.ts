import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { IVertexAPI } from '../api/vertexAPI';
import { localHardware } from '../model/hardware';
import { IVertexModel } from '../model/tokens';
import { VertexModel } from '../model/VertexModel';

/**
 * The panel's state and its polling, apart from the panel so that both the
 * panel and the commands plugins can require it (a plugin provides one
 * token, and the panel plugin provides the IVertexNavigator).
 */
export const modelPlugin: JupyterFrontEndPlugin<IVertexModel> = {
  id: 'jupyter-vertex:model',
  description:
    'The state of the Vertex AI panel: status, jobs, models, endpoints and instances, kept fresh by polling.',
  autoStart: true,
  provides: IVertexModel,
  requires: [IVertexAPI],
  activate: (app: JupyterFrontEnd, api: IVertexAPI): IVertexModel => {
    // The dialogs may say "runs on CPU here" before the panel is first shown
    // (its poll stands by while hidden): read the status once now.
    void api.status().then(
      status => localHardware.update(status),
      () => undefined
    );
    return new VertexModel({ api });
  }
};
