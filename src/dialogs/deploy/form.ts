import { TranslationBundle } from '@jupyterlab/translation';
import { IVertexAPI } from '../../api/vertexAPI';
import { VertexAPIError } from '../../api/request';
import {
  IDeployRequest,
  IEndpoint,
  IModel,
  ITrainingMachine
} from '../../api/types';

/**
 * A machine type and the accelerators it takes (the server's rule table, as
 * `GET /training/options` answers it).
 */
export type IMachineOption = ITrainingMachine;

/**
 * Vertex AI's default machine for a deployment (docs/architecture.md).
 */
export const DEFAULT_DEPLOY_MACHINE = 'n1-standard-2';

/**
 * Used when the server cannot tell its table (no training capability).
 */
export const FALLBACK_MACHINES: ReadonlyArray<IMachineOption> = [
  'n1-standard-2',
  'n1-standard-4',
  'n1-standard-8'
]
  .map(machineType => ({
    machineType,
    acceleratorTypes: [
      'NVIDIA_TESLA_T4',
      'NVIDIA_TESLA_V100',
      'NVIDIA_TESLA_P100',
      'NVIDIA_TESLA_P4'
    ],
    acceleratorCounts: [1, 2, 4, 8],
    acceleratorRequired: false
  }))
  .concat(
    ['e2-standard-2', 'e2-standard-4'].map(machineType => ({
      machineType,
      acceleratorTypes: [],
      acceleratorCounts: [],
      acceleratorRequired: false
    }))
  );

/**
 * The machines a deployment may use: the server's table, plus the deploy
 * default `n1-standard-2`, which takes what every n1 machine takes (the rule
 * is per family).
 */
export function deployMachines(
  table: ReadonlyArray<IMachineOption>
): IMachineOption[] {
  const machines = [...table];
  if (!machines.some(m => m.machineType === DEFAULT_DEPLOY_MACHINE)) {
    const n1 = machines.find(m => m.machineType.startsWith('n1-'));
    if (n1) {
      machines.unshift({ ...n1, machineType: DEFAULT_DEPLOY_MACHINE });
    }
  }
  return machines;
}

/**
 * What the Deploy dialog asks.
 */
export interface IDeployForm {
  /**
   * The model version to deploy (`123@2`).
   */
  modelId: string;
  target: 'new' | 'existing';
  endpointId: string;
  endpointDisplayName: string;
  machineType: string;
  minReplicaCount: number;
  maxReplicaCount: number;
  /**
   * `''`: none.
   */
  acceleratorType: string;
  acceleratorCount: number;
  trafficPercentage: number;
}

/**
 * The form's first values.
 */
export function defaultDeployForm(options: {
  model: IModel;
  endpoints: ReadonlyArray<IEndpoint>;
  machines: ReadonlyArray<IMachineOption>;
  defaultMachineType?: string | null;
  defaultEndpoint?: string | null;
}): IDeployForm {
  const { model, endpoints, machines } = options;
  const preferred = [options.defaultMachineType, DEFAULT_DEPLOY_MACHINE].find(
    name => name && machines.some(m => m.machineType === name)
  );
  const machine =
    machines.find(m => m.machineType === preferred) ?? machines[0] ?? null;
  const existing =
    endpoints.find(
      e =>
        options.defaultEndpoint &&
        (e.id === options.defaultEndpoint ||
          e.displayName === options.defaultEndpoint)
    ) ?? null;
  return {
    modelId: `${model.id.split('@')[0]}@${model.versionId}`,
    target: existing ? 'existing' : 'new',
    endpointId: existing?.id ?? endpoints[0]?.id ?? '',
    endpointDisplayName: `${model.displayName || model.id}-endpoint`,
    machineType: machine?.machineType ?? DEFAULT_DEPLOY_MACHINE,
    minReplicaCount: 1,
    maxReplicaCount: 1,
    acceleratorType:
      machine?.acceleratorRequired && machine.acceleratorTypes.length
        ? machine.acceleratorTypes[0]
        : '',
    acceleratorCount: machine?.acceleratorCounts[0] ?? 1,
    trafficPercentage: 100
  };
}

/**
 * The change of picking another machine type: the accelerator stays when the
 * new machine takes it, else the first it requires (or none); the count
 * stays when the machine offers it, else its first.
 */
export function withMachineType(
  form: IDeployForm,
  machines: ReadonlyArray<IMachineOption>,
  machineType: string
): Partial<IDeployForm> {
  const next = machines.find(m => m.machineType === machineType);
  const keep = next && next.acceleratorTypes.includes(form.acceleratorType);
  return {
    machineType,
    acceleratorType: keep
      ? form.acceleratorType
      : next?.acceleratorRequired
        ? next.acceleratorTypes[0]
        : '',
    acceleratorCount: next?.acceleratorCounts.includes(form.acceleratorCount)
      ? form.acceleratorCount
      : (next?.acceleratorCounts[0] ?? 1)
  };
}

/**
 * A number box's text as a whole number.
 */
export function wholeNumber(text: string): number {
  return Math.floor(Number(text));
}

/**
 * The request body of a form.
 */
export function deployRequest(form: IDeployForm): IDeployRequest {
  const body: IDeployRequest = {
    machineType: form.machineType,
    minReplicaCount: form.minReplicaCount,
    maxReplicaCount: form.maxReplicaCount,
    trafficPercentage: form.trafficPercentage
  };
  if (form.target === 'existing' && form.endpointId) {
    body.endpointId = form.endpointId;
  } else if (form.endpointDisplayName.trim()) {
    body.endpointDisplayName = form.endpointDisplayName.trim();
  }
  if (form.acceleratorType) {
    body.acceleratorType = form.acceleratorType;
    body.acceleratorCount = form.acceleratorCount;
  }
  return body;
}

/**
 * What is wrong with a form before it is sent, per field (empty: nothing).
 */
export function checkDeployForm(
  form: IDeployForm,
  trans: TranslationBundle
): Record<string, string> {
  const errors: Record<string, string> = {};
  if (form.target === 'existing' && !form.endpointId) {
    errors.endpointId = trans.__('Choose an endpoint.');
  }
  if (form.target === 'new' && !form.endpointDisplayName.trim()) {
    errors.endpointDisplayName = trans.__('Name the new endpoint.');
  }
  if (!Number.isInteger(form.minReplicaCount) || form.minReplicaCount < 1) {
    errors.minReplicaCount = trans.__('At least 1 replica.');
  }
  if (
    !Number.isInteger(form.maxReplicaCount) ||
    form.maxReplicaCount < form.minReplicaCount
  ) {
    errors.maxReplicaCount = trans.__(
      'At least the minimum (%1).',
      form.minReplicaCount
    );
  }
  if (
    !Number.isInteger(form.trafficPercentage) ||
    form.trafficPercentage < 0 ||
    form.trafficPercentage > 100
  ) {
    errors.trafficPercentage = trans.__('A whole number from 0 to 100.');
  }
  return errors;
}

/**
 * The field a server message names (`Field 'machineType': …`), if any.
 */
export function fieldOfMessage(message: string): string | null {
  const match = /^Field '([A-Za-z]+)/.exec(message);
  return match ? match[1] : null;
}

/**
 * What the Deploy dialog is opened with.
 */
export interface IDeployDialogOptions {
  api: IVertexAPI;
  model: IModel;
  versions: ReadonlyArray<IModel>;
  endpoints: ReadonlyArray<IEndpoint>;
  machines: ReadonlyArray<IMachineOption>;
  form: IDeployForm;
  error?: VertexAPIError | null;
  trans: TranslationBundle;
}
