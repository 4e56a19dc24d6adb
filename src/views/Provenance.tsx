import { Dialog, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { IVertexAPI } from '../api/vertexAPI';
import { VertexAPIError } from '../api/request';
import { IArtifactCopy, IJob, IModel, JobKind } from '../api/types';
import { Banner } from '../components/Banner';
import { ActionButton } from '../components/detail';
import { showCodeDialog } from '../components/codeDialog';

/**
 * Open a copied artifact in JupyterLab (a document, or the file browser for
 * a folder); given by the plugin, which has the application's commands.
 */
export type ArtifactOpener = (copy: IArtifactCopy) => Promise<void> | void;

/**
 * "Trained by <job> from <commit> on <branch> (clean|uncommitted changes)",
 * the job as a link that opens it.
 */
export function ModelProvenance(props: {
  model: IModel;
  trans: TranslationBundle;
  onOpenJob?: (kind: JobKind, jobId: string) => void;
}): JSX.Element | null {
  const { model, trans, onOpenJob } = props;
  const provenance = model.provenance;
  if (!provenance || (!provenance.job && !provenance.git)) {
    return null;
  }
  const { job, git } = provenance;
  const jobName = job ? job.displayName || job.id : null;
  const jobPart =
    job && jobName ? (
      onOpenJob ? (
        <button
          type="button"
          className="jp-Vertex-link jp-Vertex-provenanceJob"
          onClick={() => onOpenJob(job.kind, job.id)}
          aria-label={trans.__('Open job %1', jobName)}
        >
          {jobName}
        </button>
      ) : (
        <span className="jp-Vertex-provenanceJob">{jobName}</span>
      )
    ) : null;
  const gitPart = git ? (
    <>
      {' '}
      {trans.__('from')} <span className="jp-Vertex-mono">{git.commit}</span>
      {git.branch ? (
        <>
          {' '}
          {trans.__('on')} <span className="jp-Vertex-mono">{git.branch}</span>
        </>
      ) : null}{' '}
      <span
        className={
          git.dirty ? 'jp-Vertex-provenanceDirty' : 'jp-Vertex-provenanceClean'
        }
      >
        {git.dirty ? trans.__('(uncommitted changes)') : trans.__('(clean)')}
      </span>
    </>
  ) : null;
  return (
    <div className="jp-Vertex-provenance" data-testid="model-provenance">
      {jobPart ? (
        <>
          {trans.__('Trained by')} {jobPart}
        </>
      ) : (
        trans.__('Trained')
      )}
      {gitPart}
    </div>
  );
}

/**
 * The model version a job registered, as a link that opens the model.
 */
export function RegisteredModelLink(props: {
  uploadedModel: string;
  trans: TranslationBundle;
  onOpenModel?: (modelId: string) => void;
}): JSX.Element {
  const { uploadedModel, trans, onOpenModel } = props;
  const shown = uploadedModel.split('/').pop() ?? uploadedModel;
  const modelId = shown.split('@')[0];
  return onOpenModel ? (
    <button
      type="button"
      className="jp-Vertex-link jp-Vertex-mono jp-Vertex-uploadedModel"
      title={uploadedModel}
      onClick={() => onOpenModel(modelId)}
      aria-label={trans.__('Open model %1', shown)}
    >
      {shown}
    </button>
  ) : (
    <span
      className="jp-Vertex-mono jp-Vertex-uploadedModel"
      title={uploadedModel}
    >
      {shown}
    </span>
  );
}

/**
 * A `gs://` URI with "Open": the object (or folder) is copied into the
 * Jupyter root and opened there.
 */
export function ArtifactLink(props: {
  api: IVertexAPI;
  uri: string;
  trans: TranslationBundle;
  onOpenArtifact?: ArtifactOpener;
}): JSX.Element {
  const { api, uri, trans, onOpenArtifact } = props;
  const [busy, setBusy] = React.useState(false);
  const [error, setError] = React.useState<VertexAPIError | null>(null);
  const open = async () => {
    if (!onOpenArtifact) {
      return;
    }
    setBusy(true);
    try {
      const copy = await api.openArtifact(uri);
      setError(null);
      await onOpenArtifact(copy);
    } catch (reason) {
      setError(VertexAPIError.from(reason));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="jp-Vertex-artifactLink">
      <span className="jp-Vertex-mono jp-Vertex-artifact">{uri}</span>
      {onOpenArtifact ? (
        <ActionButton
          small
          disabled={busy}
          onClick={() => void open()}
          aria-label={trans.__('Open %1 in JupyterLab', uri)}
          title={trans.__(
            'Copy it into vertex-artifacts/ in the Jupyter root and open it'
          )}
        >
          {busy ? trans.__('Copying…') : trans.__('Open')}
        </ActionButton>
      ) : null}
      {error ? <Banner error={error} trans={trans} compact /> : null}
    </span>
  );
}

/**
 * Why a job cannot be re-run from its commit, or null when it can (the
 * server checks the same and says so in its own words).
 */
export function rerunRefusal(
  job: IJob,
  trans: TranslationBundle
): string | null {
  if (!job.source) {
    return trans.__('Not trained from a file of this server.');
  }
  if (!job.git?.commit) {
    return trans.__('No git commit: the file was not committed.');
  }
  if (job.git.dirty) {
    return trans.__(
      'Trained with uncommitted changes: commit %1 does not hold what it ran.',
      job.git.commit
    );
  }
  return null;
}

/**
 * "Re-run from <commit>" (the committed tree, not the working copy) and the
 * SDK code to do the same by hand.
 */
export function RerunActions(props: {
  api: IVertexAPI;
  job: IJob;
  trans: TranslationBundle;
  onError: (error: VertexAPIError | null) => void;
  onStarted?: (job: IJob) => void;
}): JSX.Element | null {
  const { api, job, trans, onError, onStarted } = props;
  const [busy, setBusy] = React.useState(false);
  const commit = job.git?.commit;
  if (!commit) {
    return null;
  }
  const refusal = rerunRefusal(job, trans);

  const rerun = async () => {
    const result = await showDialog({
      title: trans.__('Re-run from %1?', commit),
      body: trans.__(
        'Train "%1" again from commit %2: its committed files, not the working copy, with the same machine, arguments and model registration.',
        job.displayName || job.id,
        commit
      ),
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.okButton({ label: trans.__('Re-run') })
      ]
    });
    if (!result.button.accept) {
      return;
    }
    setBusy(true);
    try {
      const created = await api.rerunJob(job.kind, job.id);
      onError(null);
      onStarted?.(created);
    } catch (reason) {
      onError(VertexAPIError.from(reason));
    } finally {
      setBusy(false);
    }
  };

  const showCode = async () => {
    let code: string;
    try {
      code = (await api.rerunJobCode(job.kind, job.id)).code;
      onError(null);
    } catch (reason) {
      onError(VertexAPIError.from(reason));
      return;
    }
    await showCodeDialog(
      trans.__('SDK code to re-run "%1" from %2', job.displayName, commit),
      code,
      trans
    );
  };

  return (
    <>
      <ActionButton
        disabled={busy || refusal !== null}
        title={refusal ?? trans.__('Train again from the committed tree')}
        onClick={() => void rerun()}
      >
        {trans.__('Re-run from %1', commit)}
      </ActionButton>
      {refusal === null ? (
        <ActionButton onClick={() => void showCode()}>
          {trans.__('Show SDK code to re-run')}
        </ActionButton>
      ) : null}
    </>
  );
}
