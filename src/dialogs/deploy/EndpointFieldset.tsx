import * as React from 'react';
import { IEndpoint } from '../../api/types';
import { RadioOption } from '../../components/RadioOption';
import { Field, Select } from '../../components/form';
import { IDeployFieldsetProps } from './fieldset';

/**
 * Where to deploy: a new endpoint (its name) or an existing one.
 */
export function EndpointFieldset(
  props: IDeployFieldsetProps & { endpoints: ReadonlyArray<IEndpoint> }
): JSX.Element {
  const { form, trans, set, checked, endpoints } = props;
  return (
    <fieldset className="jp-Vertex-form-group">
      <legend>{trans.__('Endpoint')}</legend>
      <div className="jp-Vertex-form-choices">
        <RadioOption
          className="jp-Vertex-form-check"
          name="jp-Vertex-deploy-target"
          checked={form.target === 'new'}
          onSelect={() => set({ target: 'new', trafficPercentage: 100 })}
        >
          {trans.__('New endpoint')}
        </RadioOption>
        <RadioOption
          className="jp-Vertex-form-check"
          name="jp-Vertex-deploy-target"
          checked={form.target === 'existing'}
          disabled={endpoints.length === 0}
          onSelect={() => set({ target: 'existing' })}
        >
          {endpoints.length
            ? trans.__('Existing endpoint')
            : trans.__('Existing endpoint (none yet)')}
        </RadioOption>
      </div>
      {form.target === 'new' ? (
        <Field
          label={trans.__('Endpoint name')}
          {...checked('endpointDisplayName')}
        >
          {control => (
            <input
              {...control}
              className="jp-mod-styled"
              type="text"
              maxLength={128}
              value={form.endpointDisplayName}
              onChange={e => set({ endpointDisplayName: e.target.value })}
            />
          )}
        </Field>
      ) : (
        <Field
          label={trans.__('Endpoint to deploy to')}
          {...checked('endpointId')}
        >
          {control => (
            <Select
              {...control}
              value={form.endpointId}
              choices={endpoints.map(e => ({
                value: e.id,
                label: trans._n(
                  '%2 (%1 model)',
                  '%2 (%1 models)',
                  e.deployedModels?.length ?? 0,
                  e.displayName || e.id
                )
              }))}
              onChange={endpointId => set({ endpointId })}
            />
          )}
        </Field>
      )}
    </fieldset>
  );
}
