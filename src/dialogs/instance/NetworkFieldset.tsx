import * as React from 'react';
import { IInstanceFieldsetProps, TextField } from './fields';

/**
 * Network tags, metadata and labels.
 */
export function NetworkFieldset(props: IInstanceFieldsetProps): JSX.Element {
  const { trans, bound } = props;
  return (
    <>
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
    </>
  );
}
