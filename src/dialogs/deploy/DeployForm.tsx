import * as React from 'react';
import { VertexAPIError } from '../../api/request';
import { FormBanner } from '../../components/Banner';
import { RadioOption } from '../../components/RadioOption';
import { Field, NumberInput, Select } from '../../components/form';
import {
  checkDeployForm,
  IDeployDialogOptions,
  deployRequest,
  fieldOfMessage,
  IDeployForm
} from './form';

/**
 * The Deploy form itself.
 */
export function DeployForm(
  props: IDeployDialogOptions & {
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
  const checked = (name: string) => ({
    id: `jp-Vertex-deploy-${name}`,
    name,
    error: messageOf(name)
  });
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
        <Field
          label={trans.__('Model version')}
          id="jp-Vertex-deploy-modelId"
          name="modelId"
        >
          {control => (
            <Select
              {...control}
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
          {control => (
            <Select
              {...control}
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
            {control => (
              <input
                {...control}
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
            {control => (
              <Select
                {...control}
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
          {control => (
            <NumberInput
              {...control}
              min={1}
              max={100}
              value={form.minReplicaCount}
              onChange={text => {
                const min = whole(text);
                set({
                  minReplicaCount: min,
                  maxReplicaCount: Math.max(min, form.maxReplicaCount)
                });
              }}
            />
          )}
        </Field>
        <Field label={trans.__('Max replicas')} {...checked('maxReplicaCount')}>
          {control => (
            <NumberInput
              {...control}
              min={form.minReplicaCount}
              max={100}
              value={form.maxReplicaCount}
              onChange={text => set({ maxReplicaCount: whole(text) })}
            />
          )}
        </Field>
        <Field label={trans.__('Accelerator')} {...checked('acceleratorType')}>
          {control => (
            <Select
              {...control}
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
          {control => (
            <Select
              {...control}
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
          messageOf('trafficPercentage')
            ? null
            : othersDeployed
              ? trans.__(
                  'The models already deployed share the rest in proportion to their current split.'
                )
              : trans.__('The only model of the endpoint gets all its traffic.')
        }
      >
        {control => (
          <NumberInput
            {...control}
            min={0}
            max={100}
            value={form.trafficPercentage}
            disabled={!othersDeployed}
            onChange={text => set({ trafficPercentage: whole(text) })}
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
 * A number box's text as a whole number.
 */
function whole(text: string): number {
  return Math.floor(Number(text));
}
