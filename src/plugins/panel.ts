import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { refreshIcon } from '@jupyterlab/ui-components';
import { IVertexAPI } from '../api/vertexAPI';
import { vertexIcon } from '../components/icons';
import { BatchJobs } from '../model/batchJobs';
import { PipelineJobs } from '../model/pipelineJobs';
import { PipelineSchedules } from '../model/pipelineSchedules';
import { IVertexModel } from '../model/tokens';
import { OperationTracker } from '../model/operations';
import { machineLoader, VertexPanel } from '../panel/Panel';
import { IVertexNavigator } from '../panel/tokens';
import { argsOf, resourceFromArgs, tabId } from '../tabs/resources';
import { VertexTabs } from '../tabs/VertexTabs';
import { ModelDetail } from '../views/ModelDetail';
import { CommandIDs, PANEL_ID, PLUGIN_ID } from '../tokens';
import { cellInserter, selectedFiles } from './cells';
import { followSettings } from './settings';

/**
 * Rank in the left sidebar: just after the Git panel (200), whether or not
 * jupyterlab-git is installed.
 */
const SIDEBAR_RANK = 210;

/**
 * The Vertex AI panel in the left sidebar, the main-area tabs its rows open
 * (restored on reload), its commands and settings; it provides where the
 * other commands show what they made.
 */
export const panelPlugin: JupyterFrontEndPlugin<IVertexNavigator> = {
  id: PLUGIN_ID,
  description:
    'A left-sidebar panel with the Vertex AI backend, its training jobs, models and endpoints.',
  autoStart: true,
  provides: IVertexNavigator,
  requires: [IVertexAPI, IVertexModel],
  optional: [
    ILayoutRestorer,
    ISettingRegistry,
    ICommandPalette,
    ITranslator,
    INotebookTracker,
    IDefaultFileBrowser
  ],
  activate: (
    app: JupyterFrontEnd,
    api: IVertexAPI,
    model: IVertexModel,
    restorer: ILayoutRestorer | null,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null,
    translator: ITranslator | null,
    notebooks: INotebookTracker | null,
    fileBrowser: IDefaultFileBrowser | null
  ): IVertexNavigator => {
    translator = translator ?? nullTranslator;
    const trans = translator.load('jupyter_vertex');

    const loadMachines = machineLoader(api);
    let preferences: ModelDetail.IPreferences = {};
    const open = (args: ReadonlyPartialJSONObject) =>
      app.commands.execute(CommandIDs.open, args);
    const batchJobs = new BatchJobs({ api, model });
    const pipelineJobs = new PipelineJobs({ api, model });
    const pipelineSchedules = new PipelineSchedules({ api, model });
    const panel = new VertexPanel({
      model,
      translator,
      api,
      loadMachines,
      batchJobs,
      pipelineJobs,
      pipelineSchedules,
      onOpen: resource => void open(argsOf(resource))
    });
    app.shell.add(panel, 'left', { rank: SIDEBAR_RANK });
    if (restorer) {
      restorer.add(panel, 'jupyter-vertex-panel');
    }
    // The panel's tracker follows the operations its tabs start, so that
    // each operation has one notification whichever view started it.
    const tracker = panel.tracker ?? new OperationTracker({ api, trans });
    const tabs = new VertexTabs({
      shell: app.shell,
      context: {
        model,
        api,
        trans,
        tracker,
        loadMachines,
        preferences: () => preferences,
        open: resource => void open(argsOf(resource)),
        batchJobs,
        pipelineJobs,
        insertCell: cellInserter(notebooks, id => app.shell.activateById(id)),
        browserPaths: selectedFiles(fileBrowser),
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
      }
    });

    app.commands.addCommand(CommandIDs.open, {
      label: args =>
        typeof args['label'] === 'string'
          ? args['label']
          : trans.__('Open Vertex AI Details'),
      caption: trans.__(
        'Open a job, model, endpoint, instance, batch job or pipeline run in a main-area tab'
      ),
      describedBy: {
        args: {
          type: 'object',
          properties: {
            kind: {
              type: 'string',
              enum: [
                'job',
                'model',
                'endpoint',
                'instance',
                'batchJob',
                'pipelineJob'
              ]
            },
            jobKind: {
              type: 'string',
              enum: ['customJob', 'trainingPipeline']
            },
            id: { type: 'string' }
          },
          required: ['kind', 'id']
        }
      },
      execute: args => {
        const resource = resourceFromArgs(args);
        if (!resource) {
          throw new Error(
            trans.__(
              'Open Vertex AI details: expected {kind, id}, got %1',
              JSON.stringify(args)
            )
          );
        }
        return tabs.open(resource, {
          activate: args['activate'] !== false
        });
      }
    });
    if (restorer) {
      void restorer.restore(tabs.tracker, {
        command: CommandIDs.open,
        // Restored tabs come back where they were without taking the focus.
        args: widget => ({
          ...argsOf(widget.content.resource),
          activate: false
        }),
        name: widget => tabId(widget.content.resource)
      });
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
      execute: () =>
        Promise.all([
          model.refresh(),
          batchJobs.refresh().catch(() => null),
          pipelineJobs.refresh().catch(() => null),
          pipelineSchedules.refresh().catch(() => null)
        ])
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
        batchJobs.pollInterval = model.pollInterval;
        pipelineJobs.pollInterval = model.pollInterval;
        pipelineSchedules.pollInterval = model.pollInterval;
      }
      // Defaults of the Deploy dialog.
      const text = (key: string) => {
        const v = settings.get(key).composite;
        return typeof v === 'string' && v.trim() ? v.trim() : null;
      };
      preferences = {
        defaultMachineType: text('defaultMachineType'),
        defaultEndpoint: text('defaultEndpoint')
      };
    });

    const reveal = () => app.shell.activateById(PANEL_ID);
    return {
      reveal,
      open: resource => void open(argsOf(resource)),
      openJob: job => {
        // The job just created is not listed yet: its tab shows this copy.
        tabs.open(
          { kind: 'job', jobKind: job.kind, id: job.id },
          { seed: job }
        );
      },
      operations: tracker,
      loadMachines
    };
  }
};
