import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { VertexAPIError } from '../../api/request';
import { FormBanner } from '../../components/Banner';
import { DisksFieldset } from './DisksFieldset';
import { EnvironmentFieldset } from './EnvironmentFieldset';
import { IInstanceFieldsetProps, TextField, TextFieldName } from './fields';
import {
  fieldOfError,
  IInstanceForm,
  IMachineOption,
  InstanceField,
  validateInstanceForm
} from './form';
import { GpuFieldset } from './GpuFieldset';
import { MachineFieldset } from './MachineFieldset';
import { NetworkFieldset } from './NetworkFieldset';
import { StartupFieldset } from './StartupFieldset';

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
  const inputOf = (field: TextFieldName) => ({
    value: form[field],
    onChange: (value: string) => set({ [field]: value }, field)
  });
  const fieldset: IInstanceFieldsetProps = {
    form,
    trans,
    set,
    errorOf,
    inputOf,
    bound: field => ({ id: field, error: errorOf(field), ...inputOf(field) })
  };
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
        {...fieldset.bound('instanceId')}
      />
      <MachineFieldset {...fieldset} machines={machines} />
      <GpuFieldset {...fieldset} machines={machines} />
      <DisksFieldset {...fieldset} />
      <EnvironmentFieldset {...fieldset} />
      <StartupFieldset {...fieldset} />
      <NetworkFieldset {...fieldset} />
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
