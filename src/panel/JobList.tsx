import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { deleteIcon } from '@jupyterlab/ui-components';
import * as React from 'react';
import { IVertexAPI } from '../api/vertexAPI';
import { VertexAPIError } from '../api/request';
import { IJob, IJobFilter, JobKind } from '../api/types';
import { IListState } from '../model/tokens';
import {
  formatElapsed,
  isTerminal,
  jobElapsed,
  kindLabel,
  RowTime,
  StateChip,
  stateLabel,
  timeOf,
  useNow
} from '../components/format';
import { OpenableRow } from '../components/lists/OpenableRow';
import { Section } from '../components/lists/Section';
import { StateFilter } from '../components/lists/StateFilter';

/**
 * The height of a job row in pixels (the list renders only the rows in view).
 */
export const JOB_ROW_HEIGHT = 52;

/**
 * The Jobs list: display name, state, kind, elapsed time (live while
 * running), source file and git commit. A row opens the job's details; a
 * finished job can be deleted (after confirmation). Filters by state and
 * kind are applied by the server.
 */
export function JobList(props: JobList.IProps): JSX.Element {
  const { trans, api } = props;
  const state = withoutPipelineJobs(props.state);
  const running = (state.items ?? []).some(
    job => job.startTime && !job.endTime && !isTerminal(job.state)
  );
  const now = useNow(running);
  const [deleting, setDeleting] = React.useState<ReadonlySet<string>>(
    new Set()
  );
  const filter = props.filter ?? {};
  const filtered = Boolean(filter.kind || filter.state);

  const onDelete = api
    ? async (job: IJob) => {
        const key = `${job.kind}/${job.id}`;
        const deleted = await deleteJob(api, job, trans, () =>
          setDeleting(current => new Set(current).add(key))
        );
        setDeleting(current => {
          const next = new Set(current);
          next.delete(key);
          return next;
        });
        if (deleted) {
          props.onRefresh();
        }
      }
    : undefined;

  const toolbar = props.onFilterChange ? (
    <JobFilters filter={filter} trans={trans} onChange={props.onFilterChange} />
  ) : null;

  return (
    <Section<IJob>
      id="jp-Vertex-jobs"
      title={trans.__('Jobs')}
      state={state}
      trans={trans}
      onRefresh={props.onRefresh}
      toolbar={toolbar}
      rowHeight={JOB_ROW_HEIGHT}
      empty={
        filtered
          ? trans.__('No jobs match these filters.')
          : trans.__(
              'No training jobs yet. Right-click a `.py` or `.ipynb` file in the file browser and choose Train on Vertex.'
            )
      }
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
          onDelete={onDelete}
          deleting={deleting.has(`${job.kind}/${job.id}`)}
        />
      )}
    />
  );
}

/**
 * Ask, then delete a job (a pipeline's row also stands for the custom job it
 * ran: both go). Tells the user how it went.
 *
 * @returns whether the job was deleted
 */
export async function deleteJob(
  api: IVertexAPI,
  job: IJob,
  trans: TranslationBundle,
  onStart: () => void = () => undefined
): Promise<boolean> {
  const name = job.displayName || job.id;
  const ranJob =
    job.kind === 'trainingPipeline' && job.customJob
      ? (job.customJob.split('/').pop() ?? null)
      : null;
  const answer = await showDialog({
    title: trans.__('Delete job?'),
    body: ranJob
      ? trans.__(
          'Delete the training pipeline "%1" and the custom job it ran? Its registered model stays.',
          name
        )
      : trans.__('Delete the job "%1"? This cannot be undone.', name),
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      Dialog.warnButton({ label: trans.__('Delete') })
    ]
  });
  if (!answer.button.accept) {
    return false;
  }
  onStart();
  try {
    await api.deleteJob(job.kind, job.id);
    if (ranJob) {
      try {
        await api.deleteJob('customJob', ranJob);
      } catch (reason) {
        // Already gone is fine; anything else is worth saying.
        if (VertexAPIError.from(reason).status !== 404) {
          throw reason;
        }
      }
    }
  } catch (reason) {
    const error = VertexAPIError.from(reason);
    Notification.error(
      trans.__('Could not delete "%1": %2', name, error.message),
      { autoClose: false }
    );
    return false;
  }
  Notification.success(trans.__('Deleted job "%1".', name), {
    autoClose: 5000
  });
  return true;
}

/**
 * The state and kind filters of the Jobs section.
 */
export function JobFilters(props: {
  filter: IJobFilter;
  trans: TranslationBundle;
  onChange: (filter: IJobFilter) => void;
}): JSX.Element {
  const { filter, trans, onChange } = props;
  return (
    <StateFilter
      noun={trans.__('jobs')}
      value={filter.state}
      trans={trans}
      onChange={state => onChange({ ...filter, state })}
    >
      <select
        className="jp-mod-styled"
        aria-label={trans.__('Filter jobs by kind')}
        value={filter.kind ?? ''}
        onChange={e =>
          onChange({
            ...filter,
            kind: (e.target.value || undefined) as JobKind | undefined
          })
        }
      >
        <option value="">{trans.__('All kinds')}</option>
        <option value="customJob">{kindLabel('customJob', trans)}</option>
        <option value="trainingPipeline">
          {kindLabel('trainingPipeline', trans)}
        </option>
      </select>
    </StateFilter>
  );
}

export namespace JobList {
  export interface IProps {
    state: IListState<IJob>;
    trans: TranslationBundle;
    onRefresh: () => void;
    onOpen?: (job: IJob) => void;
    hideError?: (error: VertexAPIError) => boolean;
    /**
     * The API: with it, finished jobs have a Delete button.
     */
    api?: IVertexAPI;
    /**
     * The server-side filter and how to change it (no filters without).
     */
    filter?: IJobFilter;
    onFilterChange?: (filter: IJobFilter) => void;
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
  onOpen?: (job: IJob) => void;
  onDelete?: (job: IJob) => void;
  deleting?: boolean;
}): JSX.Element {
  const { job, trans, now, onOpen, onDelete } = props;
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

  return (
    <OpenableRow
      className="jp-Vertex-JobRow"
      role="listitem"
      label={label}
      name={job.name}
      data={{ 'data-job-id': job.id, 'data-job-kind': job.kind }}
      trans={trans}
      onOpen={onOpen && (() => onOpen(job))}
    >
      <div className="jp-Vertex-row-main">
        <span className="jp-Vertex-row-name">{name}</span>
        <StateChip state={job.state} trans={trans} />
        {onDelete && isTerminal(job.state) ? (
          <button
            type="button"
            className="jp-Button jp-mod-minimal jp-mod-small jp-Vertex-iconButton jp-Vertex-rowAction"
            aria-label={trans.__('Delete job %1', name)}
            title={
              props.deleting ? trans.__('Deleting…') : trans.__('Delete job')
            }
            disabled={props.deleting}
            onClick={event => {
              event.stopPropagation();
              onDelete(job);
            }}
            onKeyDown={event => event.stopPropagation()}
          >
            <deleteIcon.react tag="span" elementSize="normal" />
          </button>
        ) : null}
      </div>
      <div className="jp-Vertex-row-meta">
        <span className="jp-Vertex-kind">{kindLabel(job.kind, trans)}</span>
        {elapsed !== null ? (
          <span className="jp-Vertex-elapsed" title={trans.__('Running time')}>
            {formatElapsed(elapsed)}
          </span>
        ) : (
          <RowTime time={created} />
        )}
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
    </OpenableRow>
  );
}
