import * as React from 'react';
import { KeyValueEditor } from '../../components/KeyValueEditor';
import { ITrainFieldsetProps } from './state';

/**
 * The job's labels.
 */
export function LabelsFieldset(props: ITrainFieldsetProps): JSX.Element {
  const { id, state, trans } = props;
  const { form, errors } = state;
  return (
    <fieldset className="jp-Vertex-fieldset">
      <legend>{trans.__('Labels')}</legend>
      <KeyValueEditor
        id={id('labels')}
        label={trans.__('Job labels')}
        itemLabel={trans.__('Label')}
        addLabel={trans.__('Add label')}
        keyPlaceholder="team"
        valuePlaceholder="ml"
        rows={form.labels}
        error={errors.labels}
        trans={trans}
        onChange={update =>
          props.onUpdate(current => ({ labels: update(current.labels) }))
        }
      />
    </fieldset>
  );
}
