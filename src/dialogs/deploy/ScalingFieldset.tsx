import * as React from 'react';
import { Field, NumberInput, Select } from '../../components/form';
import { IDeployFieldsetProps } from './fieldset';
import { IMachineOption, wholeNumber } from './form';

/**
 * How many replicas, and the accelerator each takes.
 */
export function ScalingFieldset(
  props: IDeployFieldsetProps & { machine: IMachineOption | undefined }
): JSX.Element {
  const { form, trans, set, checked, machine } = props;
  return (
    <div className="jp-Vertex-deployRow jp-Vertex-deployRow-4">
      <Field label={trans.__('Min replicas')} {...checked('minReplicaCount')}>
        {control => (
          <NumberInput
            {...control}
            min={1}
            max={100}
            value={form.minReplicaCount}
            onChange={text => {
              const min = wholeNumber(text);
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
            onChange={text => set({ maxReplicaCount: wholeNumber(text) })}
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
  );
}
