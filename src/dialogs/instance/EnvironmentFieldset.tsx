import * as React from 'react';
import { RadioOption } from '../../components/RadioOption';
import { IInstanceFieldsetProps, TextField } from './fields';

/**
 * The environment: a VM image family or a container image.
 */
export function EnvironmentFieldset(
  props: IInstanceFieldsetProps
): JSX.Element {
  const { form, trans, set, errorOf, bound } = props;
  return (
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
  );
}
