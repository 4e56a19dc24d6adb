import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { VertexAPIError } from '../api/request';
import { IBatchJob, JobState } from '../api/types';
import { BatchJobs } from '../model/batchJobs';
import { IListState } from '../model/tokens';
import { useSignalValue } from '../components/useSignal';
import { RowTime, StateChip, timeOf } from '../components/format';
import { OpenableRow } from '../components/lists/OpenableRow';
import { Section } from '../components/lists/Section';
import { StateFilter } from '../components/lists/StateFilter';

/**
 * The height of a batch job row in pixels (the list renders only the rows in view).
 */
export const BATCH_ROW_HEIGHT = 52;

/**
 * Rows done of the total as people read it: `1,200 / 5,000 rows`, or
 * `1,200 rows` while the total is unknown.
 */
export function progressText(job: IBatchJob, trans: TranslationBundle): string {
  const { done, total } = job.progress;
  return total === null
    ? trans.__('%1 rows', count(done))
    : trans.__('%1 / %2 rows', count(done), count(total));
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * The model's id (`…/models/123` → `123`) with its version.
 */
export function modelOf(job: IBatchJob): string {
  const id = job.model.split('/').pop() || job.model;
  return job.modelVersionId ? `${id}@${job.modelVersionId}` : id;
}

/**
 * The Batch jobs list: display name, state, model and progress; filtered by
 * state on the server when `onFilterChange` is given.
 */
export function BatchJobList(props: BatchJobList.IProps): JSX.Element {
  const { state, trans } = props;
  const toolbar = props.onFilterChange ? (
    <StateFilter
      noun={trans.__('batch jobs')}
      value={props.stateFilter}
      trans={trans}
      onChange={props.onFilterChange}
    />
  ) : null;
  return (
    <Section<IBatchJob>
      id="jp-Vertex-batchJobs"
      title={trans.__('Batch jobs')}
      state={state}
      trans={trans}
      onRefresh={props.onRefresh}
      toolbar={toolbar}
      empty={
        props.stateFilter
          ? trans.__('No batch jobs in this state.')
          : trans.__(
              'No batch prediction jobs yet. Open a model and choose "Batch predict…", or call `model.batch_predict()`.'
            )
      }
      loadingText={trans.__('Loading batch jobs…')}
      truncatedText={trans.__(
        'Showing the first %1 batch jobs.',
        state.items?.length ?? 0
      )}
      hideError={props.hideError}
      rowHeight={BATCH_ROW_HEIGHT}
      renderItem={job => (
        <BatchJobRow
          key={job.name || job.id}
          job={job}
          trans={trans}
          onOpen={props.onOpen}
        />
      )}
    />
  );
}

export namespace BatchJobList {
  export interface IProps {
    state: IListState<IBatchJob>;
    trans: TranslationBundle;
    onRefresh: () => void;
    /**
     * Open the job's tab; without it rows do not open.
     */
    onOpen?: (job: IBatchJob) => void;
    hideError?: (error: VertexAPIError) => boolean;
    /**
     * The server-side state filter and how to change it (no filter without).
     */
    stateFilter?: JobState;
    onFilterChange?: (state: JobState | undefined) => void;
  }
}

/**
 * The Batch jobs list as the panel shows it: following the list's changes.
 */
export function BatchJobsSection(props: {
  batchJobs: BatchJobs;
  trans: TranslationBundle;
  onOpen?: (job: IBatchJob) => void;
  hideError?: (error: VertexAPIError) => boolean;
}): JSX.Element {
  const { batchJobs } = props;
  const state = useSignalValue(batchJobs.changed, () => batchJobs.state);
  return (
    <BatchJobList
      state={state}
      trans={props.trans}
      onRefresh={() => void batchJobs.refresh()}
      stateFilter={batchJobs.stateFilter}
      onFilterChange={next => {
        batchJobs.stateFilter = next;
      }}
      onOpen={props.onOpen}
      hideError={props.hideError}
    />
  );
}

/**
 * One batch job.
 */
export function BatchJobRow(props: {
  job: IBatchJob;
  trans: TranslationBundle;
  onOpen?: (job: IBatchJob) => void;
}): JSX.Element {
  const { job, trans, onOpen } = props;
  const name = job.displayName || job.id;
  const created = timeOf(job.createTime ?? undefined);
  const progress = progressText(job, trans);
  const label = [
    name,
    job.state,
    trans.__('model %1', modelOf(job)),
    progress
  ].join(', ');
  return (
    <OpenableRow
      className="jp-Vertex-BatchJobRow"
      label={label}
      name={job.name}
      data={{ 'data-batch-job-id': job.id }}
      trans={trans}
      onOpen={onOpen && (() => onOpen(job))}
    >
      <div className="jp-Vertex-row-main">
        <span className="jp-Vertex-row-name">{name}</span>
        <StateChip state={job.state} trans={trans} />
      </div>
      <div className="jp-Vertex-row-meta">
        <span className="jp-Vertex-batchRowModel">
          {trans.__('model %1', modelOf(job))} · {progress}
        </span>
        <RowTime time={created} />
      </div>
    </OpenableRow>
  );
}
