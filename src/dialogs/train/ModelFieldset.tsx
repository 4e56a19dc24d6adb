import * as React from 'react';
import { RadioOption } from '../../components/RadioOption';
import { errorText } from './form';
import { Field, fieldAria } from '../../components/form';
import { ITrainFieldsetProps } from './state';

/**
 * Whether and how to register the trained model (a new model or a version of one).
 */
export function ModelFieldset(props: ITrainFieldsetProps): JSX.Element {
  const { id, state, trans, onChange } = props;
  const { form, errors } = state;
  return (
    <fieldset className="jp-Vertex-fieldset">
      <legend>{trans.__('Model')}</legend>
      <label className="jp-Vertex-form-check">
        <input
          type="checkbox"
          checked={form.registerModel}
          onChange={e => onChange({ registerModel: e.target.checked })}
        />
        <span>{trans.__('Register the trained model')}</span>
      </label>
      {form.registerModel ? (
        <>
          <div
            className="jp-Vertex-radios"
            role="radiogroup"
            aria-label={trans.__('Register as')}
          >
            <RadioOption
              name={id('modelMode')}
              checked={form.modelMode === 'new'}
              onSelect={() => onChange({ modelMode: 'new' })}
            >
              {trans.__('A new model')}
            </RadioOption>
            <RadioOption
              name={id('modelMode')}
              checked={form.modelMode === 'version'}
              onSelect={() => onChange({ modelMode: 'version' })}
            >
              {trans.__('A new version of a model')}
            </RadioOption>
          </div>
          {form.modelMode === 'new' ? (
            <Field
              id={id('modelDisplayName')}
              label={trans.__('Model name')}
              error={errors.modelDisplayName}
            >
              <input
                id={id('modelDisplayName')}
                className="jp-mod-styled"
                type="text"
                value={form.modelDisplayName}
                onChange={e => onChange({ modelDisplayName: e.target.value })}
                {...fieldAria(id('modelDisplayName'), errors.modelDisplayName)}
              />
            </Field>
          ) : (
            <Field
              id={id('parentModel')}
              label={trans.__('Parent model')}
              error={
                errors.parentModel ??
                (state.modelsError ? errorText(state.modelsError) : undefined)
              }
            >
              <select
                id={id('parentModel')}
                className="jp-mod-styled"
                value={form.parentModel}
                disabled={state.models === null}
                onChange={e => onChange({ parentModel: e.target.value })}
                {...fieldAria(id('parentModel'), errors.parentModel)}
              >
                <option value="">
                  {state.models === null
                    ? trans.__('Loading models…')
                    : state.models.length === 0
                      ? trans.__('No models yet')
                      : trans.__('Choose a model')}
                </option>
                {(state.models ?? []).map(m => (
                  <option key={m.id} value={m.id}>
                    {trans.__(
                      '%1 (%2, version %3)',
                      m.displayName || m.id,
                      m.id,
                      m.versionId ?? '1'
                    )}
                  </option>
                ))}
              </select>
            </Field>
          )}
          <Field
            id={id('servingImage')}
            label={trans.__('Serving container')}
            error={errors.servingImage}
          >
            <input
              id={id('servingImage')}
              className="jp-mod-styled"
              type="text"
              spellCheck={false}
              value={form.servingImage}
              onChange={e => onChange({ servingImage: e.target.value })}
              {...fieldAria(id('servingImage'), errors.servingImage)}
            />
          </Field>
        </>
      ) : null}
    </fieldset>
  );
}
