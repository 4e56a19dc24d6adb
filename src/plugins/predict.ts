import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { IVertexAPI } from '../api/vertexAPI';
import { vertexIcon } from '../components/icons';
import { IVertexNavigator } from '../panel/tokens';
import { PLUGIN_ID } from '../tokens';
import { predictSelection } from '../dialogs/predict/command';

/**
 * The command id.
 */
export const PREDICT_SELECTION = 'jupyter-vertex:predict-selection';

/**
 * "Predict with Vertex endpoint": the selected expression of a notebook
 * cell, evaluated in its kernel, predicted by an endpoint.
 */
export const predictPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-vertex:predict',
  description:
    'Predict with a Vertex AI endpoint from an expression selected in a notebook cell.',
  autoStart: true,
  requires: [IVertexAPI, INotebookTracker],
  optional: [ICommandPalette, ISettingRegistry, ITranslator, IVertexNavigator],
  activate: (
    app: JupyterFrontEnd,
    api: IVertexAPI,
    tracker: INotebookTracker,
    palette: ICommandPalette | null,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null,
    navigator: IVertexNavigator | null
  ): void => {
    translator = translator ?? nullTranslator;
    const trans = translator.load('jupyter_vertex');

    // The endpoint last used, kept in the `defaultEndpoint` setting.
    let settings: ISettingRegistry.ISettings | null = null;
    let lastEndpoint: string | null = null;
    if (settingRegistry) {
      settingRegistry
        .load(PLUGIN_ID)
        .then(loaded => {
          settings = loaded;
        })
        .catch(reason => {
          console.warn('jupyter-vertex: could not load settings.', reason);
        });
    }
    const remembered = (): string | null => {
      const value = settings?.get('defaultEndpoint').composite;
      return (
        lastEndpoint ?? (typeof value === 'string' && value ? value : null)
      );
    };
    const remember = (endpointId: string): void => {
      lastEndpoint = endpointId;
      if (
        settings &&
        settings.get('defaultEndpoint').composite !== endpointId
      ) {
        settings.set('defaultEndpoint', endpointId).catch(reason => {
          console.warn('jupyter-vertex: could not save the endpoint.', reason);
        });
      }
    };

    const enabled = (): boolean =>
      tracker.currentWidget?.content.activeCell?.model.type === 'code';

    app.commands.addCommand(PREDICT_SELECTION, {
      label: trans.__('Predict with Vertex endpoint'),
      caption: trans.__(
        'Evaluate the selected expression (or the current line) in the kernel and send it to a Vertex AI endpoint for predictions'
      ),
      icon: args => (args['isPalette'] ? undefined : vertexIcon),
      isEnabled: enabled,
      execute: async () => {
        const notebook = tracker.currentWidget;
        if (!notebook) {
          return null;
        }
        return predictSelection({
          api,
          notebook,
          trans,
          remembered,
          remember,
          open: widget => {
            app.shell.add(widget, 'main', { mode: 'split-right' });
            app.shell.activateById(widget.id);
          },
          showNotebook: panel => app.shell.activateById(panel.id),
          // A large selection can go to a batch job, shown in its tab.
          batch: navigator
            ? {
                contents: app.serviceManager.contents,
                loadMachines: () => navigator.loadMachines(),
                openBatchJob: id => navigator.open({ kind: 'batchJob', id })
              }
            : undefined
        });
      }
    });
    // Enabled state follows the active cell.
    tracker.activeCellChanged.connect(() =>
      app.commands.notifyCommandChanged(PREDICT_SELECTION)
    );

    app.contextMenu.addItem({
      command: PREDICT_SELECTION,
      selector: '.jp-Notebook .jp-CodeCell',
      rank: 12
    });
    if (palette) {
      palette.addItem({
        command: PREDICT_SELECTION,
        category: trans.__('Vertex AI')
      });
    }
  }
};
