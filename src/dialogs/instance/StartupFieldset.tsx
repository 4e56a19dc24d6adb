import * as React from 'react';
import { IInstanceFieldsetProps, TextField } from './fields';

/**
 * What runs at the first start, and as whom: the post-startup script and
 * the service account.
 */
export function StartupFieldset(props: IInstanceFieldsetProps): JSX.Element {
  const { trans, bound } = props;
  return (
    <>
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
    </>
  );
}
