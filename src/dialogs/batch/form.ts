import { TranslationBundle } from '@jupyterlab/translation';
import type { VertexAPIError } from '../../api/request';
import type {
  IBatchCreate,
  IModel,
  InstancesFormat,
  PredictionsFormat
} from '../../api/types';
import type { IVertexAPI } from '../../api/vertexAPI';
import type { IMachineOption } from '../deploy/form';

/**
 * Where the server writes when no prefix is given (shown as the default).
 */
export const DEFAULT_OUTPUT =
  'gs://<staging bucket>/jupyter-vertex/batch-outputs';

export const DEFAULT_BATCH_MACHINE = 'n1-standard-2';

/**
 * What the Batch predict dialog asks.
 */
export interface IBatchForm {
  /**
   * The model version (`123@2`).
   */
  modelId: string;
  /**
   * A file of the Jupyter root (staged by the server) or a `gs://` URI.
   */
  source: 'file' | 'gcs';
  path: string;
  uri: string;
  instancesFormat: InstancesFormat;
  predictionsFormat: PredictionsFormat;
  machineType: string;
  startingReplicaCount: number;
  maxReplicaCount: number;
  /**
   * Empty: Vertex AI's default.
   */
  batchSize: string;
  /**
   * Empty: `DEFAULT_OUTPUT`.
   */
  outputUriPrefix: string;
  displayName: string;
}

/**
 * The instances format a file's name suggests: `.csv` → csv, `.txt` (a
 * list of files) → file-list, else jsonl.
 */
export function formatOfPath(path: string): InstancesFormat {
  const lower = path.toLowerCase();
  if (lower.endsWith('.csv')) {
    return 'csv';
  }
  if (lower.endsWith('.txt')) {
    return 'file-list';
  }
  return 'jsonl';
}

/**
 * The form a model version opens with; `paths` are the files the user
 * points at in the file browser (the first one is used).
 */
export function initialBatchForm(
  model: IModel,
  paths: ReadonlyArray<string>
): IBatchForm {
  const path = paths[0] ?? '';
  return {
    modelId: model.versionId ? `${model.id}@${model.versionId}` : model.id,
    source: 'file',
    path,
    uri: '',
    instancesFormat: formatOfPath(path),
    predictionsFormat: 'jsonl',
    machineType: DEFAULT_BATCH_MACHINE,
    startingReplicaCount: 1,
    maxReplicaCount: 1,
    batchSize: '',
    outputUriPrefix: '',
    displayName: ''
  };
}

/**
 * What is wrong with the form before it is sent, by field name (the
 * request's names, so that the server's refusals land at the same place).
 */
export function checkBatchForm(
  form: IBatchForm,
  trans: TranslationBundle
): Record<string, string> {
  const problems: Record<string, string> = {};
  if (form.source === 'file' && !form.path.trim()) {
    problems.input = trans.__('Choose a file of the Jupyter root.');
  }
  if (form.source === 'gcs' && !/^gs:\/\/[^/]+/.test(form.uri.trim())) {
    problems.input = trans.__('A Cloud Storage URI starts with gs://bucket.');
  }
  const prefix = form.outputUriPrefix.trim();
  if (prefix && !/^gs:\/\/[^/]+/.test(prefix)) {
    problems.outputUriPrefix = trans.__(
      'The output prefix is a gs:// URI (or leave it empty).'
    );
  }
  const replicas = (n: number) => Number.isInteger(n) && n >= 1 && n <= 100;
  if (!replicas(form.startingReplicaCount)) {
    problems.startingReplicaCount = trans.__('A whole number from 1 to 100.');
  }
  if (!replicas(form.maxReplicaCount)) {
    problems.maxReplicaCount = trans.__('A whole number from 1 to 100.');
  } else if (form.maxReplicaCount < form.startingReplicaCount) {
    problems.maxReplicaCount = trans.__(
      'At least the starting count (%1).',
      form.startingReplicaCount
    );
  }
  const size = form.batchSize.trim();
  if (size) {
    const n = Number(size);
    if (!Number.isInteger(n) || n < 1 || n > 100000) {
      problems.batchSize = trans.__(
        'A whole number from 1 to 100,000 (or leave it empty).'
      );
    }
  }
  return problems;
}

/**
 * The request body of a form (empty optional fields left out).
 */
export function batchRequest(form: IBatchForm): IBatchCreate {
  const body: IBatchCreate = {
    input: form.source === 'file' ? form.path.trim() : form.uri.trim(),
    instancesFormat: form.instancesFormat,
    predictionsFormat: form.predictionsFormat,
    machineType: form.machineType,
    startingReplicaCount: form.startingReplicaCount,
    maxReplicaCount: form.maxReplicaCount
  };
  if (form.batchSize.trim()) {
    body.batchSize = Number(form.batchSize.trim());
  }
  if (form.outputUriPrefix.trim()) {
    body.outputUriPrefix = form.outputUriPrefix.trim();
  }
  if (form.displayName.trim()) {
    body.displayName = form.displayName.trim();
  }
  return body;
}

/**
 * The field a server refusal names (`Field 'input': …`), if any.
 */
export function fieldOfBatchMessage(message: string): string | null {
  const match = /^Field '([A-Za-z]+)/.exec(message);
  return match ? match[1] : null;
}

/**
 * What the Batch predict dialog is opened with.
 */
export interface IBatchDialogOptions {
  api: IVertexAPI;
  model: IModel;
  machines: ReadonlyArray<IMachineOption>;
  form: IBatchForm;
  trans: TranslationBundle;
  /**
   * The server's refusal of the last attempt, shown at the field it names.
   */
  error?: VertexAPIError | null;
  /**
   * Why the dialog is prefilled as it is (e.g. the rows written for it),
   * shown above the form; `code` in backticks.
   */
  note?: string | null;
}
