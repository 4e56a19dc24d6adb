import * as React from 'react';
import { VertexAPIError } from '../../api/request';
import { FormBanner } from '../../components/Banner';
import { CodePreview } from './CodePreview';
import { EndpointFieldset } from './EndpointFieldset';
import { IDeployFieldsetProps } from './fieldset';
import {
  checkDeployForm,
  IDeployDialogOptions,
  deployRequest,
  fieldOfMessage,
  IDeployForm
} from './form';
import { RunsOnCpuNote } from '../../components/RunsOnCpuNote';
import { ScalingFieldset } from './ScalingFieldset';
import { TrafficFieldset } from './TrafficFieldset';
import { VersionFieldset } from './VersionFieldset';

/**
 * The Deploy form itself: its fieldsets, each field's message (the form's
 * checks, else the server's refusal naming it) and the SDK code.
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
  const fieldset: IDeployFieldsetProps = {
    form,
    trans,
    set,
    checked: name => ({
      id: `jp-Vertex-deploy-${name}`,
      name,
      error: messageOf(name)
    })
  };
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

  return (
    <div className="jp-Vertex-form">
      {error && !serverField ? <FormBanner error={error} /> : null}
      <VersionFieldset
        {...fieldset}
        model={model}
        versions={versions}
        machines={machines}
      />
      <EndpointFieldset {...fieldset} endpoints={endpoints} />
      <ScalingFieldset {...fieldset} machine={machine} />
      <RunsOnCpuNote
        acceleratorType={form.acceleratorType}
        acceleratorCount={form.acceleratorCount}
        trans={trans}
      />
      <TrafficFieldset {...fieldset} othersDeployed={othersDeployed} />
      <CodePreview
        code={code}
        error={codeError}
        trans={trans}
        onShow={() => void showCode()}
        onHide={() => setCode(null)}
      />
    </div>
  );
}
