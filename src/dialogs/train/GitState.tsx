import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { ITrainingProvenance } from '../../api/types';
import { VertexAPIError } from '../../api/request';
import { errorText } from './form';

/**
 * The git state of the file: commit, branch, and a warning for uncommitted
 * changes.
 */
export function GitState(props: {
  provenance: ITrainingProvenance | null;
  error: VertexAPIError | null;
  trans: TranslationBundle;
}): JSX.Element {
  const { provenance, error, trans } = props;
  let body: React.ReactNode;
  if (error) {
    body = <span className="jp-Vertex-fieldError">{errorText(error)}</span>;
  } else if (!provenance) {
    body = <span>{trans.__('Reading the git state…')}</span>;
  } else if (!provenance.git) {
    body = (
      <span>
        {trans.__('Not in a git repository: the job will not record a commit.')}
      </span>
    );
  } else {
    const { commit, branch, dirty } = provenance.git;
    body = (
      <>
        <span className="jp-Vertex-gitCommit">
          {branch
            ? trans.__('Commit %1 on branch %2', commit, branch)
            : trans.__('Commit %1 (detached HEAD)', commit)}
        </span>
        {dirty ? (
          <div className="jp-Vertex-warning" role="note">
            {trans.__(
              'Uncommitted changes: the job runs the files as they are now, not as in commit %1. Commit them to be able to reproduce this run.',
              commit
            )}
          </div>
        ) : null}
      </>
    );
  }
  return (
    <div
      className="jp-Vertex-gitState"
      role="status"
      aria-label={trans.__('Git state')}
    >
      {body}
    </div>
  );
}
