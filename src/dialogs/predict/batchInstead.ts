import { PathExt } from '@jupyterlab/coreutils';
import type { Contents } from '@jupyterlab/services';
import { TranslationBundle } from '@jupyterlab/translation';
import type { IBatchCreated, IDeployedModel, IEndpoint } from '../../api/types';
import type { IVertexAPI } from '../../api/vertexAPI';
import { batchDialog, initialBatchForm } from '../batch/BatchDialog';
import { FALLBACK_MACHINES, IMachineOption } from '../deploy/form';
import {
  bodyBytes,
  defaultMode,
  ONLINE_MAX_BYTES,
  rowCount
} from './instances';
import { IProbeValue } from './snippet';

/**
 * Above this many rows the Predict dialog offers a batch prediction job
 * instead of online requests: the predictions of thousands of rows belong
 * in files, not in a browser tab.
 */
export const BATCH_OFFER_ROWS = 1000;

/**
 * The most instances the server's bulk route puts in one online request
 * (jupyter_vertex/services/serving/bulk.py, DEFAULT_MAX_INSTANCES).
 */
export const BULK_MAX_INSTANCES = 10_000;

/**
 * Whether to offer "Batch predict instead": a value that is rows of
 * instances (2-D and more, or ragged; a 1-D array is one feature vector),
 * more of them than `BATCH_OFFER_ROWS`.
 */
export function offersBatch(value: IProbeValue): boolean {
  return defaultMode(value) === 'rows' && rowCount(value) > BATCH_OFFER_ROWS;
}

/**
 * How many online requests the bulk route would send these instances in:
 * it splits by body size and by instance count.
 */
export function onlineRequests(instances: unknown[]): number {
  return Math.max(
    1,
    Math.ceil(bodyBytes(instances) / ONLINE_MAX_BYTES),
    Math.ceil(instances.length / BULK_MAX_INSTANCES)
  );
}

/**
 * The model version an endpoint serves, for a batch job of it.
 */
export interface IServedVersion {
  /**
   * `123@2` (or `123` when the endpoint does not name the version).
   */
  modelVersion: string;
  deployedModel: IDeployedModel;
  /**
   * Its share of the endpoint's traffic, in percent.
   */
  traffic: number;
  /**
   * How many models the endpoint has deployed.
   */
  deployedCount: number;
}

/**
 * The endpoint's deployed model with the most traffic (the first on a tie),
 * as a model version; `null` when it has none.
 */
export function servedVersion(endpoint: IEndpoint): IServedVersion | null {
  const deployed = endpoint.deployedModels ?? [];
  if (!deployed.length) {
    return null;
  }
  const split = endpoint.trafficSplit ?? {};
  const share = (d: IDeployedModel) => split[d.id] ?? 0;
  const best = deployed.reduce((a, b) => (share(b) > share(a) ? b : a));
  const modelId = best.model.split('/').pop() || best.model;
  return {
    modelVersion: best.modelVersionId
      ? `${modelId}@${best.modelVersionId}`
      : modelId,
    deployedModel: best,
    traffic: share(best),
    deployedCount: deployed.length
  };
}

/**
 * Where the rows go: beside the notebook, `<stem>-rows-<UTC time>.jsonl`.
 */
export function rowsFilePath(notebookPath: string, now: Date): string {
  const stem = PathExt.basename(notebookPath, PathExt.extname(notebookPath));
  const stamp = now
    .toISOString()
    .replace(/\.\d+Z$/, '')
    .replace(/[-:]/g, '')
    .replace('T', '-');
  return PathExt.join(
    PathExt.dirname(notebookPath),
    `${stem || 'notebook'}-rows-${stamp}.jsonl`
  );
}

/**
 * `1,500`, as the batch job's tab counts rows.
 */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * One JSON instance a line (Vertex AI's `jsonl` instances format).
 */
export function rowsJsonl(rows: unknown[]): string {
  return rows.map(row => JSON.stringify(row)).join('\n') + '\n';
}

/**
 * Write the rows of the value beside the notebook, then open the Batch
 * predict dialog for the model version the endpoint serves, prefilled with
 * that file; the job it creates opens in its tab.
 *
 * @returns the job, or `null` when the dialog was cancelled (the file stays)
 */
export async function batchInstead(
  options: batchInstead.IOptions
): Promise<IBatchCreated | null> {
  const { api, value, endpoint, trans } = options;
  const served = servedVersion(endpoint);
  if (!served) {
    throw new Error(
      trans.__(
        'Endpoint %1 has no deployed model to batch predict with.',
        endpoint.displayName || endpoint.id
      )
    );
  }
  // Fetched before writing, so that a model that cannot be read leaves no file.
  const version = await api.getModel(served.modelVersion);
  const rows = Array.isArray(value.values) ? value.values : [value.values];
  const path = rowsFilePath(options.notebookPath, options.now ?? new Date());
  await options.contents.save(path, {
    type: 'file',
    format: 'text',
    content: rowsJsonl(rows)
  });
  const machines = await options.loadMachines().catch(() => FALLBACK_MACHINES);
  const name = `${version.displayName || version.id} ${trans.__('version %1', version.versionId)}`;
  const which =
    served.deployedCount > 1
      ? trans.__(
          'the one of its %1 deployed models with the most traffic (%2%)',
          served.deployedCount,
          served.traffic
        )
      : trans.__('the model it serves');
  const created = await batchDialog({
    api,
    model: version,
    machines,
    form: {
      ...initialBatchForm(version, [path]),
      displayName: PathExt.basename(path, '.jsonl')
    },
    // %1 (the count the plural form is chosen by) is written as %2.
    note: trans._n(
      'The %2 row of `%3` is in `%4`, in the Jupyter root. Model version: %5, %6 at endpoint %7.',
      'The %2 rows of `%3` are in `%4`, in the Jupyter root. Model version: %5, %6 at endpoint %7.',
      rows.length,
      formatCount(rows.length),
      options.expression,
      path,
      name,
      which,
      endpoint.displayName || endpoint.id
    ),
    trans
  });
  if (created) {
    options.openBatchJob(created.job.id);
  }
  return created;
}

export namespace batchInstead {
  export interface IOptions extends IBatchPath {
    api: IVertexAPI;
    /**
     * The notebook's path in the Jupyter root; the file goes beside it.
     */
    notebookPath: string;
    value: IProbeValue;
    expression: string;
    endpoint: IEndpoint;
    trans: TranslationBundle;
    now?: Date;
  }
}

/**
 * What "Batch predict instead" needs from the application: where to write
 * the rows, the machine types, and how to open a batch job's tab.
 */
export interface IBatchPath {
  contents: Pick<Contents.IManager, 'save'>;
  loadMachines: () => Promise<ReadonlyArray<IMachineOption>>;
  openBatchJob: (jobId: string) => void;
}
