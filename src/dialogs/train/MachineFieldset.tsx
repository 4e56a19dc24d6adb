import * as React from 'react';
import { Field, fieldAria } from '../../components/form';
import { RunsOnCpuNote } from '../../components/RunsOnCpuNote';
import { acceleratorLabel } from './form';
import { ITrainFieldsetProps } from './state';

/**
 * The machine: its type, the replica count and the accelerator.
 */
export function MachineFieldset(props: ITrainFieldsetProps): JSX.Element {
  const {
    id,
    state,
    trans,
    onChange,
    machines,
    accelerators,
    counts,
    required,
    disabled
  } = props;
  const { options, form, errors } = state;
  return (
    <fieldset className="jp-Vertex-fieldset">
      <legend>{trans.__('Machine')}</legend>
      <div className="jp-Vertex-form-row">
        <Field
          id={id('machineType')}
          label={trans.__('Machine type')}
          error={errors.machineType}
        >
          <select
            id={id('machineType')}
            className="jp-mod-styled"
            value={form.machineType}
            disabled={disabled}
            onChange={e => onChange({ machineType: e.target.value })}
            {...fieldAria(id('machineType'), errors.machineType)}
          >
            {(machines.length
              ? machines.map(m => m.machineType)
              : [form.machineType]
            ).map(m => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </Field>
        <Field
          id={id('replicaCount')}
          label={trans.__('Replicas')}
          error={errors.replicaCount}
        >
          <input
            id={id('replicaCount')}
            className="jp-mod-styled"
            type="number"
            step={1}
            value={Number.isNaN(form.replicaCount) ? '' : form.replicaCount}
            onChange={e =>
              onChange({ replicaCount: parseInt(e.target.value, 10) })
            }
            {...fieldAria(id('replicaCount'), errors.replicaCount)}
          />
        </Field>
      </div>
      <div className="jp-Vertex-form-row">
        <Field
          id={id('acceleratorType')}
          label={trans.__('Accelerator')}
          error={errors.acceleratorType}
          note={
            options && accelerators.length === 0
              ? form.container === 'prebuilt' &&
                options.machineTypes.find(
                  m => m.machineType === form.machineType
                )?.acceleratorTypes.length
                ? trans.__('This framework version has no GPU image.')
                : trans.__('This machine type takes no accelerator.')
              : required
                ? trans.__('Comes with this machine type.')
                : null
          }
        >
          <select
            id={id('acceleratorType')}
            className="jp-mod-styled"
            value={form.acceleratorType}
            disabled={disabled || accelerators.length === 0}
            onChange={e => onChange({ acceleratorType: e.target.value })}
            {...fieldAria(id('acceleratorType'), errors.acceleratorType)}
          >
            {required ? null : <option value="">{trans.__('None')}</option>}
            {accelerators.map(a => (
              <option key={a} value={a}>
                {acceleratorLabel(a)}
              </option>
            ))}
          </select>
        </Field>
        <Field
          id={id('acceleratorCount')}
          label={trans.__('Accelerator count')}
          error={errors.acceleratorCount}
        >
          <select
            id={id('acceleratorCount')}
            className="jp-mod-styled"
            value={form.acceleratorType ? String(form.acceleratorCount) : ''}
            disabled={disabled || counts.length <= 1}
            onChange={e =>
              onChange({ acceleratorCount: Number(e.target.value) })
            }
            {...fieldAria(id('acceleratorCount'), errors.acceleratorCount)}
          >
            {counts.length === 0 ? <option value="">–</option> : null}
            {counts.map(c => (
              <option key={c} value={String(c)}>
                {c}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <RunsOnCpuNote
        acceleratorType={form.acceleratorType}
        acceleratorCount={form.acceleratorCount}
        trans={trans}
      />
    </fieldset>
  );
}
