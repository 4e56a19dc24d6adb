import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, showErrorMessage } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { VertexAPIError } from '../api/request';
import { IVertexAPI } from '../api/vertexAPI';
import { pipelineIcon } from '../components/icons';
import { runPipelineFile } from '../dialogs/pipeline/PipelineDialog';
import { IVertexNavigator } from '../panel/tokens';
import { CommandIDs } from '../tokens';

/**
 * The files Run as pipeline takes: a `.py` defining a `@dsl.pipeline`, or
 * a pipeline compiled by kfp (`.yaml`, `.yml`, `.json`).
 */
export function pipelinePath(path: string): string | null {
  return /\.(py|ya?ml|json)$/i.test(path) ? path : null;
}

/**
 * "Run as Pipeline" (file browser context menu, palette): the form from the
 * pipeline's parameters, then the new run's tab.
 */
export const pipelinesPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-vertex:pipelines',
  description:
    'Run as Pipeline: run a kfp pipeline (.py or compiled .yaml/.json) on Vertex AI Pipelines.',
  autoStart: true,
  requires: [IVertexAPI, IVertexNavigator],
  optional: [ICommandPalette, ITranslator, IDefaultFileBrowser],
  activate: (
    app: JupyterFrontEnd,
    api: IVertexAPI,
    navigator: IVertexNavigator,
    palette: ICommandPalette | null,
    translator: ITranslator | null,
    fileBrowser: IDefaultFileBrowser | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyter_vertex');
    /**
     * The command's `path`, else the file browser's selected item (context
     * menu), else the current document (palette).
     */
    const targetPath = (args: Record<string, unknown>): string | null => {
      if (typeof args['path'] === 'string') {
        return pipelinePath(args['path']);
      }
      const node = app.contextMenuHitTest(n =>
        n.classList.contains('jp-DirListing-item')
      );
      if (node && fileBrowser) {
        const selected = fileBrowser.selectedItems().next();
        const item = selected && !selected.done ? selected.value : null;
        return item ? pipelinePath(item.path) : null;
      }
      const current = app.shell.currentWidget as unknown as {
        context?: { path?: unknown };
      } | null;
      const path = current?.context?.path;
      return typeof path === 'string' ? pipelinePath(path) : null;
    };
    app.commands.addCommand(CommandIDs.runPipeline, {
      label: trans.__('Run as Pipeline'),
      caption: trans.__(
        'Run this kfp pipeline (.py with a @dsl.pipeline, or compiled .yaml/.json) on Vertex AI Pipelines'
      ),
      icon: args => (args['isPalette'] ? undefined : pipelineIcon),
      isEnabled: args => targetPath(args) !== null,
      execute: async args => {
        const path = targetPath(args);
        if (!path) {
          return null;
        }
        try {
          const created = await runPipelineFile({ api, path, trans });
          if (created) {
            navigator.open({ kind: 'pipelineJob', id: created.job.id });
            void app.commands.execute(CommandIDs.refresh);
          }
          return created;
        } catch (reason) {
          void showErrorMessage(
            trans.__('Run as Pipeline'),
            VertexAPIError.from(reason)
          );
          return null;
        }
      }
    });
    app.shell.currentChanged?.connect(() => {
      app.commands.notifyCommandChanged(CommandIDs.runPipeline);
    });
    for (const fileType of ['python', 'yaml', 'json']) {
      app.contextMenu.addItem({
        command: CommandIDs.runPipeline,
        selector: `.jp-DirListing-item[data-file-type="${fileType}"]`,
        rank: 61
      });
    }
    if (palette) {
      palette.addItem({
        command: CommandIDs.runPipeline,
        category: trans.__('Vertex AI')
      });
    }
  }
};
