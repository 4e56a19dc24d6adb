import * as React from 'react';
import { KeyValueEditor } from '../../components/KeyValueEditor';
import { Field, fieldAria } from '../../components/form';
import { ITrainFieldsetProps } from './state';

/**
 * The script's arguments and environment variables.
 */
export function ArgumentsFieldset(props: ITrainFieldsetProps): JSX.Element {
  const { id, state, trans, onChange } = props;
  const { form, errors } = state;
  return (
    <fieldset className="jp-Vertex-fieldset">
      <legend>{trans.__('Arguments and environment')}</legend>
      <Field
        id={id('args')}
        label={trans.__('Arguments (one per line)')}
        error={errors.args}
      >
        <textarea
          id={id('args')}
          className="jp-mod-styled jp-Vertex-args"
          rows={4}
          spellCheck={false}
          placeholder={'--epochs\n10'}
          value={form.args}
          onChange={e => onChange({ args: e.target.value })}
          {...fieldAria(id('args'), errors.args)}
        />
      </Field>
      <KeyValueEditor
        id={id('env')}
        label={trans.__('Environment variables')}
        itemLabel={trans.__('Variable')}
        addLabel={trans.__('Add variable')}
        keyPlaceholder="NAME"
        valuePlaceholder={trans.__('value')}
        rows={form.env}
        error={errors.env}
        trans={trans}
        onChange={update =>
          props.onUpdate(current => ({ env: update(current.env) }))
        }
      />
    </fieldset>
  );
}
