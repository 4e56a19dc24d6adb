import * as React from 'react';
import { Field, TextInput } from '../../components/form';
import { at, coded, IInstanceFieldsetProps } from './fields';
import { IMachineOption, withMachine } from './form';

/**
 * The machine type: a list from the server's machine table, a text box
 * without one.
 */
export function MachineFieldset(
  props: IInstanceFieldsetProps & {
    machines: ReadonlyArray<IMachineOption> | null;
  }
): JSX.Element {
  const { form, trans, set, errorOf, inputOf, machines } = props;
  return (
    <Field
      {...at('machineType')}
      label={trans.__('Machine type')}
      error={coded(errorOf('machineType'))}
    >
      {control =>
        machines ? (
          <select
            {...control}
            className="jp-mod-styled"
            value={form.machineType}
            onChange={e => {
              const next = withMachine(form, e.target.value, machines);
              set(next, 'machineType');
            }}
          >
            {machines.some(m => m.machineType === form.machineType) ? null : (
              <option value={form.machineType}>{form.machineType}</option>
            )}
            {machines.map(m => (
              <option key={m.machineType} value={m.machineType}>
                {m.machineType}
              </option>
            ))}
          </select>
        ) : (
          <TextInput {...control} {...inputOf('machineType')} />
        )
      }
    </Field>
  );
}
