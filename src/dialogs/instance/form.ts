import { TranslationBundle } from '@jupyterlab/translation';
import { IInstanceCreate, ITrainingMachine } from '../../api/types';

/**
 * A machine type and the accelerators it takes, as `GET /training/options`
 * answers them (`machineTypes[]`): the server's own rule table.
 */
export type IMachineOption = ITrainingMachine;

export const DISK_TYPES = [
  'PD_BALANCED',
  'PD_SSD',
  'PD_STANDARD',
  'PD_EXTREME'
] as const;

/**
 * Vertex AI's instance id pattern.
 */
export const INSTANCE_ID_PATTERN = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const BOOT_DISK_GB = { min: 150, max: 64000 };
export const DATA_DISK_GB = { min: 100, max: 64000 };
export const DEFAULT_INSTANCE_MACHINE = 'e2-standard-4';
export const DEFAULT_IMAGE_FAMILY = 'workbench-instances';

/**
 * What the Create instance form holds (text as typed).
 */
export interface IInstanceForm {
  instanceId: string;
  machineType: string;
  acceleratorType: string;
  acceleratorCount: string;
  installGpuDriver: boolean;
  bootDiskType: string;
  bootDiskSizeGb: string;
  dataDiskType: string;
  dataDiskSizeGb: string;
  image: 'vm' | 'container';
  vmImageFamily: string;
  containerRepository: string;
  containerTag: string;
  postStartupScript: string;
  metadata: string;
  networkTags: string;
  serviceAccount: string;
  labels: string;
}

/**
 * The fields of the form, as the API names them (server errors say
 * `Field 'bootDiskSizeGb': …`).
 */
export type InstanceField =
  | 'instanceId'
  | 'machineType'
  | 'acceleratorType'
  | 'acceleratorCount'
  | 'bootDiskType'
  | 'bootDiskSizeGb'
  | 'dataDiskType'
  | 'dataDiskSizeGb'
  | 'vmImageFamily'
  | 'containerImage'
  | 'postStartupScript'
  | 'metadata'
  | 'networkTags'
  | 'serviceAccount'
  | 'labels';

const FIELDS: ReadonlySet<string> = new Set<InstanceField>([
  'instanceId',
  'machineType',
  'acceleratorType',
  'acceleratorCount',
  'bootDiskType',
  'bootDiskSizeGb',
  'dataDiskType',
  'dataDiskSizeGb',
  'vmImageFamily',
  'containerImage',
  'postStartupScript',
  'metadata',
  'networkTags',
  'serviceAccount',
  'labels'
]);

export type FieldErrors = Partial<Record<InstanceField, string>>;

export function defaultInstanceForm(): IInstanceForm {
  return {
    instanceId: '',
    machineType: DEFAULT_INSTANCE_MACHINE,
    acceleratorType: '',
    acceleratorCount: '1',
    installGpuDriver: true,
    bootDiskType: 'PD_BALANCED',
    bootDiskSizeGb: String(BOOT_DISK_GB.min),
    dataDiskType: 'PD_BALANCED',
    dataDiskSizeGb: String(DATA_DISK_GB.min),
    image: 'vm',
    vmImageFamily: DEFAULT_IMAGE_FAMILY,
    containerRepository: '',
    containerTag: 'latest',
    postStartupScript: '',
    metadata: '',
    networkTags: '',
    serviceAccount: '',
    labels: ''
  };
}

/**
 * The machine's accelerator rule, if the options list it.
 */
export function machineOption(
  machines: ReadonlyArray<IMachineOption> | null,
  machineType: string
): IMachineOption | null {
  return machines?.find(m => m.machineType === machineType) ?? null;
}

/**
 * The form after choosing a machine type: an accelerator the machine cannot
 * take is dropped (or the one it requires is chosen), and so is a count.
 */
export function withMachine(
  form: IInstanceForm,
  machineType: string,
  machines: ReadonlyArray<IMachineOption> | null
): IInstanceForm {
  const next = { ...form, machineType };
  const option = machineOption(machines, machineType);
  if (!option) {
    return next;
  }
  if (!option.acceleratorTypes.includes(next.acceleratorType)) {
    next.acceleratorType = option.acceleratorRequired
      ? option.acceleratorTypes[0]
      : '';
  }
  if (!option.acceleratorCounts.includes(Number(next.acceleratorCount))) {
    next.acceleratorCount = String(option.acceleratorCounts[0] ?? 1);
  }
  return next;
}

/**
 * `key=value` lines as a record; `null` if a line is not of that form.
 */
export function parsePairs(text: string): Record<string, string> | null {
  const pairs: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) {
      continue;
    }
    const at = line.indexOf('=');
    if (at <= 0) {
      return null;
    }
    pairs[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return pairs;
}

function parseSize(text: string): number | null {
  return /^\d+$/.test(text.trim()) ? Number(text.trim()) : null;
}

/**
 * What is wrong with the form before asking the server, per field.
 */
export function validateInstanceForm(
  form: IInstanceForm,
  trans: TranslationBundle
): FieldErrors {
  const errors: FieldErrors = {};
  const id = form.instanceId.trim();
  if (!id) {
    errors.instanceId = trans.__('Give the instance an id.');
  } else if (!INSTANCE_ID_PATTERN.test(id)) {
    errors.instanceId = trans.__(
      'Lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen; at most 63 characters.'
    );
  }
  if (!form.machineType.trim()) {
    errors.machineType = trans.__('Choose a machine type.');
  }
  if (form.acceleratorType) {
    const count = parseSize(form.acceleratorCount);
    if (count === null || count < 1) {
      errors.acceleratorCount = trans.__('A whole number of GPUs, 1 or more.');
    }
  }
  const ranges: Array<
    ['bootDiskSizeGb' | 'dataDiskSizeGb', string, { min: number; max: number }]
  > = [
    ['bootDiskSizeGb', form.bootDiskSizeGb, BOOT_DISK_GB],
    ['dataDiskSizeGb', form.dataDiskSizeGb, DATA_DISK_GB]
  ];
  for (const [field, text, range] of ranges) {
    const size = parseSize(text);
    if (size === null || size < range.min || size > range.max) {
      errors[field] = trans.__(
        'A size in GB from %1 to %2.',
        range.min,
        range.max
      );
    }
  }
  if (form.image === 'vm' && !form.vmImageFamily.trim()) {
    errors.vmImageFamily = trans.__('Give an image family.');
  }
  if (form.image === 'container' && !form.containerRepository.trim()) {
    errors.containerImage = trans.__(
      'Give the image repository, e.g. `us-docker.pkg.dev/deeplearning-platform-release/gcr.io/workbench-container`.'
    );
  }
  const script = form.postStartupScript.trim();
  if (script && !/^(gs|https?):\/\/\S+$/.test(script)) {
    errors.postStartupScript = trans.__(
      'A `gs://` or `https://` URI of the script, as Vertex AI takes it.'
    );
  }
  if (parsePairs(form.metadata) === null) {
    errors.metadata = trans.__('One `key=value` per line.');
  }
  if (parsePairs(form.labels) === null) {
    errors.labels = trans.__('One `key=value` per line.');
  }
  const account = form.serviceAccount.trim();
  if (account && !/^[^@\s]+@[^@\s]+$/.test(account)) {
    errors.serviceAccount = trans.__(
      "A service account's email, e.g. `name@project.iam.gserviceaccount.com`."
    );
  }
  return errors;
}

/**
 * The `POST /instances` body of a (valid) form.
 */
export function instanceRequest(form: IInstanceForm): IInstanceCreate {
  const body: IInstanceCreate = {
    instanceId: form.instanceId.trim(),
    machineType: form.machineType.trim(),
    bootDiskType: form.bootDiskType,
    bootDiskSizeGb: Number(form.bootDiskSizeGb),
    dataDiskType: form.dataDiskType,
    dataDiskSizeGb: Number(form.dataDiskSizeGb)
  };
  if (form.acceleratorType) {
    body.acceleratorType = form.acceleratorType.trim();
    body.acceleratorCount = Number(form.acceleratorCount);
    body.installGpuDriver = form.installGpuDriver;
  }
  if (form.image === 'vm') {
    body.vmImageFamily = form.vmImageFamily.trim();
  } else {
    body.containerImage = { repository: form.containerRepository.trim() };
    if (form.containerTag.trim()) {
      body.containerImage.tag = form.containerTag.trim();
    }
  }
  if (form.postStartupScript.trim()) {
    body.postStartupScript = form.postStartupScript.trim();
  }
  const metadata = parsePairs(form.metadata) ?? {};
  if (Object.keys(metadata).length) {
    body.metadata = metadata;
  }
  const tags = form.networkTags
    .split(/[\s,]+/)
    .map(tag => tag.trim())
    .filter(Boolean);
  if (tags.length) {
    body.networkTags = tags;
  }
  if (form.serviceAccount.trim()) {
    body.serviceAccount = form.serviceAccount.trim();
  }
  const labels = parsePairs(form.labels) ?? {};
  if (Object.keys(labels).length) {
    body.labels = labels;
  }
  return body;
}

/**
 * The form field a server error names (`Field 'containerImage.tag': …`),
 * if it is one of the form's.
 */
export function fieldOfError(error: { message: string }): InstanceField | null {
  const match = /Field '([A-Za-z]+)/.exec(error.message);
  if (match && FIELDS.has(match[1])) {
    return match[1] as InstanceField;
  }
  return null;
}
