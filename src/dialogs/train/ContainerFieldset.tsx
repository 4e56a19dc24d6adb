import * as React from 'react';
import { RadioOption } from '../../components/RadioOption';
import { Field, fieldAria } from '../../components/form';
import { Framework } from './form';
import { ITrainFieldsetProps } from './state';

/**
 * The container: a prebuilt framework image (framework, version) or a custom image.
 */
export function ContainerFieldset(props: ITrainFieldsetProps): JSX.Element {
  const { id, state, trans, onChange, versions, disabled } = props;
  const { options, form, errors } = state;
  return (
    <fieldset className="jp-Vertex-fieldset">
      <legend>{trans.__('Container')}</legend>
      <div
        className="jp-Vertex-radios"
        role="radiogroup"
        aria-label={trans.__('Container')}
      >
        <RadioOption
          name={id('container')}
          checked={form.container === 'prebuilt'}
          onSelect={() => onChange({ container: 'prebuilt' })}
        >
          {trans.__('Prebuilt framework')}
        </RadioOption>
        <RadioOption
          name={id('container')}
          checked={form.container === 'custom'}
          onSelect={() => onChange({ container: 'custom' })}
        >
          {trans.__('Custom image')}
        </RadioOption>
      </div>
      {form.container === 'prebuilt' ? (
        <div className="jp-Vertex-form-row">
          <Field
            id={id('framework')}
            label={trans.__('Framework')}
            error={errors.framework}
          >
            <select
              id={id('framework')}
              className="jp-mod-styled"
              value={form.framework}
              disabled={disabled}
              onChange={e =>
                onChange({
                  framework: e.target.value as Framework,
                  frameworkVersion: ''
                })
              }
              {...fieldAria(id('framework'), errors.framework)}
            >
              {(options?.frameworks ?? [{ name: form.framework }]).map(f => (
                <option key={f.name} value={f.name}>
                  {f.name}
                </option>
              ))}
            </select>
          </Field>
          <Field
            id={id('frameworkVersion')}
            label={trans.__('Version')}
            error={errors.frameworkVersion}
          >
            <select
              id={id('frameworkVersion')}
              className="jp-mod-styled"
              value={form.frameworkVersion}
              disabled={disabled}
              onChange={e => onChange({ frameworkVersion: e.target.value })}
              {...fieldAria(id('frameworkVersion'), errors.frameworkVersion)}
            >
              {versions.map(v => (
                <option key={v.version} value={v.version}>
                  {v.gpu ? v.version : trans.__('%1 (CPU only)', v.version)}
                </option>
              ))}
            </select>
          </Field>
        </div>
      ) : (
        <Field
          id={id('imageUri')}
          label={trans.__('Training image')}
          error={errors.imageUri}
        >
          <input
            id={id('imageUri')}
            className="jp-mod-styled"
            type="text"
            spellCheck={false}
            placeholder="us-docker.pkg.dev/my-project/repo/trainer:latest"
            value={form.imageUri}
            onChange={e => onChange({ imageUri: e.target.value })}
            {...fieldAria(id('imageUri'), errors.imageUri)}
          />
        </Field>
      )}
    </fieldset>
  );
}
