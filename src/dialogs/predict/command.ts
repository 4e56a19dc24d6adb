import { showErrorMessage } from '@jupyterlab/apputils';
import { Kernel } from '@jupyterlab/services';
import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import type { NotebookPanel } from '@jupyterlab/notebook';
import { IVertexAPI } from '../../api/vertexAPI';
import { IEndpoint } from '../../api/types';
import { batchInstead, IBatchPath } from './batchInstead';
import { InstanceMode, instancesOf } from './instances';
import { evaluateInKernel, selectedExpression } from './kernel';
import {
  askPrediction,
  IPredictChoice,
  PredictDialogBody
} from './PredictDialog';
import { createResultWidget } from './ResultView';
import { PredictionRun } from './run';
import { IProbeValue, ProbeResult } from './snippet';

/**
 * "Predict with Vertex endpoint" for the active cell of a notebook:
 * evaluate the selection in the kernel, ask how and where to predict, and
 * open the result view. Resolves with the run (or `null` when it stopped
 * before predicting: cancelled, or a message was shown).
 */
export async function predictSelection(
  options: predictSelection.IOptions
): Promise<PredictionRun | null> {
  const { api, notebook, trans } = options;
  const evaluate = options.evaluate ?? evaluateInKernel;
  const ask = options.ask ?? askPrediction;
  const title = trans.__('Predict with Vertex endpoint');

  const cell = notebook.content.activeCell;
  if (!cell || cell.model.type !== 'code') {
    await showErrorMessage(
      title,
      trans.__('Select an expression in a code cell, e.g. `X[:3]`.')
    );
    return null;
  }
  // The active cell is rendered, so it has an editor (windowed notebooks
  // only skip cells out of view).
  const expression = cell.editor ? selectedExpression(cell.editor) : '';
  if (!expression) {
    await showErrorMessage(
      title,
      trans.__(
        'Select an expression in the cell (or put the cursor on a line with one), e.g. `X[:3]`.'
      )
    );
    return null;
  }
  const kernel = notebook.sessionContext.session?.kernel ?? null;
  if (!kernel) {
    await showErrorMessage(
      title,
      trans.__(
        "This notebook has no kernel. Start one and run the cells that define the selection's names."
      )
    );
    return null;
  }

  let probe: ProbeResult;
  try {
    probe = await evaluate(kernel, expression, trans);
  } catch (reason) {
    await showErrorMessage(title, reason as Error);
    return null;
  }
  if (!probe.ok) {
    const hint =
      probe.error.type === 'NameError'
        ? ' ' + trans.__('Run the cells that define it first.')
        : '';
    await showErrorMessage(
      trans.__('Could not evaluate %1', expression),
      `${probe.error.type}: ${probe.error.message}${hint}`
    );
    return null;
  }

  let endpoints: IEndpoint[];
  try {
    endpoints = (await api.listEndpoints({ pageSize: 100 })).endpoints;
  } catch (reason) {
    await showErrorMessage(title, reason as Error);
    return null;
  }
  const choice = await ask({
    value: probe,
    expression,
    endpoints,
    remembered: options.remembered(),
    trans,
    offerBatch: options.batch !== undefined
  });
  if (!choice) {
    return null;
  }
  options.remember(choice.endpointId);

  const endpoint = endpoints.find(e => e.id === choice.endpointId);
  if (choice.batch && options.batch && endpoint) {
    try {
      await batchInstead({
        ...options.batch,
        api,
        notebookPath: notebook.context.localPath,
        value: probe,
        expression,
        endpoint,
        trans
      });
    } catch (reason) {
      await showErrorMessage(
        trans.__('Batch predict instead'),
        reason as Error
      );
    }
    return null;
  }
  const run = new PredictionRun({
    api,
    endpointId: choice.endpointId,
    instances: instancesOf(probe, choice.mode),
    trans
  });
  const cellId = cell.model.id;
  const widget = createResultWidget({
    run,
    expression,
    endpointLabel: endpoint?.displayName || choice.endpointId,
    trans,
    onInsertCell: async () => {
      const answer = await api.predictCode({
        endpointId: choice.endpointId,
        bulk: run.mode === 'bulk'
      });
      const code = withInstancesFrom(
        answer.code,
        instancesExpression(expression, probe as IProbeValue, choice.mode)
      );
      insertCodeCellBelow(notebook, cellId, code);
      options.showNotebook?.(notebook);
    }
  });
  options.open(widget);
  void run.start();
  return run;
}

export namespace predictSelection {
  export interface IOptions {
    api: IVertexAPI;
    notebook: NotebookPanel;
    trans: TranslationBundle;
    /**
     * The remembered endpoint (id or display name), if any.
     */
    remembered: () => string | null;
    remember: (endpointId: string) => void;
    /**
     * Show the result view (e.g. add it to the main area).
     */
    open: (widget: Widget) => void;
    /**
     * Bring the notebook forward after a cell was inserted.
     */
    showNotebook?: (notebook: NotebookPanel) => void;
    /**
     * Where "Batch predict instead" writes the rows and opens the job; the
     * dialog offers it only when given.
     */
    batch?: IBatchPath;
    evaluate?: (
      kernel: Kernel.IKernelConnection,
      expression: string,
      trans: TranslationBundle
    ) => Promise<ProbeResult>;
    ask?: (
      options: PredictDialogBody.IOptions
    ) => Promise<IPredictChoice | null>;
  }
}

/**
 * Python that builds the same instances from the expression in the
 * notebook, for the inserted SDK code.
 */
export function instancesExpression(
  expression: string,
  value: IProbeValue,
  mode: InstanceMode
): string {
  const source = /^[\w.]+(\[[^\]]*\])*$/.test(expression)
    ? expression
    : `(${expression})`;
  let rows: string;
  switch (value.kind) {
    case 'DataFrame':
    case 'Series':
      rows = `${source}.to_numpy().tolist()`;
      break;
    case 'ndarray':
    case 'array':
      rows = `${source}.tolist()`;
      break;
    case 'tuple':
      rows = `list(${source})`;
      break;
    default:
      rows = source;
  }
  return mode === 'rows' && Array.isArray(value.values) ? rows : `[${rows}]`;
}

/**
 * The SDK code with its `instances = …` line replaced by ours (or ours put
 * first when it has none).
 */
export function withInstancesFrom(code: string, instances: string): string {
  const line = `instances = ${instances}`;
  const lines = code.split('\n');
  const index = lines.findIndex(l => /^instances\s*=/.test(l));
  if (index < 0) {
    return `${line}\n${code}`;
  }
  lines[index] = line;
  return lines.join('\n');
}

/**
 * Insert a code cell below the cell with this model id (or at the end when
 * that cell is gone) and make it active.
 */
export function insertCodeCellBelow(
  notebook: NotebookPanel,
  cellId: string,
  source: string
): void {
  const content = notebook.content;
  const model = content.model;
  if (!model) {
    return;
  }
  const cells = content.widgets;
  const at = cells.findIndex(c => c.model.id === cellId);
  const index = at < 0 ? cells.length : at + 1;
  model.sharedModel.insertCell(index, { cell_type: 'code', source });
  content.activeCellIndex = index;
}
