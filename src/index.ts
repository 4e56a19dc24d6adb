import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, IToolbarWidgetRegistry } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { refreshIcon, ToolbarButton } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import { VertexClient } from './api';
import { vertexIcon } from './icons';
import { VertexModel } from './model';
import { CommandIDs, IVertexModel, PANEL_ID, PLUGIN_ID } from './tokens';
import { machineLoader, VertexPanel } from './widgets';
import { createInstanceFlow } from './widgets/InstanceDialog';
import { trainFile, trainablePath } from './train';
import { predictPlugin } from './predict/plugin';

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
    'A left-sidebar panel with the Vertex AI backend, its training jobs, models and endpoints, and the Train on Vertex command.',
  autoStart: true,
  provides: IVertexModel,
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
    restorer: ILayoutRestorer | null,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null,
    translator: ITranslator | null,
    fileBrowser: IDefaultFileBrowser | null,
    toolbarRegistry: IToolbarWidgetRegistry | null
  ): IVertexModel => {
    translator = translator ?? nullTranslator;
    const trans = translator.load('jupyter_vertex');

    const api = new VertexClient({
      serverSettings: app.serviceManager.serverSettings,
      translator
    });
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
            defaultMachineType =
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

export default [plugin, predictPlugin];
export * from './tokens';
export { requestAPI, VertexAPIError } from './request';
export { VertexClient, IVertexAPI } from './api';
export { VertexModel } from './model';
