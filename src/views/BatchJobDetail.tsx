import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { useFetched } from '../components/useFetched';
import { IVertexAPI } from '../api/vertexAPI';
import { VertexAPIError } from '../api/request';
import { IBatchJob } from '../api/types';
import { Banner, ErrorBanners } from '../components/Banner';
import {
  ActionBar,
  ActionButton,
  confirm,
  deleteShown,
  DetailSection,
  DetailView,
  Field,
  FieldsSection,
  TimeField
} from '../components/detail';
import { formatElapsed, StateChip, timeOf } from '../components/format';
import { isTerminal } from '../model/states';
import { modelOf, progressText } from '../panel/BatchJobList';
import { BatchResultsView } from './BatchResults';

/**
 * How often a running job is fetched again for its progress.
 */
export const BATCH_POLL_MS = 2000;

/**
 * A batch prediction job: its progress (rows done of the total, rate, ETA)
 * while it runs, its error, Cancel and Delete, and its results once written.
 */
export function BatchJobDetail(props: BatchJobDetail.IProps): JSX.Element {
  const { api, trans, jobId } = props;
  const job = useBatchJob(props);
  const [actionError, setActionError] = React.useState<VertexAPIError | null>(
    null
  );
  const [busy, setBusy] = React.useState(false);
  if (!job.value) {
    return job.error ? (
      <Banner error={job.error} trans={trans} />
    ) : (
      <div className="jp-Vertex-placeholder">{trans.__('Loading job…')}</div>
    );
  }
  const shown = job.value;
  const name = shown.displayName || shown.id;
  const ended = isTerminal(shown.state);
  const headingId = `jp-Vertex-batch-${jobId}`;
  const cancel = async () => {
    const ok = await confirm({
      title: trans.__('Cancel batch job?'),
      body: trans.__(
        'Cancel "%1"? Its model servers are stopped; the rows written so far are kept.',
        name
      ),
      action: trans.__('Cancel job'),
      trans
    });
    if (!ok) {
      return;
    }
    setBusy(true);
    try {
      job.set(await api.cancelBatchJob(shown.id));
      setActionError(null);
    } catch (error) {
      setActionError(VertexAPIError.from(error));
    } finally {
      setBusy(false);
      props.onChanged();
    }
  };
  return (
    <DetailView
      headingId={headingId}
      className="jp-Vertex-BatchJobDetail"
      title={name}
      trans={trans}
      badge={<StateChip state={shown.state} trans={trans} />}
    >
      <ErrorBanners
        loadError={job.error}
        actionError={actionError}
        trans={trans}
      />
      <ActionBar>
        <ActionButton
          kind="warn"
          disabled={ended || busy || shown.state === 'CANCELLING'}
          onClick={() => void cancel()}
        >
          {trans.__('Cancel job')}
        </ActionButton>
        <ActionButton
          kind="warn"
          disabled={!ended || busy}
          onClick={() =>
            void deleteShown({
              title: trans.__('Delete batch job?'),
              body: trans.__(
                'Delete "%1"? Its output files stay in Cloud Storage.',
                name
              ),
              trans,
              remove: () => api.deleteBatchJob(shown.id),
              setBusy,
              setActionError,
              onChanged: props.onChanged,
              onBack: props.onGone
            })
          }
        >
          {trans.__('Delete job')}
        </ActionButton>
      </ActionBar>
      <BatchProgress job={shown} trans={trans} />
      {shown.error ? (
        <div className="jp-Vertex-form-error" role="alert">
          {shown.error.message}
        </div>
      ) : null}
      <FieldsSection title={trans.__('Job')} id={`${headingId}-job`}>
        <Field label={trans.__('Model')}>
          {props.onOpenModel ? (
            <button
              type="button"
              className="jp-Vertex-link"
              onClick={() => props.onOpenModel?.(modelOf(shown))}
            >
              {modelOf(shown)}
            </button>
          ) : (
            modelOf(shown)
          )}
        </Field>
        <Field label={trans.__('Input')}>
          <code>{shown.inputUris.join(', ')}</code> ({shown.instancesFormat})
        </Field>
        <Field label={trans.__('Output')}>
          <code>{shown.outputDirectory ?? shown.outputUriPrefix ?? '—'}</code> (
          {shown.predictionsFormat})
        </Field>
        <Field label={trans.__('Machine')}>
          {trans.__(
            '%1 × %2 (up to %3)',
            shown.machineType ?? '—',
            shown.startingReplicaCount,
            shown.maxReplicaCount
          )}
        </Field>
        {shown.batchSize ? (
          <Field label={trans.__('Batch size')}>{shown.batchSize}</Field>
        ) : null}
        <TimeField
          label={trans.__('Created')}
          time={timeOf(shown.createTime ?? undefined)}
        />
      </FieldsSection>
      {shown.outputDirectory && (ended || shown.progress.done > 0) ? (
        <DetailSection
          title={trans.__('Results')}
          id={`${headingId}-results`}
          className="jp-Vertex-BatchResults-section"
        >
          <BatchResultsView
            load={() => api.batchJobResults(shown.id, 10)}
            // Read again as more rows are written, and once at the end.
            version={`${shown.state}#${Math.min(shown.progress.done, 10)}`}
            trans={trans}
            insertCell={props.insertCell}
          />
        </DetailSection>
      ) : null}
    </DetailView>
  );
}

export namespace BatchJobDetail {
  export interface IProps {
    api: IVertexAPI;
    jobId: string;
    /**
     * The list's copy, or `null` when the list does not show it.
     */
    listed: IBatchJob | null;
    trans: TranslationBundle;
    /**
     * The job is gone (NOT_FOUND, or deleted here): close the view.
     */
    onGone: () => void;
    /**
     * The job changed here (cancel, delete): refresh the list.
     */
    onChanged: () => void;
    onOpenModel?: (modelId: string) => void;
    describe?: (label: string, caption: string) => void;
    /**
     * Put the results' cell into the active notebook, or copy it.
     */
    insertCell?: (code: string) => Promise<'inserted' | 'copied'>;
  }
}

/**
 * Progress as a bar and a line: rows done / total, rate, ETA.
 */
export function BatchProgress(props: {
  job: IBatchJob;
  trans: TranslationBundle;
}): JSX.Element {
  const { job, trans } = props;
  const { done, total, rowsPerSecond, etaSeconds } = job.progress;
  const stats = job.completionStats;
  const parts = [progressText(job, trans)];
  if (rowsPerSecond !== null) {
    parts.push(trans.__('%1 rows/s', Math.round(rowsPerSecond)));
  }
  if (etaSeconds !== null && !isTerminal(job.state)) {
    parts.push(trans.__('%1 left', formatElapsed(etaSeconds * 1000)));
  }
  if (stats.failed > 0) {
    parts.push(trans._n('%1 failed', '%1 failed', stats.failed));
  }
  return (
    <div className="jp-Vertex-batchProgress" role="status">
      <progress
        max={total ?? undefined}
        value={total === null ? undefined : done}
        aria-label={trans.__('Rows done')}
      />
      <span className="jp-Vertex-batchProgress-text">{parts.join(' · ')}</span>
    </div>
  );
}

/**
 * The job shown: the list's copy, else fetched; fetched again every
 * `BATCH_POLL_MS` while it runs, whenever the list's copy changes, and
 * NOT_FOUND calls `onGone`.
 */
function useBatchJob(props: BatchJobDetail.IProps): {
  value: IBatchJob | null;
  error: VertexAPIError | null;
  set: (job: IBatchJob) => void;
} {
  const { api, jobId, listed, onGone } = props;
  const [tick, setTick] = React.useState(0);
  const {
    value: fetched,
    error,
    set: setFetched
  } = useFetched(
    () => api.getBatchJob(jobId),
    `${jobId}#${JSON.stringify(listed)}#${tick}`,
    onGone
  );
  const newer =
    fetched && listed
      ? (fetched.updateTime ?? '') >= (listed.updateTime ?? '')
        ? fetched
        : listed
      : (fetched ?? listed);
  const running = newer !== null && !isTerminal(newer.state);
  React.useEffect(() => {
    if (!running) {
      return;
    }
    const timer = setTimeout(() => setTick(t => t + 1), BATCH_POLL_MS);
    return () => clearTimeout(timer);
  }, [running, tick]);
  // The list learns at once that the job moved on (its poll is slower).
  React.useEffect(() => {
    if (fetched && listed && fetched.state !== listed.state) {
      props.onChanged();
    }
  }, [fetched?.state]);
  React.useEffect(() => {
    if (newer) {
      props.describe?.(newer.displayName || newer.id, newer.name || newer.id);
    }
  }, [newer?.displayName, newer?.name]);
  return { value: newer, error, set: setFetched };
}
