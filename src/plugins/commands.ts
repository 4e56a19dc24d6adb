import { JupyterFrontEnd } from '@jupyterlab/application';
import { IToolbarWidgetRegistry } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { TranslationBundle } from '@jupyterlab/translation';
import { ToolbarButton } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import { IVertexAPI } from '../api/vertexAPI';
import { vertexIcon } from '../components/icons';
import { createInstanceFlow } from '../dialogs/instance/InstanceDialog';
import { trainablePath, trainFile } from '../dialogs/train/trainFile';
import { VertexModel } from '../model/VertexModel';
import { IMachineOption } from '../dialogs/deploy/DeployDialog';
import { VertexPanel } from '../panel/Panel';
import { CommandIDs, PANEL_ID } from '../tokens';

/**
 * What the panel plugin may change after the commands exist: the settings
 * they read.
 */
export interface ICommands {
  /**
   * The `defaultMachineType` setting, for the Train dialog.
   */
  defaultMachineType: string | null;
}

/**
 * Add "Train on Vertex" (context menu, toolbars) and "Create Workbench
 * Instance": the commands that open a dialog and then show its result in the
 * panel.
 */
export function addCommands(
  app: JupyterFrontEnd,
  options: {
    api: IVertexAPI;
    model: VertexModel;
    panel: VertexPanel;
    trans: TranslationBundle;
    fileBrowser: IDefaultFileBrowser | null;
    toolbarRegistry: IToolbarWidgetRegistry | null;
    loadMachines: () => Promise<ReadonlyArray<IMachineOption>>;
  }
): ICommands {
  const {
    api,
    model,
    panel,
    trans,
    fileBrowser,
    toolbarRegistry,
    loadMachines
  } = options;
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
  const commands: ICommands = { defaultMachineType: null };
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
      app.shell.activateById(PANEL_ID);
      const machines = await loadMachines().catch(() => null);
      return createInstanceFlow({
        api,
        follower: panel.tracker,
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
    isVisible: args => args['isPalette'] === true || targetPath(args) !== null,
    execute: async args => {
      const path = targetPath(args);
      if (!path) {
        return;
      }
      const job = await trainFile({
        api,
        path,
        trans,
        defaultMachineType: commands.defaultMachineType,
        onShowJob: created => {
          app.shell.activateById(PANEL_ID);
          panel.showJob(created, created);
        }
      });
      if (job) {
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

  // "Train" on the notebook and Python editor toolbars (`vertex-train` in
  // schema/plugin.json), for the document of that toolbar.
  if (toolbarRegistry) {
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

  return commands;
}
