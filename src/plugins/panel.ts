import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, IToolbarWidgetRegistry } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { refreshIcon } from '@jupyterlab/ui-components';
import { IVertexAPI } from '../api/vertexAPI';
import { vertexIcon } from '../components/icons';
import { IVertexModel } from '../model/tokens';
import { VertexModel } from '../model/VertexModel';
import { machineLoader, VertexPanel } from '../panel/Panel';
import { CommandIDs, PANEL_ID, PLUGIN_ID } from '../tokens';
import { addCommands } from './commands';

/**
 * Rank in the left sidebar: just after the Git panel (200), whether or not
 * jupyterlab-git is installed.
 */
const SIDEBAR_RANK = 210;

/**
 * The Vertex AI panel in the left sidebar, its commands and settings.
 */
export const panelPlugin: JupyterFrontEndPlugin<IVertexModel> = {
  id: PLUGIN_ID,
  description:
    'A left-sidebar panel with the Vertex AI backend, its training jobs, models and endpoints, and the Train on Vertex command.',
  autoStart: true,
  provides: IVertexModel,
  requires: [IVertexAPI],
  optional: [
    ILayoutRestorer,
    ISettingRegistry,
    ICommandPalette,
    ITranslator,
    IDefaultFileBrowser,
    IToolbarWidgetRegistry
  ],
  activate: (
    app: JupyterFrontEnd,
    api: IVertexAPI,
    restorer: ILayoutRestorer | null,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null,
    translator: ITranslator | null,
    fileBrowser: IDefaultFileBrowser | null,
    toolbarRegistry: IToolbarWidgetRegistry | null
  ): IVertexModel => {
    translator = translator ?? nullTranslator;
    const trans = translator.load('jupyter_vertex');

    const model = new VertexModel({ api });
    const loadMachines = machineLoader(api);
    const panel = new VertexPanel({ model, translator, api, loadMachines });
    app.shell.add(panel, 'left', { rank: SIDEBAR_RANK });
    if (restorer) {
      restorer.add(panel, 'jupyter-vertex-panel');
    }

    app.commands.addCommand(CommandIDs.openPanel, {
      label: trans.__('Open Vertex AI Panel'),
      caption: trans.__(
        'Show the Vertex AI panel: backend, jobs, models and endpoints'
      ),
      icon: args => (args['isPalette'] ? undefined : vertexIcon),
      execute: () => {
        app.shell.activateById(PANEL_ID);
      }
    });
    app.commands.addCommand(CommandIDs.refresh, {
      label: trans.__('Refresh Vertex AI Panel'),
      caption: trans.__('Fetch the status, jobs, models and endpoints again'),
      icon: args => (args['isPalette'] ? undefined : refreshIcon),
      execute: () => model.refresh()
    });

    const commands = addCommands(app, {
      api,
      model,
      panel,
      trans,
      fileBrowser,
      toolbarRegistry,
      loadMachines
    });
    if (palette) {
      const category = trans.__('Vertex AI');
      palette.addItem({ command: CommandIDs.openPanel, category });
      palette.addItem({ command: CommandIDs.refresh, category });
      palette.addItem({ command: CommandIDs.train, category });
      palette.addItem({ command: CommandIDs.createInstance, category });
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
            const machine = settings.get('defaultMachineType').composite;
            commands.defaultMachineType =
              typeof machine === 'string' && machine ? machine : null;
            // Defaults of the Deploy dialog.
            const text = (key: string) => {
              const v = settings.get(key).composite;
              return typeof v === 'string' && v.trim() ? v.trim() : null;
            };
            panel.preferences = {
              defaultMachineType: text('defaultMachineType'),
              defaultEndpoint: text('defaultEndpoint')
            };
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
