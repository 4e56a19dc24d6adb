import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { Field, NumberInput, Select, TextInput } from '../../components/form';
import { RadioOption } from '../../components/RadioOption';
import { IMachineOption, wholeNumber } from '../deploy/form';
import { DEFAULT_OUTPUT, formatOfPath, IBatchForm } from './form';

/**
 * What each fieldset of the Batch predict form is given.
 */
export interface IBatchFieldsetProps {
  form: IBatchForm;
  trans: TranslationBundle;
  set: (change: Partial<IBatchForm>) => void;
  checked: (name: string) => { id: string; name: string; error: string | null };
}

/**
 * The input: a file of the Jupyter root (staged by the server) or a gs://
 * URI, and its format.
 */
export function InputFieldset(props: IBatchFieldsetProps): JSX.Element {
  const { form, trans, set, checked } = props;
  return (
    <fieldset className="jp-Vertex-form-group">
      <legend>{trans.__('Input')}</legend>
      <div className="jp-Vertex-form-choices">
        <RadioOption
          className="jp-Vertex-form-check"
          name="jp-Vertex-batch-source"
          checked={form.source === 'file'}
          onSelect={() => set({ source: 'file' })}
        >
          {trans.__('File in the Jupyter root')}
        </RadioOption>
        <RadioOption
          className="jp-Vertex-form-check"
          name="jp-Vertex-batch-source"
          checked={form.source === 'gcs'}
          onSelect={() => set({ source: 'gcs' })}
        >
          {trans.__('Cloud Storage URI')}
        </RadioOption>
      </div>
      {form.source === 'file' ? (
        <Field
          label={trans.__('File')}
          {...checked('input')}
          note={trans.__(
            'As the file browser names it; it is staged to Cloud Storage for the job.'
          )}
        >
          {control => (
            <TextInput
              {...control}
              value={form.path}
              placeholder="data/rows.csv"
              onChange={path =>
                set({ path, instancesFormat: formatOfPath(path) })
              }
            />
          )}
        </Field>
      ) : (
        <Field
          label={trans.__('URI')}
          {...checked('input')}
          note={trans.__('Wildcards (*) allowed in the object name.')}
        >
          {control => (
            <TextInput
              {...control}
              value={form.uri}
              placeholder="gs://bucket/rows-*.jsonl"
              onChange={uri => set({ uri })}
            />
          )}
        </Field>
      )}
      <div className="jp-Vertex-deployRow">
        <Field
          label={trans.__('Instances format')}
          {...checked('instancesFormat')}
        >
          {control => (
            <Select
              {...control}
              value={form.instancesFormat}
              choices={[
                { value: 'jsonl', label: 'jsonl' },
                { value: 'csv', label: trans.__('csv (with a header)') },
                { value: 'file-list', label: 'file-list' }
              ]}
              onChange={v =>
                set({ instancesFormat: v as IBatchForm['instancesFormat'] })
              }
            />
          )}
        </Field>
        <Field
          label={trans.__('Predictions format')}
          {...checked('predictionsFormat')}
        >
          {control => (
            <Select
              {...control}
              value={form.predictionsFormat}
              choices={[
                { value: 'jsonl', label: 'jsonl' },
                { value: 'csv', label: 'csv' }
              ]}
              onChange={v =>
                set({ predictionsFormat: v as IBatchForm['predictionsFormat'] })
              }
            />
          )}
        </Field>
      </div>
    </fieldset>
  );
}

/**
 * The machines: type, starting and max replicas (model servers), batch size.
 */
export function ResourcesFieldset(
  props: IBatchFieldsetProps & { machines: ReadonlyArray<IMachineOption> }
): JSX.Element {
  const { form, trans, set, checked, machines } = props;
  const types = machines.map(m => m.machineType);
  if (!types.includes(form.machineType)) {
    types.unshift(form.machineType);
  }
  return (
    <fieldset className="jp-Vertex-form-group">
      <legend>{trans.__('Resources')}</legend>
      <div className="jp-Vertex-deployRow jp-Vertex-deployRow-4">
        <Field label={trans.__('Machine type')} {...checked('machineType')}>
          {control => (
            <Select
              {...control}
              value={form.machineType}
              choices={types.map(t => ({ value: t, label: t }))}
              onChange={machineType => set({ machineType })}
            />
          )}
        </Field>
        <Field
          label={trans.__('Starting replicas')}
          {...checked('startingReplicaCount')}
        >
          {control => (
            <NumberInput
              {...control}
              min={1}
              max={100}
              value={form.startingReplicaCount}
              onChange={text => {
                const starting = wholeNumber(text);
                set({
                  startingReplicaCount: starting,
                  maxReplicaCount: Math.max(starting, form.maxReplicaCount)
                });
              }}
            />
          )}
        </Field>
        <Field label={trans.__('Max replicas')} {...checked('maxReplicaCount')}>
          {control => (
            <NumberInput
              {...control}
              min={1}
              max={100}
              value={form.maxReplicaCount}
              onChange={text => set({ maxReplicaCount: wholeNumber(text) })}
            />
          )}
        </Field>
        <Field label={trans.__('Batch size')} {...checked('batchSize')}>
          {control => (
            <NumberInput
              {...control}
              min={1}
              max={100000}
              value={form.batchSize}
              onChange={batchSize => set({ batchSize })}
            />
          )}
        </Field>
      </div>
    </fieldset>
  );
}

/**
 * Where the predictions go, and the job's name.
 */
export function OutputFieldset(props: IBatchFieldsetProps): JSX.Element {
  const { form, trans, set, checked } = props;
  return (
    <fieldset className="jp-Vertex-form-group">
      <legend>{trans.__('Output')}</legend>
      <Field
        label={trans.__('Output prefix')}
        {...checked('outputUriPrefix')}
        note={trans.__('Default: %1', DEFAULT_OUTPUT)}
      >
        {control => (
          <TextInput
            {...control}
            value={form.outputUriPrefix}
            placeholder={DEFAULT_OUTPUT}
            onChange={outputUriPrefix => set({ outputUriPrefix })}
          />
        )}
      </Field>
      <Field label={trans.__('Job name')} {...checked('displayName')}>
        {control => (
          <TextInput
            {...control}
            value={form.displayName}
            maxLength={128}
            placeholder={trans.__('(generated)')}
            onChange={displayName => set({ displayName })}
          />
        )}
      </Field>
    </fieldset>
  );
}
