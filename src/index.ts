import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { refreshIcon } from '@jupyterlab/ui-components';
import { VertexClient } from './api';
import { vertexIcon } from './icons';
import { VertexModel } from './model';
import { CommandIDs, IVertexModel, PANEL_ID, PLUGIN_ID } from './tokens';
import { VertexPanel } from './widgets';

/**
 * Rank in the left sidebar: just after the Git panel (200), whether or not
 * jupyterlab-git is installed.
 */
const SIDEBAR_RANK = 210;

/**
 * The Vertex AI panel in the left sidebar, its commands and settings.
 */
const plugin: JupyterFrontEndPlugin<IVertexModel> = {
  id: PLUGIN_ID,
  description:
    'A left-sidebar panel with the Vertex AI backend, its models and endpoints.',
  autoStart: true,
  provides: IVertexModel,
  optional: [ILayoutRestorer, ISettingRegistry, ICommandPalette, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    restorer: ILayoutRestorer | null,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null,
    translator: ITranslator | null
  ): IVertexModel => {
    translator = translator ?? nullTranslator;
    const trans = translator.load('jupyter_vertex');

    const api = new VertexClient({
      serverSettings: app.serviceManager.serverSettings,
      translator
    });
    const model = new VertexModel({ api });
    const panel = new VertexPanel({ model, translator });
    app.shell.add(panel, 'left', { rank: SIDEBAR_RANK });
    if (restorer) {
      restorer.add(panel, 'jupyter-vertex-panel');
    }

    app.commands.addCommand(CommandIDs.openPanel, {
      label: trans.__('Open Vertex AI Panel'),
      caption: trans.__(
        'Show the Vertex AI panel: backend, models and endpoints'
      ),
      icon: args => (args['isPalette'] ? undefined : vertexIcon),
      execute: () => {
        app.shell.activateById(PANEL_ID);
      }
    });
    app.commands.addCommand(CommandIDs.refresh, {
      label: trans.__('Refresh Vertex AI Panel'),
      caption: trans.__('Fetch the status, models and endpoints again'),
      icon: args => (args['isPalette'] ? undefined : refreshIcon),
      execute: () => model.refresh()
    });
    if (palette) {
      const category = trans.__('Vertex AI');
      palette.addItem({ command: CommandIDs.openPanel, category });
      palette.addItem({ command: CommandIDs.refresh, category });
    }

    if (settingRegistry) {
      settingRegistry
        .load(PLUGIN_ID)
        .then(settings => {
          const apply = () => {
            const value = settings.get('pollInterval').composite;
            if (typeof value === 'number') {
              model.pollInterval = value;
            }
          };
          apply();
          settings.changed.connect(apply);
        })
        .catch(reason => {
          console.error('jupyter-vertex: could not load settings.', reason);
        });
    }

    return model;
  }
};

export default plugin;
export * from './tokens';
export { requestAPI, VertexAPIError } from './request';
export { VertexClient, IVertexAPI } from './api';
export { VertexModel } from './model';
