import { Dialog, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';
import { IVertexAPI } from '../../api/vertexAPI';
import { VertexAPIError } from '../../api/request';
import {
  IDeployRequest,
  IEndpoint,
  IModel,
  IOperation,
  ITrainingMachine
} from '../../api/types';
import { FormBanner } from '../../components/Banner';
import { RadioOption } from '../../components/RadioOption';

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
 * The body of the Deploy dialog: a form, the SDK code on request, and the
 * server's answer when it refused the last attempt (at the field it names).
 */
export class DeployDialogBody extends ReactWidget {
  constructor(options: DeployDialogBody.IOptions) {
    super();
    this._options = options;
    this._form = { ...options.form };
    this._error = options.error ?? null;
    this.addClass('jp-Vertex-DeployDialog');
  }

  getValue(): IDeployForm {
    return { ...this._form };
  }

  protected render(): JSX.Element {
    return (
      <DeployForm
        {...this._options}
        form={this._form}
        error={this._error}
        onChange={form => {
          this._form = form;
          this.update();
        }}
      />
    );
  }

  private _options: DeployDialogBody.IOptions;
  private _form: IDeployForm;
  private _error: VertexAPIError | null;
}

export namespace DeployDialogBody {
  export interface IOptions {
    api: IVertexAPI;
    model: IModel;
    versions: ReadonlyArray<IModel>;
    endpoints: ReadonlyArray<IEndpoint>;
    machines: ReadonlyArray<IMachineOption>;
    form: IDeployForm;
    error?: VertexAPIError | null;
    trans: TranslationBundle;
  }
}

/**
 * The Deploy form itself.
 */
export function DeployForm(
  props: DeployDialogBody.IOptions & {
    onChange: (form: IDeployForm) => void;
  }
): JSX.Element {
  const { api, model, versions, endpoints, machines, form, error, trans } =
    props;
  const [code, setCode] = React.useState<string | null>(null);
  const [codeError, setCodeError] = React.useState<VertexAPIError | null>(null);
  const set = (change: Partial<IDeployForm>) => {
    setCode(null);
    props.onChange({ ...form, ...change });
  };
  const local = checkDeployForm(form, trans);
  const serverField = error ? fieldOfMessage(error.message) : null;
  const messageOf = (field: string): string | null =>
    local[field] ??
    (error && serverField === field
      ? error.message.replace(/^Field '[^']+':\s*/, '')
      : null);
  // A field's name and its message, for a field the checks or the server
  // may judge.
  const checked = (name: string) => ({ name, message: messageOf(name) });
  const machine = machines.find(m => m.machineType === form.machineType);
  const endpoint = endpoints.find(e => e.id === form.endpointId) ?? null;
  const othersDeployed =
    form.target === 'existing' && (endpoint?.deployedModels?.length ?? 0) > 0;

  const showCode = async () => {
    try {
      const answer = await api.deployCode(form.modelId, deployRequest(form));
      setCode(answer.code);
      setCodeError(null);
    } catch (reason) {
      setCodeError(VertexAPIError.from(reason));
    }
  };

  const versionChoices = versions.length ? versions : [model];
  return (
    <div className="jp-Vertex-form">
      {error && !serverField ? <FormBanner error={error} /> : null}
      <div className="jp-Vertex-deployRow">
        <Field label={trans.__('Model version')} name="modelId" message={null}>
          {id => (
            <Select
              id={id}
              value={form.modelId}
              choices={versionChoices.map(v => {
                const aliases = (v.versionAliases ?? []).join(', ');
                return {
                  value: `${v.id.split('@')[0]}@${v.versionId}`,
                  label: aliases
                    ? trans.__('Version %1 (%2)', v.versionId, aliases)
                    : trans.__('Version %1', v.versionId)
                };
              })}
              onChange={modelId => set({ modelId })}
            />
          )}
        </Field>
        <Field label={trans.__('Machine type')} {...checked('machineType')}>
          {id => (
            <Select
              id={id}
              value={form.machineType}
              choices={machines.map(m => ({
                value: m.machineType,
                label: m.machineType
              }))}
              onChange={machineType => {
                const next = machines.find(m => m.machineType === machineType);
                const keep =
                  next && next.acceleratorTypes.includes(form.acceleratorType);
                set({
                  machineType,
                  acceleratorType: keep
                    ? form.acceleratorType
                    : next?.acceleratorRequired
                      ? next.acceleratorTypes[0]
                      : '',
                  acceleratorCount: next?.acceleratorCounts.includes(
                    form.acceleratorCount
                  )
                    ? form.acceleratorCount
                    : (next?.acceleratorCounts[0] ?? 1)
                });
              }}
            />
          )}
        </Field>
      </div>
      <fieldset className="jp-Vertex-form-group">
        <legend>{trans.__('Endpoint')}</legend>
        <div className="jp-Vertex-form-choices">
          <RadioOption
            className="jp-Vertex-form-check"
            name="jp-Vertex-deploy-target"
            checked={form.target === 'new'}
            onSelect={() => set({ target: 'new', trafficPercentage: 100 })}
          >
            {trans.__('New endpoint')}
          </RadioOption>
          <RadioOption
            className="jp-Vertex-form-check"
            name="jp-Vertex-deploy-target"
            checked={form.target === 'existing'}
            disabled={endpoints.length === 0}
            onSelect={() => set({ target: 'existing' })}
          >
            {endpoints.length
              ? trans.__('Existing endpoint')
              : trans.__('Existing endpoint (none yet)')}
          </RadioOption>
        </div>
        {form.target === 'new' ? (
          <Field
            label={trans.__('Endpoint name')}
            {...checked('endpointDisplayName')}
          >
            {id => (
              <input
                id={id}
                className="jp-mod-styled"
                type="text"
                maxLength={128}
                value={form.endpointDisplayName}
                onChange={e => set({ endpointDisplayName: e.target.value })}
              />
            )}
          </Field>
        ) : (
          <Field
            label={trans.__('Endpoint to deploy to')}
            {...checked('endpointId')}
          >
            {id => (
              <Select
                id={id}
                value={form.endpointId}
                choices={endpoints.map(e => ({
                  value: e.id,
                  label: trans._n(
                    '%2 (%1 model)',
                    '%2 (%1 models)',
                    e.deployedModels?.length ?? 0,
                    e.displayName || e.id
                  )
                }))}
                onChange={endpointId => set({ endpointId })}
              />
            )}
          </Field>
        )}
      </fieldset>
      <div className="jp-Vertex-deployRow jp-Vertex-deployRow-4">
        <Field label={trans.__('Min replicas')} {...checked('minReplicaCount')}>
          {id => (
            <WholeNumberInput
              id={id}
              min={1}
              max={100}
              value={form.minReplicaCount}
              onChange={min =>
                set({
                  minReplicaCount: min,
                  maxReplicaCount: Math.max(min, form.maxReplicaCount)
                })
              }
            />
          )}
        </Field>
        <Field label={trans.__('Max replicas')} {...checked('maxReplicaCount')}>
          {id => (
            <WholeNumberInput
              id={id}
              min={form.minReplicaCount}
              max={100}
              value={form.maxReplicaCount}
              onChange={maxReplicaCount => set({ maxReplicaCount })}
            />
          )}
        </Field>
        <Field label={trans.__('Accelerator')} {...checked('acceleratorType')}>
          {id => (
            <Select
              id={id}
              value={form.acceleratorType}
              disabled={!machine || machine.acceleratorTypes.length === 0}
              choices={[
                ...(machine?.acceleratorRequired
                  ? []
                  : [{ value: '', label: trans.__('None') }]),
                ...(machine?.acceleratorTypes ?? []).map(t => ({
                  value: t,
                  label: t
                }))
              ]}
              onChange={acceleratorType => set({ acceleratorType })}
            />
          )}
        </Field>
        <Field label={trans.__('Count')} {...checked('acceleratorCount')}>
          {id => (
            <Select
              id={id}
              value={form.acceleratorCount}
              disabled={!form.acceleratorType}
              choices={(machine?.acceleratorCounts.length
                ? machine.acceleratorCounts
                : [1]
              ).map(c => ({ value: c, label: String(c) }))}
              onChange={count => set({ acceleratorCount: Number(count) })}
            />
          )}
        </Field>
      </div>
      <Field
        label={trans.__('Traffic share (%)')}
        {...checked('trafficPercentage')}
        note={
          othersDeployed
            ? trans.__(
                'The models already deployed share the rest in proportion to their current split.'
              )
            : trans.__('The only model of the endpoint gets all its traffic.')
        }
      >
        {id => (
          <WholeNumberInput
            id={id}
            min={0}
            max={100}
            value={form.trafficPercentage}
            disabled={!othersDeployed}
            onChange={trafficPercentage => set({ trafficPercentage })}
          />
        )}
      </Field>
      <div className="jp-Vertex-form-codeRow">
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-Vertex-action"
          aria-expanded={code !== null}
          onClick={() => (code === null ? void showCode() : setCode(null))}
        >
          {code === null
            ? trans.__('Show Python code')
            : trans.__('Hide Python code')}
        </button>
      </div>
      {codeError ? (
        <div className="jp-Vertex-form-error" role="alert">
          {codeError.message}
        </div>
      ) : null}
      {code !== null ? (
        <pre
          className="jp-Vertex-codeBlock"
          aria-label={trans.__('Python SDK code')}
          tabIndex={0}
        >
          {code}
        </pre>
      ) : null}
    </div>
  );
}

/**
 * A labelled field with its message (local check or the server's) below.
 */
function Field(props: {
  label: string;
  name: string;
  message: string | null;
  note?: string;
  children: (id: string) => React.ReactNode;
}): JSX.Element {
  const id = `jp-Vertex-deploy-${props.name}`;
  const messageId = `${id}-message`;
  return (
    <div
      className={
        'jp-Vertex-form-field' + (props.message ? ' jp-mod-invalid' : '')
      }
      data-field={props.name}
    >
      <label htmlFor={id}>{props.label}</label>
      {props.children(id)}
      {props.message ? (
        <div className="jp-Vertex-form-error" id={messageId} role="alert">
          {props.message}
        </div>
      ) : props.note ? (
        <div className="jp-Vertex-form-note">{props.note}</div>
      ) : null}
    </div>
  );
}

/**
 * A styled drop-down of these choices.
 */
function Select<T extends string | number>(props: {
  id: string;
  value: T;
  choices: ReadonlyArray<{ value: T; label: string }>;
  disabled?: boolean;
  onChange: (value: string) => void;
}): JSX.Element {
  return (
    <select
      id={props.id}
      className="jp-mod-styled"
      value={props.value}
      disabled={props.disabled}
      onChange={e => props.onChange(e.target.value)}
    >
      {props.choices.map(choice => (
        <option key={choice.value} value={choice.value}>
          {choice.label}
        </option>
      ))}
    </select>
  );
}

/**
 * A styled number box whose value is taken as a whole number.
 */
function WholeNumberInput(props: {
  id: string;
  min: number;
  max: number;
  value: number;
  disabled?: boolean;
  onChange: (value: number) => void;
}): JSX.Element {
  const { onChange, ...rest } = props;
  return (
    <input
      className="jp-mod-styled"
      type="number"
      {...rest}
      onChange={e => onChange(Math.floor(Number(e.target.value)))}
    />
  );
}

/**
 * Ask for the deployment, then start it. On a 4xx answer the dialog opens
 * again with the server's message at the field it names and the same values.
 *
 * @returns the started operation and the request, or `null` if cancelled
 */
export async function deployDialog(
  options: Omit<DeployDialogBody.IOptions, 'error'>
): Promise<{ operation: IOperation; form: IDeployForm } | null> {
  const { api, trans } = options;
  let form = options.form;
  let error: VertexAPIError | null = null;
  for (;;) {
    const body = new DeployDialogBody({ ...options, form, error });
    const result = await showDialog<IDeployForm>({
      title: trans.__('Deploy "%1"', options.model.displayName),
      body,
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.okButton({ label: trans.__('Deploy') })
      ],
      focusNodeSelector: 'select'
    });
    if (!result.button.accept || !result.value) {
      return null;
    }
    form = result.value;
    if (Object.keys(checkDeployForm(form, trans)).length > 0) {
      error = null;
      continue; // The form shows what to fix.
    }
    try {
      const operation = await api.deployModel(
        form.modelId,
        deployRequest(form)
      );
      return { operation, form };
    } catch (reason) {
      error = VertexAPIError.from(reason);
      if (error.status >= 400 && error.status < 500) {
        continue;
      }
      throw error;
    }
  }
}
