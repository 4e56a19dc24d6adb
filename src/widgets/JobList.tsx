import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { VertexAPIError } from '../request';
import { IJob, IListState } from '../tokens';
import {
  formatElapsed,
  isTerminal,
  jobElapsed,
  kindLabel,
  onRowKeyDown,
  StateChip,
  stateLabel,
  timeOf,
  useNow
} from './format';
import { Section } from './Section';

/**
 * The Jobs list: display name, state, kind, elapsed time (live while
 * running), source file and git commit. A row opens the job's details.
 */
export function JobList(props: JobList.IProps): JSX.Element {
  const { trans } = props;
  const state = withoutPipelineJobs(props.state);
  const running = (state.items ?? []).some(
    job => job.startTime && !job.endTime && !isTerminal(job.state)
  );
  const now = useNow(running);
  return (
    <Section<IJob>
      id="jp-Vertex-jobs"
      title={trans.__('Jobs')}
      state={state}
      trans={trans}
      onRefresh={props.onRefresh}
      refreshLabel={trans.__('Refresh jobs')}
      empty={trans.__(
        'No training jobs yet. Right-click a `.py` or `.ipynb` file in the file browser and choose Train on Vertex.'
      )}
      loadingText={trans.__('Loading jobs…')}
      truncatedText={trans.__(
        'Showing the first %1 jobs.',
        state.items?.length ?? 0
      )}
      hideError={props.hideError}
      renderItem={job => (
        <JobRow
          key={job.name || job.id}
          job={job}
          trans={trans}
          now={now}
          onOpen={props.onOpen}
        />
      )}
    />
  );
}

export namespace JobList {
  export interface IProps {
    state: IListState<IJob>;
    trans: TranslationBundle;
    onRefresh: () => void;
    onOpen: (job: IJob) => void;
    hideError?: (error: VertexAPIError) => boolean;
  }
}

/**
 * The list without the CustomJobs that training pipelines run: Vertex lists
 * them too, but the pipeline's row (and its detail and log) stands for both.
 */
export function withoutPipelineJobs(state: IListState<IJob>): IListState<IJob> {
  const items = state.items;
  if (!items) {
    return state;
  }
  const owned = new Set(
    items
      .filter(job => job.kind === 'trainingPipeline' && job.customJob)
      .map(job => job.customJob!.split('/').pop())
  );
  if (owned.size === 0) {
    return state;
  }
  return {
    ...state,
    items: items.filter(job => job.kind !== 'customJob' || !owned.has(job.id))
  };
}

/**
 * The file a job trains, its basename for the row.
 */
function fileName(path: string): string {
  const parts = path.split('/');
  return parts[parts.length - 1] || path;
}

/**
 * One job.
 */
export function JobRow(props: {
  job: IJob;
  trans: TranslationBundle;
  now: number;
  onOpen: (job: IJob) => void;
}): JSX.Element {
  const { job, trans, now, onOpen } = props;
  const name = job.displayName || job.id;
  const elapsed = jobElapsed(job, now);
  const created = timeOf(job.createTime ?? undefined);
  const commit = job.labels?.['git-commit'] ?? job.git?.commit ?? '';
  const dirty = (job.labels?.['git-dirty'] ?? '') === 'true' || job.git?.dirty;
  const source = job.source?.path ?? '';

  const label = [
    name,
    stateLabel(job.state, trans),
    kindLabel(job.kind, trans),
    elapsed !== null ? trans.__('ran %1', formatElapsed(elapsed)) : '',
    created ? trans.__('created %1', created.relative) : '',
    source ? trans.__('from %1', source) : '',
    commit
      ? dirty
        ? trans.__('commit %1 with uncommitted changes', commit)
        : trans.__('commit %1', commit)
      : ''
  ]
    .filter(Boolean)
    .join(', ');

  const open = () => onOpen(job);
  return (
    <li
      className="jp-Vertex-row jp-Vertex-JobRow jp-mod-clickable"
      tabIndex={0}
      role="listitem"
      aria-label={label}
      title={trans.__('%1 — open the details', job.name)}
      data-job-id={job.id}
      data-job-kind={job.kind}
      onClick={open}
      onKeyDown={event => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          open();
          return;
        }
        onRowKeyDown(event);
      }}
    >
      <div className="jp-Vertex-row-main">
        <span className="jp-Vertex-row-name">{name}</span>
        <StateChip state={job.state} trans={trans} />
      </div>
      <div className="jp-Vertex-row-meta">
        <span className="jp-Vertex-kind">{kindLabel(job.kind, trans)}</span>
        {elapsed !== null ? (
          <span className="jp-Vertex-elapsed" title={trans.__('Running time')}>
            {formatElapsed(elapsed)}
          </span>
        ) : created ? (
          <span className="jp-Vertex-time" title={created.full}>
            {created.relative}
          </span>
        ) : null}
        {source ? (
          <span className="jp-Vertex-source" title={source}>
            {fileName(source)}
          </span>
        ) : null}
        {commit ? (
          <span
            className="jp-Vertex-commit"
            title={
              dirty
                ? trans.__('Commit %1, with uncommitted changes', commit)
                : trans.__('Commit %1', commit)
            }
          >
            {commit}
            {dirty ? '*' : ''}
          </span>
        ) : null}
      </div>
    </li>
  );
}
