import { Dialog, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { IVertexAPI } from '../api/vertexAPI';
import { LogFollower } from '../model/logs';
import { LogView } from './LogView';
import { VertexAPIError } from '../api/request';
import { IJob } from '../api/types';
import { Banner } from '../components/Banner';
import { RunsOnCpuNote } from '../components/RunsOnCpuNote';
import {
  ActionBar,
  ActionButton,
  DetailHeader,
  Field,
  FieldsSection,
  TimeField
} from '../components/detail';
import {
  formatElapsed,
  isTerminal,
  jobElapsed,
  kindLabel,
  StateChip,
  timeOf,
  useNow
} from '../components/format';
import {
  ArtifactLink,
  ArtifactOpener,
  RegisteredModelLink,
  RerunActions
} from './Provenance';
import { showCodeDialog } from '../components/codeDialog';

/**
 * A job's details in the panel: configuration, git provenance, the failure
 * reason, the registered model, and its log followed live while it runs.
 */
export function JobDetail(props: JobDetail.IProps): JSX.Element {
  const { api, job, trans, onChanged } = props;
  const [actionError, setActionError] = React.useState<VertexAPIError | null>(
    null
  );
  const [busy, setBusy] = React.useState(false);
  const running = !isTerminal(job.state);
  const now = useNow(running && Boolean(job.startTime));

  const cancel = async () => {
    if (!(await confirmCancelJob(job, trans))) {
      return;
    }
    setBusy(true);
    try {
      await api.cancelJob(job.kind, job.id);
      setActionError(null);
    } catch (error) {
      setActionError(VertexAPIError.from(error));
    } finally {
      setBusy(false);
      onChanged();
    }
  };

  const showCode = async () => {
    let code: string;
    try {
      code = (await api.jobCode(job.kind, job.id)).code;
      setActionError(null);
    } catch (error) {
      setActionError(VertexAPIError.from(error));
      return;
    }
    await showCodeDialog(
      trans.__('SDK code of "%1"', job.displayName || job.id),
      code,
      trans
    );
  };

  const spec = job.spec;
  const elapsed = jobElapsed(job, now);
  const created = timeOf(job.createTime ?? undefined);
  const started = timeOf(job.startTime ?? undefined);
  const ended = timeOf(job.endTime ?? undefined);
  const dirty = job.git?.dirty || (job.labels?.['git-dirty'] ?? '') === 'true';
  const commit = job.git?.commit ?? job.labels?.['git-commit'];
  const branch = job.git?.branch ?? job.labels?.['git-branch'];
  const headingId = `jp-Vertex-job-${job.id}-heading`;

  return (
    <div
      className="jp-Vertex-JobDetail"
      role="region"
      aria-labelledby={headingId}
    >
      <DetailHeader
        headingId={headingId}
        title={job.displayName || job.id}
        badge={<StateChip state={job.state} trans={trans} />}
      />

      {job.state === 'FAILED' && job.error ? (
        <div className="jp-Vertex-Banner jp-Vertex-Banner-compact" role="alert">
          <div className="jp-Vertex-Banner-message">
            {trans.__('The job failed')}
          </div>
          <div className="jp-Vertex-Banner-hint jp-Vertex-failure">
            {job.error.message}
          </div>
        </div>
      ) : null}
      {actionError ? (
        <Banner error={actionError} trans={trans} compact />
      ) : null}

      <ActionBar>
        {running ? (
          <ActionButton
            kind="warn"
            onClick={() => void cancel()}
            disabled={busy || job.state === 'CANCELLING'}
          >
            {trans.__('Cancel job')}
          </ActionButton>
        ) : null}
        <ActionButton onClick={() => void showCode()}>
          {trans.__('Show SDK code')}
        </ActionButton>
        <RerunActions
          api={api}
          job={job}
          trans={trans}
          onError={setActionError}
          onStarted={props.onOpenJob}
        />
      </ActionBar>

      <FieldsSection title={trans.__('Job')} id={`${headingId}-job`}>
        <Field label={trans.__('Kind')}>{kindLabel(job.kind, trans)}</Field>
        <Field label={trans.__('ID')}>
          <span className="jp-Vertex-mono">{job.id}</span>
        </Field>
        {job.source ? (
          <Field label={trans.__('Source')}>
            <span className="jp-Vertex-mono">{job.source.path}</span>
          </Field>
        ) : null}
        <TimeField label={trans.__('Created')} time={created} />
        <TimeField label={trans.__('Started')} time={started} />
        <TimeField label={trans.__('Ended')} time={ended} />
        {elapsed !== null ? (
          <Field label={trans.__('Duration')}>{formatElapsed(elapsed)}</Field>
        ) : null}
        {spec?.baseOutputDirectory ? (
          <Field label={trans.__('Outputs')}>
            <ArtifactLink
              api={api}
              uri={spec.baseOutputDirectory}
              trans={trans}
              onOpenArtifact={props.onOpenArtifact}
            />
          </Field>
        ) : null}
        {job.notebookOutput ? (
          <Field label={trans.__('Executed notebook')}>
            <ArtifactLink
              api={api}
              uri={job.notebookOutput}
              trans={trans}
              onOpenArtifact={props.onOpenArtifact}
            />
          </Field>
        ) : null}
      </FieldsSection>

      {spec ? (
        <FieldsSection
          title={trans.__('Configuration')}
          id={`${headingId}-config`}
        >
          <Field label={trans.__('Machine')}>
            {spec.machineType ?? trans.__('default')}
            {spec.acceleratorType
              ? ` · ${spec.acceleratorType} × ${spec.acceleratorCount ?? 1}`
              : ''}
          </Field>
          <RunsOnCpuNote
            acceleratorType={spec.acceleratorType}
            acceleratorCount={spec.acceleratorCount}
            trans={trans}
          />
          <Field label={trans.__('Replicas')}>
            {String(spec.replicaCount)}
          </Field>
          {spec.imageUri ? (
            <Field label={trans.__('Image')}>
              <span className="jp-Vertex-mono">{spec.imageUri}</span>
            </Field>
          ) : null}
          <Field label={trans.__('Arguments')}>
            {spec.args.length ? (
              <span className="jp-Vertex-mono">{spec.args.join(' ')}</span>
            ) : (
              trans.__('none')
            )}
          </Field>
        </FieldsSection>
      ) : null}

      <FieldsSection title={trans.__('Git')} id={`${headingId}-git`}>
        {commit ? (
          <>
            <Field label={trans.__('Commit')}>
              <span className="jp-Vertex-mono">{commit}</span>
            </Field>
            {branch ? (
              <Field label={trans.__('Branch')}>
                <span className="jp-Vertex-mono">{branch}</span>
              </Field>
            ) : null}
            {dirty ? (
              <div className="jp-Vertex-warning" role="note">
                {trans.__(
                  'Trained with uncommitted changes: the commit alone does not reproduce this job.'
                )}
              </div>
            ) : null}
          </>
        ) : (
          <div className="jp-Vertex-note">
            {trans.__(
              'No git provenance: the file is not in a git repository.'
            )}
          </div>
        )}
      </FieldsSection>

      {job.model ? (
        <FieldsSection title={trans.__('Model')} id={`${headingId}-model`}>
          <Field label={trans.__('Name')}>{job.model.displayName}</Field>
          {job.model.servingContainerImageUri ? (
            <Field label={trans.__('Serving image')}>
              <span className="jp-Vertex-mono">
                {job.model.servingContainerImageUri}
              </span>
            </Field>
          ) : null}
          <Field label={trans.__('Registered')}>
            {job.model.uploadedModel ? (
              <RegisteredModelLink
                uploadedModel={job.model.uploadedModel}
                trans={trans}
                onOpenModel={props.onOpenModel}
              />
            ) : (
              trans.__('not yet')
            )}
          </Field>
        </FieldsSection>
      ) : null}

      <JobLog
        key={`${job.kind}/${job.id}`}
        api={api}
        job={job}
        trans={trans}
        onStateChanged={onChanged}
        isActive={props.isActive}
      />
    </div>
  );
}

export namespace JobDetail {
  export interface IProps {
    api: IVertexAPI;
    job: IJob;
    trans: TranslationBundle;
    /**
     * The job may have changed (cancelled, ended): refresh the list.
     */
    onChanged: () => void;
    /**
     * Whether the detail is visible (the log pauses while it is not).
     */
    isActive?: () => boolean;
    /**
     * Open the model a job registered (by model id).
     */
    onOpenModel?: (modelId: string) => void;
    /**
     * Open a job (the re-run just started).
     */
    onOpenJob?: (job: IJob) => void;
    /**
     * Open an artifact copied into the Jupyter root.
     */
    onOpenArtifact?: ArtifactOpener;
  }
}

/**
 * Ask before cancelling a job (from its details or from "Running now").
 */
export async function confirmCancelJob(
  job: IJob,
  trans: TranslationBundle
): Promise<boolean> {
  const result = await showDialog({
    title: trans.__('Cancel job?'),
    body: trans.__(
      'Cancel "%1"? Its replicas are stopped; what they wrote so far is kept.',
      job.displayName || job.id
    ),
    buttons: [
      Dialog.cancelButton({ label: trans.__('Keep running') }),
      Dialog.warnButton({ label: trans.__('Cancel job') })
    ]
  });
  return result.button.accept;
}

/**
 * The job's log, following new lines while it runs.
 */
export function JobLog(props: {
  api: IVertexAPI;
  job: IJob;
  trans: TranslationBundle;
  onStateChanged: () => void;
  isActive?: () => boolean;
}): JSX.Element {
  const { api, job, trans, onStateChanged } = props;
  const isActiveRef = React.useRef(props.isActive);
  isActiveRef.current = props.isActive;
  const [, setVersion] = React.useState(0);
  const followerRef = React.useRef<LogFollower | null>(null);
  const reportedRef = React.useRef<string | null>(null);
  const shownStateRef = React.useRef(job.state);
  shownStateRef.current = job.state;

  React.useEffect(() => {
    const follower = new LogFollower({
      api,
      kind: job.kind,
      jobId: job.id,
      isActive: () =>
        (isActiveRef.current?.() ?? true) &&
        document.visibilityState !== 'hidden'
    });
    followerRef.current = follower;
    follower.changed.connect(() => {
      setVersion(v => v + 1);
      // The log knows the state first (lines come with it): when it differs
      // from the state shown, have the job read again so the two agree.
      if (
        follower.state &&
        follower.state !== shownStateRef.current &&
        reportedRef.current !== follower.state
      ) {
        reportedRef.current = follower.state;
        onStateChanged();
      }
    });
    void follower.start();
    return () => follower.stop();
  }, [api, job.kind, job.id]);

  const follower = followerRef.current;
  const entries = follower?.entries ?? [];
  const following = follower !== null && !follower.done;
  return (
    <section className="jp-Vertex-JobDetail-section jp-Vertex-JobLog">
      <h4
        className="jp-Vertex-JobDetail-sectionTitle"
        id={`jp-Vertex-job-${job.id}-log`}
      >
        {trans.__('Log')}
        {following && !isTerminal(job.state) ? (
          <span className="jp-Vertex-following">{trans.__('following')}</span>
        ) : null}
      </h4>
      {follower?.error ? (
        <Banner error={follower.error} trans={trans} compact />
      ) : null}
      {entries.length === 0 ? (
        <div className="jp-Vertex-note">
          {follower === null || following
            ? trans.__('Waiting for log lines…')
            : trans.__('This job wrote no log lines.')}
        </div>
      ) : (
        <LogView
          entries={entries}
          dropped={follower?.dropped ?? 0}
          showReplica={Boolean(job.spec && job.spec.replicaCount > 1)}
          trans={trans}
          labelledBy={`jp-Vertex-job-${job.id}-log`}
        />
      )}
    </section>
  );
}
