import * as React from 'react';
import { Field, NumberInput } from '../../components/form';
import { IDeployFieldsetProps } from './fieldset';
import { wholeNumber } from './form';

/**
 * The share of the endpoint's traffic the new model gets; editable only when
 * other models are deployed there.
 */
export function TrafficFieldset(
  props: IDeployFieldsetProps & { othersDeployed: boolean }
): JSX.Element {
  const { form, trans, set, checked, othersDeployed } = props;
  const field = checked('trafficPercentage');
  return (
    <Field
      label={trans.__('Traffic share (%)')}
      {...field}
      note={
        field.error
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
          onChange={text => set({ trafficPercentage: wholeNumber(text) })}
        />
      )}
    </Field>
  );
}
