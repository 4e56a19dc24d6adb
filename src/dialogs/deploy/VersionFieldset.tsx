import * as React from 'react';
import { IModel } from '../../api/types';
import { Field, Select } from '../../components/form';
import { IDeployFieldsetProps } from './fieldset';
import { IMachineOption, withMachineType } from './form';

/**
 * What is deployed and on what: the model version and the machine type.
 */
export function VersionFieldset(
  props: IDeployFieldsetProps & {
    model: IModel;
    versions: ReadonlyArray<IModel>;
    machines: ReadonlyArray<IMachineOption>;
  }
): JSX.Element {
  const { form, trans, set, checked, model, versions, machines } = props;
  const versionChoices = versions.length ? versions : [model];
  return (
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
            onChange={machineType =>
              set(withMachineType(form, machines, machineType))
            }
          />
        )}
      </Field>
    </div>
  );
}
