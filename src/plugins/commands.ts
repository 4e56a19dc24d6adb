import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, IToolbarWidgetRegistry } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import { ToolbarButton } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import { IVertexAPI } from '../api/vertexAPI';
import { vertexIcon } from '../components/icons';
import { createInstanceFlow } from '../dialogs/instance/InstanceDialog';
import { trainablePath, trainFile } from '../dialogs/train/trainFile';
import { IVertexModel } from '../model/tokens';
import { IVertexNavigator } from '../panel/tokens';
import { CommandIDs } from '../tokens';
import { followSettings } from './settings';

/**
 * "Train on Vertex" (context menu, toolbars, palette) and "Create Workbench
 * Instance": the commands that open a dialog and then show its result
 * through the IVertexNavigator.
 */
export const commandsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-vertex:commands',
  description:
    'The Train on Vertex command (file browser, notebook and editor toolbars) and Create Workbench Instance.',
  autoStart: true,
  requires: [IVertexAPI, IVertexModel, IVertexNavigator],
  optional: [
    ISettingRegistry,
    ICommandPalette,
    ITranslator,
    IDefaultFileBrowser,
    IToolbarWidgetRegistry
  ],
  activate: (
    app: JupyterFrontEnd,
    api: IVertexAPI,
    model: IVertexModel,
    navigator: IVertexNavigator,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null,
    translator: ITranslator | null,
    fileBrowser: IDefaultFileBrowser | null,
    toolbarRegistry: IToolbarWidgetRegistry | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyter_vertex');
    /**
     * The file to train: the command's `path` argument, else the file
     * browser's selected item (context menu), else the current document
     * (toolbars, palette).
     */
    const targetPath = (args: Record<string, unknown>): string | null => {
      if (typeof args['path'] === 'string') {
        return trainablePath(args['path']);
      }
      if (fileBrowser) {
        const node = app.contextMenuHitTest(n =>
          n.classList.contains('jp-DirListing-item')
        );
        if (node) {
          const selected = fileBrowser.selectedItems().next();
          const item = selected && !selected.done ? selected.value : null;
          return item ? trainablePath(item.path) : null;
        }
      }
      const current = app.shell.currentWidget as unknown as {
        context?: { path?: unknown };
      } | null;
      const path = current?.context?.path;
      return typeof path === 'string' ? trainablePath(path) : null;
    };

    // The `defaultMachineType` setting, for the Train dialog.
    let defaultMachineType: string | null = null;
    followSettings(settingRegistry, settings => {
      const machine = settings.get('defaultMachineType').composite;
      defaultMachineType =
        typeof machine === 'string' && machine ? machine : null;
    });

    const hasInstances = () =>
      Boolean(model.status?.capabilities.includes('instances'));
    app.commands.addCommand(CommandIDs.createInstance, {
      label: trans.__('Create Workbench Instance'),
      caption: trans.__(
        'Create a Vertex AI Workbench instance: a JupyterLab on its own machine, with a GPU if you need one'
      ),
      icon: args => (args['isPalette'] ? undefined : vertexIcon),
      isEnabled: hasInstances,
      execute: async () => {
        navigator.reveal();
        const machines = await navigator.loadMachines().catch(() => null);
        return createInstanceFlow({
          api,
          follower: navigator.operations,
          machines,
          trans,
          onChanged: () => {
            void model.refreshInstances();
            void model.refreshRunning();
          }
        });
      }
    });
    model.stateChanged.connect(() =>
      app.commands.notifyCommandChanged(CommandIDs.createInstance)
    );

    app.commands.addCommand(CommandIDs.train, {
      label: trans.__('Train on Vertex'),
      caption: trans.__(
        'Train this Python script or notebook as a Vertex AI custom job'
      ),
      icon: args => (args['isPalette'] ? undefined : vertexIcon),
      isEnabled: args => targetPath(args) !== null,
      isVisible: args =>
        args['isPalette'] === true || targetPath(args) !== null,
      execute: async args => {
        const path = targetPath(args);
        if (!path) {
          return;
        }
        const job = await trainFile({
          api,
          path,
          trans,
          defaultMachineType,
          onShowJob: created => navigator.openJob(created)
        });
        if (job) {
          // Its tab follows the new job from its first log line.
          navigator.openJob(job);
          void model.refreshJobs();
        }
        return job;
      }
    });
    // The palette item follows the current document.
    app.shell.currentChanged?.connect(() => {
      app.commands.notifyCommandChanged(CommandIDs.train);
    });
    for (const fileType of ['python', 'notebook']) {
      app.contextMenu.addItem({
        command: CommandIDs.train,
        selector: `.jp-DirListing-item[data-file-type="${fileType}"]`,
        rank: 60
      });
    }
    if (toolbarRegistry) {
      addTrainButton(app, toolbarRegistry, trans);
    }
    if (palette) {
      const category = trans.__('Vertex AI');
      palette.addItem({ command: CommandIDs.train, category });
      palette.addItem({ command: CommandIDs.createInstance, category });
    }
  }
};

/**
 * "Train" on the notebook and Python editor toolbars (`vertex-train` in
 * schema/plugin.json), for the document of that toolbar.
 */
function addTrainButton(
  app: JupyterFrontEnd,
  toolbarRegistry: IToolbarWidgetRegistry,
  trans: TranslationBundle
): void {
  const factory = (widget: Widget): Widget => {
    const context = (
      widget as unknown as {
        context?: {
          path: string;
          pathChanged?: { connect: (f: () => void) => void };
        };
      }
    ).context;
    const button = new ToolbarButton({
      icon: vertexIcon,
      label: trans.__('Train'),
      tooltip: trans.__('Train on Vertex'),
      onClick: () => {
        if (context) {
          void app.commands.execute(CommandIDs.train, {
            path: context.path
          });
        }
      }
    });
    button.addClass('jp-Vertex-trainButton');
    const sync = () => {
      button.setHidden(!context || trainablePath(context.path) === null);
    };
    sync();
    context?.pathChanged?.connect(sync);
    return button;
  };
  toolbarRegistry.addFactory('Notebook', 'vertex-train', factory);
  toolbarRegistry.addFactory('Editor', 'vertex-train', factory);
}
