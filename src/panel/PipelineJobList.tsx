import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { VertexAPIError } from '../api/request';
import { IPipelineJob } from '../api/types';
import { PipelineJobs } from '../model/pipelineJobs';
import { IListState } from '../model/tokens';
import { useSignalValue } from '../components/useSignal';
import { RowTime, StateChip, timeOf } from '../components/format';
import { OpenableRow } from '../components/lists/OpenableRow';
import { Section } from '../components/lists/Section';

export const PIPELINE_ROW_HEIGHT = 52;

/**
 * The Pipelines list: display name, state, pipeline name and creation time.
 */
export function PipelineJobList(props: PipelineJobList.IProps): JSX.Element {
  const { state, trans } = props;
  return (
    <Section<IPipelineJob>
      id="jp-Vertex-pipelineJobs"
      title={trans.__('Pipelines')}
      state={state}
      trans={trans}
      onRefresh={props.onRefresh}
      empty={trans.__(
        'No pipeline runs yet. Right-click a pipeline .py, .yaml or .json in the file browser and choose "Run as Pipeline", or call `aiplatform.PipelineJob(...).submit()`.'
      )}
      loadingText={trans.__('Loading pipelines…')}
      truncatedText={trans.__(
        'Showing the first %1 pipeline runs.',
        state.items?.length ?? 0
      )}
      hideError={props.hideError}
      rowHeight={PIPELINE_ROW_HEIGHT}
      renderItem={job => (
        <PipelineJobRow
          key={job.name || job.id}
          job={job}
          trans={trans}
          onOpen={props.onOpen}
        />
      )}
    />
  );
}

export namespace PipelineJobList {
  export interface IProps {
    state: IListState<IPipelineJob>;
    trans: TranslationBundle;
    onRefresh: () => void;
    onOpen?: (job: IPipelineJob) => void;
    hideError?: (error: VertexAPIError) => boolean;
  }
}

/**
 * The Pipelines list as the panel shows it: following the list's changes.
 */
export function PipelineJobsSection(props: {
  pipelineJobs: PipelineJobs;
  trans: TranslationBundle;
  onOpen?: (job: IPipelineJob) => void;
  hideError?: (error: VertexAPIError) => boolean;
}): JSX.Element {
  const { pipelineJobs } = props;
  const state = useSignalValue(pipelineJobs.changed, () => pipelineJobs.state);
  return (
    <PipelineJobList
      state={state}
      trans={props.trans}
      onRefresh={() => void pipelineJobs.refresh()}
      onOpen={props.onOpen}
      hideError={props.hideError}
    />
  );
}

export function PipelineJobRow(props: {
  job: IPipelineJob;
  trans: TranslationBundle;
  onOpen?: (job: IPipelineJob) => void;
}): JSX.Element {
  const { job, trans, onOpen } = props;
  const name = job.displayName || job.id;
  const label = [name, job.state, trans.__('pipeline %1', job.pipelineName)];
  return (
    <OpenableRow
      className="jp-Vertex-PipelineJobRow"
      label={label.join(', ')}
      name={job.name}
      data={{ 'data-pipeline-job-id': job.id }}
      trans={trans}
      onOpen={onOpen && (() => onOpen(job))}
    >
      <div className="jp-Vertex-row-main">
        <span className="jp-Vertex-row-name">{name}</span>
        <StateChip state={job.state} trans={trans} />
      </div>
      <div className="jp-Vertex-row-meta">
        <span className="jp-Vertex-pipelineRowId">{job.id}</span>
        <RowTime time={timeOf(job.createTime ?? undefined)} />
      </div>
    </OpenableRow>
  );
}
