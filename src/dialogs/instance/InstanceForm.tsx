import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { VertexAPIError } from '../../api/request';
import { FormBanner } from '../../components/Banner';

import { RadioOption } from '../../components/RadioOption';
import { Field, NumberInput, TextInput } from '../../components/form';
import {
  IBoundField,
  IBoundInput,
  TextFieldName,
  TextField,
  coded,
  at,
  DiskFields
} from './fields';
import {
  BOOT_DISK_GB,
  DATA_DISK_GB,
  fieldOfError,
  IInstanceForm,
  IMachineOption,
  InstanceField,
  machineOption,
  validateInstanceForm,
  withMachine
} from './form';

/**
 * The Create instance form. Problems show under their field as soon as the
 * field was edited; the server's refusal shows under the field it names.
 */
export function InstanceForm(props: InstanceForm.IProps): JSX.Element {
  const { machines, trans, serverError } = props;
  const [form, setForm] = React.useState<IInstanceForm>(props.initial);
  const [touched, setTouched] = React.useState<Set<string>>(new Set());
  // The server's error belongs to the values it judged; editing that field
  // again hides it.
  const [serverField, setServerField] = React.useState<InstanceField | null>(
    serverError ? fieldOfError(serverError) : null
  );
  const errors = validateInstanceForm(form, trans);
  const set = (change: Partial<IInstanceForm>, field?: InstanceField) => {
    const next = { ...form, ...change };
    setForm(next);
    props.onChange(next);
    if (field) {
      setTouched(previous => new Set(previous).add(field));
      if (field === serverField) {
        setServerField(null);
      }
    }
  };
  const errorOf = (field: InstanceField): string | null => {
    if (serverError && serverField === field) {
      return serverError.message;
    }
    if (props.showAllErrors || touched.has(field)) {
      return errors[field] ?? null;
    }
    return null;
  };
  // A control's value and change handler, for a field the form holds as
  // the API names it.
  const inputOf = (field: TextFieldName): IBoundInput => ({
    value: form[field],
    onChange: value => set({ [field]: value }, field)
  });
  // The same, with the field's id and problem, for a whole field.
  const bound = (field: TextFieldName): IBoundField => ({
    id: field,
    error: errorOf(field),
    ...inputOf(field)
  });
  const option = machineOption(machines, form.machineType);
  const gpuTypes = option?.acceleratorTypes ?? [];
  const bannerError =
    serverError && fieldOfError(serverError) === null ? serverError : null;

  return (
    <form
      className="jp-Vertex-form jp-Vertex-instanceForm"
      aria-label={trans.__('Create instance')}
      noValidate
      onSubmit={event => event.preventDefault()}
    >
      {bannerError ? <FormBanner error={bannerError} /> : null}

      <TextField
        label={trans.__('Instance id')}
        help={trans.__('e.g. `my-gpu-notebook`')}
        maxLength={63}
        autoComplete="off"
        {...bound('instanceId')}
      />

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

      <DiskFields
        type={bound('bootDiskType')}
        size={bound('bootDiskSizeGb')}
        typeLabel={trans.__('Boot disk')}
        sizeLabel={trans.__('Boot disk size (GB)')}
        range={BOOT_DISK_GB}
      />
      <DiskFields
        type={bound('dataDiskType')}
        size={bound('dataDiskSizeGb')}
        typeLabel={trans.__('Data disk')}
        sizeLabel={trans.__('Data disk size (GB)')}
        range={DATA_DISK_GB}
      />

      <fieldset className="jp-Vertex-form-fieldset">
        <legend>{trans.__('Environment')}</legend>
        <RadioOption
          className="jp-Vertex-form-check"
          name="jp-Vertex-instance-image"
          checked={form.image === 'vm'}
          onSelect={() => set({ image: 'vm' })}
        >
          {trans.__('VM image family')}
        </RadioOption>
        <RadioOption
          className="jp-Vertex-form-check"
          name="jp-Vertex-instance-image"
          checked={form.image === 'container'}
          onSelect={() => set({ image: 'container' })}
        >
          {trans.__('Container image')}
        </RadioOption>
        {form.image === 'vm' ? (
          <TextField
            label={trans.__('Image family')}
            {...bound('vmImageFamily')}
          />
        ) : (
          <div className="jp-Vertex-form-row">
            {/* The API's field is `containerImage`, the repository its part. */}
            <TextField
              id="containerImage"
              label={trans.__('Repository')}
              error={errorOf('containerImage')}
              value={form.containerRepository}
              onChange={value =>
                set({ containerRepository: value }, 'containerImage')
              }
            />
            <TextField
              id="containerTag"
              label={trans.__('Tag')}
              error={null}
              value={form.containerTag}
              onChange={value => set({ containerTag: value })}
            />
          </div>
        )}
      </fieldset>

      <TextField
        label={trans.__('Post-startup script URI')}
        help={trans.__('Runs once, after the first start.')}
        placeholder="gs://bucket/setup.sh"
        {...bound('postStartupScript')}
      />
      <TextField
        label={trans.__('Service account')}
        placeholder={trans.__('Compute Engine default')}
        {...bound('serviceAccount')}
      />
      <TextField
        label={trans.__('Network tags')}
        help={trans.__('Separated by commas or spaces.')}
        {...bound('networkTags')}
      />
      <div className="jp-Vertex-form-row">
        <TextField
          label={trans.__('Metadata')}
          help={trans.__('`key=value`, one per line.')}
          rows={2}
          {...bound('metadata')}
        />
        <TextField
          label={trans.__('Labels')}
          help={trans.__('`key=value`, one per line.')}
          rows={2}
          {...bound('labels')}
        />
      </div>
    </form>
  );
}

export namespace InstanceForm {
  export interface IProps {
    initial: IInstanceForm;
    machines: ReadonlyArray<IMachineOption> | null;
    serverError: VertexAPIError | null;
    showAllErrors: boolean;
    trans: TranslationBundle;
    onChange: (form: IInstanceForm) => void;
  }
}
