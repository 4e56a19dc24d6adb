import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { refreshIcon } from '@jupyterlab/ui-components';
import { IVertexAPI } from '../api/vertexAPI';
import { vertexIcon } from '../components/icons';
import { IVertexModel } from '../model/tokens';
import { machineLoader, VertexPanel } from '../panel/Panel';
import { IVertexNavigator } from '../panel/tokens';
import { CommandIDs, PANEL_ID, PLUGIN_ID } from '../tokens';
import { followSettings } from './settings';

/**
 * Rank in the left sidebar: just after the Git panel (200), whether or not
 * jupyterlab-git is installed.
 */
const SIDEBAR_RANK = 210;

/**
 * The Vertex AI panel in the left sidebar, its commands and settings; it
 * provides where the other commands show what they made.
 */
export const panelPlugin: JupyterFrontEndPlugin<IVertexNavigator> = {
  id: PLUGIN_ID,
  description:
    'A left-sidebar panel with the Vertex AI backend, its training jobs, models and endpoints.',
  autoStart: true,
  provides: IVertexNavigator,
  requires: [IVertexAPI, IVertexModel],
  optional: [ILayoutRestorer, ISettingRegistry, ICommandPalette, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    api: IVertexAPI,
    model: IVertexModel,
    restorer: ILayoutRestorer | null,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null,
    translator: ITranslator | null
  ): IVertexNavigator => {
    translator = translator ?? nullTranslator;
    const trans = translator.load('jupyter_vertex');

    const loadMachines = machineLoader(api);
    const panel = new VertexPanel({
      model,
      translator,
      api,
      loadMachines,
      // A copied artifact opens as JupyterLab opens files: documents in the
      // main area, a folder in the file browser.
      openArtifact: async copy => {
        await app.commands.execute(
          copy.kind === 'directory'
            ? 'filebrowser:go-to-path'
            : 'docmanager:open',
          { path: copy.path }
        );
      }
    });
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
    if (palette) {
      const category = trans.__('Vertex AI');
      palette.addItem({ command: CommandIDs.openPanel, category });
      palette.addItem({ command: CommandIDs.refresh, category });
    }

    followSettings(settingRegistry, settings => {
      const value = settings.get('pollInterval').composite;
      if (typeof value === 'number') {
        model.pollInterval = value;
      }
      // Defaults of the Deploy dialog.
      const text = (key: string) => {
        const v = settings.get(key).composite;
        return typeof v === 'string' && v.trim() ? v.trim() : null;
      };
      panel.preferences = {
        defaultMachineType: text('defaultMachineType'),
        defaultEndpoint: text('defaultEndpoint')
      };
    });

    const reveal = () => app.shell.activateById(PANEL_ID);
    return {
      reveal,
      openJob: job => {
        reveal();
        panel.showJob(job, job);
      },
      operations: panel.tracker,
      loadMachines
    };
  }
};
