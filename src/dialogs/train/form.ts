import { TranslationBundle } from '@jupyterlab/translation';
import { VertexAPIError } from '../../api/request';
import type { IKeyValueRow } from '../../components/KeyValueEditor';

export type { IKeyValueRow };
import {
  ITrainingCreate,
  ITrainingMachine,
  ITrainingOptions
} from '../../api/types';

export type Framework = NonNullable<ITrainingCreate['framework']>;

/**
 * What the Train dialog asks; `trainingRequest` turns it into the body of
 * `POST /jobs`.
 */
export interface ITrainForm {
  displayName: string;
  /** A prebuilt framework container, or a custom image. */
  container: 'prebuilt' | 'custom';
  framework: Framework;
  /** '' for the framework's default (first) version. */
  frameworkVersion: string;
  imageUri: string;
  machineType: string;
  /** '' for none. */
  acceleratorType: string;
  acceleratorCount: number;
  replicaCount: number;
  /** One argument per line. */
  args: string;
  env: IKeyValueRow[];
  labels: IKeyValueRow[];
  registerModel: boolean;
  /** A new model, or a new version of an existing one. */
  modelMode: 'new' | 'version';
  servingImage: string;
  modelDisplayName: string;
  /** The id of the model the new version belongs to. */
  parentModel: string;
}

/**
 * The fields of the form that an error can name.
 */
export type TrainField =
  | 'path'
  | 'displayName'
  | 'framework'
  | 'frameworkVersion'
  | 'imageUri'
  | 'machineType'
  | 'acceleratorType'
  | 'acceleratorCount'
  | 'replicaCount'
  | 'args'
  | 'env'
  | 'labels'
  | 'servingImage'
  | 'modelDisplayName'
  | 'parentModel';

export type TrainErrors = Partial<Record<TrainField, string>>;

/**
 * The order fields appear in (the first with an error gets the focus).
 */
export const FIELD_ORDER: ReadonlyArray<TrainField> = [
  'path',
  'displayName',
  'framework',
  'frameworkVersion',
  'imageUri',
  'machineType',
  'acceleratorType',
  'acceleratorCount',
  'replicaCount',
  'args',
  'env',
  'servingImage',
  'modelDisplayName',
  'parentModel',
  'labels'
];

/**
 * The versions of a prebuilt framework (the first is the default).
 */
export function frameworkVersions(
  options: ITrainingOptions,
  framework: string
): Array<{ version: string; gpu: boolean }> {
  return options.frameworks.find(f => f.name === framework)?.versions ?? [];
}

/**
 * Whether the chosen container can use an accelerator: a custom image may;
 * a prebuilt one only if its version has a GPU image.
 */
export function canUseGPU(
  options: ITrainingOptions,
  form: ITrainForm
): boolean {
  if (form.container === 'custom') {
    return true;
  }
  const versions = frameworkVersions(options, form.framework);
  const chosen =
    versions.find(v => v.version === form.frameworkVersion) ?? versions[0];
  return Boolean(chosen?.gpu);
}

/**
 * The machine types to offer: those whose accelerators come with them only
 * when the container can use them.
 */
export function machineChoices(
  options: ITrainingOptions,
  form: ITrainForm
): ITrainingMachine[] {
  const gpu = canUseGPU(options, form);
  return options.machineTypes.filter(m => gpu || !m.acceleratorRequired);
}

function machineOf(
  options: ITrainingOptions,
  machineType: string
): ITrainingMachine | undefined {
  return options.machineTypes.find(m => m.machineType === machineType);
}

/**
 * The accelerator types to offer for the form's machine and container
 * (none for CPU-only machines and CPU-only containers).
 */
export function acceleratorChoices(
  options: ITrainingOptions,
  form: ITrainForm
): string[] {
  const machine = machineOf(options, form.machineType);
  if (!machine || !canUseGPU(options, form)) {
    return [];
  }
  return machine.acceleratorTypes;
}

/**
 * The accelerator counts to offer for the form's machine.
 */
export function countChoices(
  options: ITrainingOptions,
  form: ITrainForm
): number[] {
  if (!form.acceleratorType) {
    return [];
  }
  return machineOf(options, form.machineType)?.acceleratorCounts ?? [];
}

/**
 * Whether the form's machine must have its accelerator (a2, a3, g2).
 */
export function acceleratorRequired(
  options: ITrainingOptions,
  form: ITrainForm
): boolean {
  return Boolean(machineOf(options, form.machineType)?.acceleratorRequired);
}

/**
 * The form made consistent with the options after a change: a machine type
 * on offer, and an accelerator type and count that machine takes (the one it
 * comes with, if it must have one; none if it takes none).
 */
export function normalize(
  options: ITrainingOptions,
  form: ITrainForm
): ITrainForm {
  const next = { ...form };
  const machines = machineChoices(options, next);
  if (!machines.some(m => m.machineType === next.machineType)) {
    next.machineType = machines.some(
      m => m.machineType === options.defaultMachineType
    )
      ? options.defaultMachineType
      : (machines[0]?.machineType ?? next.machineType);
  }
  const types = acceleratorChoices(options, next);
  if (!types.includes(next.acceleratorType)) {
    next.acceleratorType = '';
  }
  if (!next.acceleratorType && acceleratorRequired(options, next) && types[0]) {
    next.acceleratorType = types[0];
  }
  const counts = countChoices(options, next);
  if (!next.acceleratorType) {
    next.acceleratorCount = 0;
  } else if (!counts.includes(next.acceleratorCount)) {
    next.acceleratorCount = counts[0] ?? 0;
  }
  if (next.container === 'prebuilt') {
    const versions = frameworkVersions(options, next.framework);
    if (!versions.some(v => v.version === next.frameworkVersion)) {
      next.frameworkVersion = versions[0]?.version ?? '';
    }
  }
  return next;
}

/**
 * The display name proposed for a file: its name without the extension.
 */
export function defaultDisplayName(path: string): string {
  const base = (path.split('/').pop() ?? path).replace(/\.(py|ipynb)$/i, '');
  return base.replace(/_/g, '-') || 'training';
}

/**
 * The form for a file, before the options are known (or with them).
 */
export function defaultTrainForm(
  path: string,
  options: ITrainingOptions | null,
  defaults: { machineType?: string | null } = {}
): ITrainForm {
  const name = defaultDisplayName(path);
  const framework = (options?.defaultFramework ?? 'scikit-learn') as Framework;
  const form: ITrainForm = {
    displayName: name,
    container: 'prebuilt',
    framework,
    frameworkVersion: '',
    imageUri: '',
    machineType:
      defaults.machineType || options?.defaultMachineType || 'n1-standard-4',
    acceleratorType: '',
    acceleratorCount: 0,
    replicaCount: 1,
    args: '',
    env: [],
    labels: [],
    registerModel: false,
    modelMode: 'new',
    servingImage: options?.servingImages[framework] ?? '',
    modelDisplayName: name,
    parentModel: ''
  };
  return options ? normalize(options, form) : form;
}

/**
 * The arguments of the form: one per line, blank lines left out.
 */
export function argsOf(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map(line => line.trim())
    .filter(line => line.length > 0);
}

function mapOf(rows: IKeyValueRow[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const row of rows) {
    if (row.key.trim()) {
      out[row.key.trim()] = row.value;
    }
  }
  return out;
}

/**
 * The body of `POST /jobs` (and `POST /training/code`) for the form.
 */
export function trainingRequest(
  path: string,
  form: ITrainForm
): ITrainingCreate {
  const body: ITrainingCreate = { path };
  if (form.displayName.trim()) {
    body.displayName = form.displayName.trim();
  }
  if (form.container === 'custom') {
    body.imageUri = form.imageUri.trim();
  } else {
    body.framework = form.framework;
    if (form.frameworkVersion) {
      body.frameworkVersion = form.frameworkVersion;
    }
  }
  body.machineType = form.machineType;
  if (form.acceleratorType) {
    body.acceleratorType = form.acceleratorType;
    body.acceleratorCount = form.acceleratorCount;
  }
  body.replicaCount = form.replicaCount;
  const args = argsOf(form.args);
  if (args.length) {
    body.args = args;
  }
  const env = mapOf(form.env);
  if (Object.keys(env).length) {
    body.env = env;
  }
  const labels = mapOf(form.labels);
  if (Object.keys(labels).length) {
    body.labels = labels;
  }
  if (form.registerModel) {
    body.registerModel = {
      servingContainerImageUri: form.servingImage.trim()
    };
    if (form.modelMode === 'version') {
      if (form.parentModel) {
        body.registerModel.parentModel = form.parentModel;
      }
    } else if (form.modelDisplayName.trim()) {
      body.registerModel.modelDisplayName = form.modelDisplayName.trim();
    }
  }
  return body;
}

const IMAGE = /^[a-z0-9.-]+(?::[0-9]+)?\/\S+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;

/**
 * What is wrong with the form before asking the server (the same rules as
 * the API's schema), by field.
 */
export function validateForm(
  form: ITrainForm,
  trans: TranslationBundle
): TrainErrors {
  const errors: TrainErrors = {};
  if (form.displayName.length > 128) {
    errors.displayName = trans.__('At most 128 characters.');
  }
  if (form.container === 'custom') {
    if (!form.imageUri.trim()) {
      errors.imageUri = trans.__('Give the image, e.g. %1.', IMAGE_EXAMPLE);
    } else if (!IMAGE.test(form.imageUri.trim())) {
      errors.imageUri = trans.__(
        'Not an image address; expected e.g. %1.',
        IMAGE_EXAMPLE
      );
    }
  }
  if (
    !Number.isInteger(form.replicaCount) ||
    form.replicaCount < 1 ||
    form.replicaCount > 64
  ) {
    errors.replicaCount = trans.__('A whole number from 1 to 64.');
  }
  const envError = keyValueError(
    form.env,
    key =>
      ENV_NAME.test(key)
        ? null
        : trans.__(
            '"%1" is not a valid variable name (letters, digits and _, not starting with a digit).',
            key
          ),
    () => null,
    trans
  );
  if (envError) {
    errors.env = envError;
  }
  const labelError = keyValueError(
    form.labels,
    key =>
      LABEL_KEY.test(key)
        ? null
        : trans.__(
            'Label key "%1": lowercase letters, digits, _ and -, starting with a letter.',
            key
          ),
    value =>
      LABEL_VALUE.test(value)
        ? null
        : trans.__(
            'Label value "%1": lowercase letters, digits, _ and -, at most 63.',
            value
          ),
    trans
  );
  if (labelError) {
    errors.labels = labelError;
  }
  if (form.registerModel) {
    if (!form.servingImage.trim()) {
      errors.servingImage = trans.__('Give the serving container image.');
    } else if (!IMAGE.test(form.servingImage.trim())) {
      errors.servingImage = trans.__(
        'Not an image address; expected e.g. %1.',
        IMAGE_EXAMPLE
      );
    }
    if (form.modelMode === 'version' && !form.parentModel) {
      errors.parentModel = trans.__('Choose the model to add a version to.');
    }
    if (form.modelMode === 'new' && form.modelDisplayName.length > 128) {
      errors.modelDisplayName = trans.__('At most 128 characters.');
    }
  }
  return errors;
}

const IMAGE_EXAMPLE = 'us-docker.pkg.dev/my-project/repo/image:tag';

function keyValueError(
  rows: IKeyValueRow[],
  checkKey: (key: string) => string | null,
  checkValue: (value: string) => string | null,
  trans: TranslationBundle
): string | null {
  const seen = new Set<string>();
  for (const row of rows) {
    const key = row.key.trim();
    if (!key) {
      if (row.value) {
        return trans.__('A value without a name: give it a name or remove it.');
      }
      continue;
    }
    if (seen.has(key)) {
      return trans.__('"%1" is given twice.', key);
    }
    seen.add(key);
    const problem = checkKey(key) ?? checkValue(row.value);
    if (problem) {
      return problem;
    }
  }
  return null;
}

/**
 * The form field a server message names (`Field 'x': …`, `Field 'x.y' …`),
 * or `null` when it names none this form has.
 */
export function trainFieldOfMessage(message: string): TrainField | null {
  const match = /^Field '([^']+)'/.exec(message);
  if (!match) {
    return null;
  }
  const parts = match[1].split('.');
  if (parts[0] === 'registerModel') {
    switch (parts[1]) {
      case 'modelDisplayName':
        return 'modelDisplayName';
      case 'parentModel':
        return 'parentModel';
      default:
        return 'servingImage';
    }
  }
  return (FIELD_ORDER as ReadonlyArray<string>).includes(parts[0])
    ? (parts[0] as TrainField)
    : null;
}

/**
 * A server error as the text shown at its field: the message and the hint.
 */
export function errorText(error: VertexAPIError): string {
  return error.hint ? `${error.message} ${error.hint}` : error.message;
}

/**
 * Vertex AI's accelerator names as people write them.
 */
export function acceleratorLabel(name: string): string {
  const known: Record<string, string> = {
    NVIDIA_TESLA_T4: 'NVIDIA T4',
    NVIDIA_TESLA_V100: 'NVIDIA V100',
    NVIDIA_TESLA_P100: 'NVIDIA P100',
    NVIDIA_TESLA_P4: 'NVIDIA P4',
    NVIDIA_TESLA_A100: 'NVIDIA A100 40GB',
    NVIDIA_A100_80GB: 'NVIDIA A100 80GB',
    NVIDIA_L4: 'NVIDIA L4',
    NVIDIA_H100_80GB: 'NVIDIA H100 80GB'
  };
  return known[name] ?? name;
}
