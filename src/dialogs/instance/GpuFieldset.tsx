import * as React from 'react';
import { Field, NumberInput, TextInput } from '../../components/form';
import { RunsOnCpuNote } from '../../components/RunsOnCpuNote';
import { at, coded, IInstanceFieldsetProps } from './fields';
import { IMachineOption, machineOption } from './form';

/**
 * The GPU the machine takes (or a note that it takes none), how many, and
 * whether to install its driver.
 */
export function GpuFieldset(
  props: IInstanceFieldsetProps & {
    machines: ReadonlyArray<IMachineOption> | null;
  }
): JSX.Element {
  const { form, trans, set, errorOf, inputOf, machines } = props;
  const option = machineOption(machines, form.machineType);
  const gpuTypes = option?.acceleratorTypes ?? [];
  return (
    <>
      {machines === null || gpuTypes.length > 0 ? (
        <div className="jp-Vertex-form-row">
          <Field
            {...at('acceleratorType')}
            label={trans.__('GPU')}
            error={coded(errorOf('acceleratorType'))}
          >
            {control =>
              machines ? (
                <select
                  {...control}
                  className="jp-mod-styled"
                  value={form.acceleratorType}
                  onChange={e =>
                    set({ acceleratorType: e.target.value }, 'acceleratorType')
                  }
                >
                  {option?.acceleratorRequired ? null : (
                    <option value="">{trans.__('None')}</option>
                  )}
                  {gpuTypes.map(type => (
                    <option key={type} value={type}>
                      {type}
                    </option>
                  ))}
                </select>
              ) : (
                <TextInput
                  {...control}
                  placeholder={trans.__('None')}
                  {...inputOf('acceleratorType')}
                />
              )
            }
          </Field>
          {form.acceleratorType ? (
            <Field
              {...at('acceleratorCount')}
              label={trans.__('GPU count')}
              error={coded(errorOf('acceleratorCount'))}
            >
              {control =>
                option ? (
                  <select
                    {...control}
                    className="jp-mod-styled"
                    value={form.acceleratorCount}
                    onChange={e =>
                      set(
                        { acceleratorCount: e.target.value },
                        'acceleratorCount'
                      )
                    }
                  >
                    {option.acceleratorCounts.map(count => (
                      <option key={count} value={String(count)}>
                        {count}
                      </option>
                    ))}
                  </select>
                ) : (
                  <NumberInput
                    {...control}
                    min={1}
                    {...inputOf('acceleratorCount')}
                  />
                )
              }
            </Field>
          ) : null}
        </div>
      ) : (
        <p className="jp-Vertex-form-note" data-testid="vertex-no-gpu">
          {trans.__('%1 takes no GPU.', form.machineType)}
        </p>
      )}
      <RunsOnCpuNote
        acceleratorType={form.acceleratorType}
        acceleratorCount={Number(form.acceleratorCount) || 1}
        trans={trans}
      />
      {form.acceleratorType ? (
        <label className="jp-Vertex-form-check">
          <input
            type="checkbox"
            checked={form.installGpuDriver}
            onChange={e => set({ installGpuDriver: e.target.checked })}
          />
          <span>{trans.__('Install the GPU driver')}</span>
        </label>
      ) : null}
    </>
  );
}
