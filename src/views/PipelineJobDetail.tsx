import { showErrorMessage } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { VertexAPIError } from '../api/request';
import { IPipelineJob } from '../api/types';
import { IVertexAPI } from '../api/vertexAPI';
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
import { StateChip, timeOf } from '../components/format';
import { useFetched } from '../components/useFetched';
import { rerunPipelineJob } from '../dialogs/pipeline/PipelineDialog';
import { isTerminal } from '../model/states';
import { PipelineDag } from './PipelineDag';
import { PipelineTaskPanel } from './PipelineTaskPanel';

/**
 * How often a running pipeline is fetched again (its tasks' states).
 */
export const PIPELINE_POLL_MS = 1000;

/**
 * A pipeline run: its DAG with each task coloured by state and followed
 * live, the selected task's inputs, outputs, artifacts and error, Cancel,
 * Re-run (with other values) and Delete.
 */
export function PipelineJobDetail(
  props: PipelineJobDetail.IProps
): JSX.Element {
  const { api, trans, jobId } = props;
  const job = usePipelineJob(props);
  const [selected, setSelected] = React.useState<string | null>(null);
  const [actionError, setActionError] = React.useState<VertexAPIError | null>(
    null
  );
  const [busy, setBusy] = React.useState(false);
  if (!job.value) {
    return job.error ? (
      <Banner error={job.error} trans={trans} />
    ) : (
      <div className="jp-Vertex-placeholder">{trans.__('Loading run…')}</div>
    );
  }
  const shown = job.value;
  const name = shown.displayName || shown.id;
  const ended = isTerminal(shown.state);
  const headingId = `jp-Vertex-pipeline-${jobId}`;
  const graph = shown.graph ?? { nodes: [], edges: [] };
  const node = graph.nodes.find(n => n.id === selected) ?? null;
  const cancel = async () => {
    const ok = await confirm({
      title: trans.__('Cancel pipeline run?'),
      body: trans.__('Cancel "%1"? Its running tasks are stopped.', name),
      action: trans.__('Cancel run'),
      trans
    });
    if (!ok) {
      return;
    }
    setBusy(true);
    try {
      job.set(await api.cancelPipelineJob(shown.id));
      setActionError(null);
    } catch (error) {
      setActionError(VertexAPIError.from(error));
    } finally {
      setBusy(false);
      props.onChanged();
    }
  };
  const rerun = async () => {
    try {
      const created = await rerunPipelineJob({ api, job: shown, trans });
      if (created) {
        props.onChanged();
        props.onOpenRun?.(created.job.id);
      }
    } catch (reason) {
      void showErrorMessage(trans.__('Re-run'), VertexAPIError.from(reason));
    }
  };
  return (
    <DetailView
      headingId={headingId}
      className="jp-Vertex-PipelineJobDetail"
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
          {trans.__('Cancel run')}
        </ActionButton>
        <ActionButton disabled={busy} onClick={() => void rerun()}>
          {trans.__('Re-run…')}
        </ActionButton>
        <ActionButton
          kind="warn"
          disabled={!ended || busy}
          onClick={() =>
            void deleteShown({
              title: trans.__('Delete pipeline run?'),
              body: trans.__(
                'Delete "%1"? Its artifacts stay in Cloud Storage.',
                name
              ),
              trans,
              remove: () => api.deletePipelineJob(shown.id),
              setBusy,
              setActionError,
              onChanged: props.onChanged,
              onBack: props.onGone
            })
          }
        >
          {trans.__('Delete run')}
        </ActionButton>
      </ActionBar>
      {shown.error ? (
        <div className="jp-Vertex-form-error" role="alert">
          {shown.error.message}
        </div>
      ) : null}
      <DetailSection
        title={trans.__('Graph')}
        id={`${headingId}-graph`}
        className="jp-Vertex-pipelineGraph"
      >
        <div className="jp-Vertex-pipelineGraph-body">
          <div className="jp-Vertex-dagScroll">
            <PipelineDag
              graph={graph}
              selected={selected}
              onSelect={setSelected}
              trans={trans}
            />
          </div>
          {node ? (
            <PipelineTaskPanel
              node={node}
              tasks={shown.tasks ?? []}
              trans={trans}
            />
          ) : (
            <div className="jp-Vertex-note jp-Vertex-pipelineTask-hint">
              {trans.__(
                'Click a task to see its inputs, outputs and artifacts.'
              )}
            </div>
          )}
        </div>
      </DetailSection>
      <FieldsSection title={trans.__('Run')} id={`${headingId}-run`}>
        <Field label={trans.__('Pipeline')}>{shown.pipelineName}</Field>
        <Field label={trans.__('Run id')}>
          <code>{shown.id}</code>
        </Field>
        <Field label={trans.__('Pipeline root')}>
          <code>{shown.pipelineRoot ?? '—'}</code>
        </Field>
        <Field label={trans.__('Parameters')}>
          <code>{JSON.stringify(shown.parameterValues)}</code>
        </Field>
        <TimeField
          label={trans.__('Created')}
          time={timeOf(shown.createTime ?? undefined)}
        />
        <TimeField
          label={trans.__('Ended')}
          time={timeOf(shown.endTime ?? undefined)}
        />
      </FieldsSection>
    </DetailView>
  );
}

export namespace PipelineJobDetail {
  export interface IProps {
    api: IVertexAPI;
    jobId: string;
    /**
     * The list's copy (no tasks), or `null` when the list does not show it.
     */
    listed: IPipelineJob | null;
    trans: TranslationBundle;
    /**
     * The run is gone (NOT_FOUND, or deleted here): close the view.
     */
    onGone: () => void;
    /**
     * The run changed here (cancel, re-run, delete): refresh the list.
     */
    onChanged: () => void;
    /**
     * Open another run's tab (a re-run).
     */
    onOpenRun?: (jobId: string) => void;
    describe?: (label: string, caption: string) => void;
  }
}

/**
 * The run shown, with its tasks: fetched again every `PIPELINE_POLL_MS`
 * while it runs and whenever the list's copy changes; NOT_FOUND calls
 * `onGone`.
 */
function usePipelineJob(props: PipelineJobDetail.IProps): {
  value: IPipelineJob | null;
  error: VertexAPIError | null;
  set: (job: IPipelineJob) => void;
} {
  const { api, jobId, listed, onGone } = props;
  const [tick, setTick] = React.useState(0);
  const { value, error, set } = useFetched(
    () => api.getPipelineJob(jobId),
    `${jobId}#${listed?.state ?? ''}#${tick}`,
    onGone
  );
  const running = value === null || !isTerminal(value.state);
  React.useEffect(() => {
    if (!running) {
      return;
    }
    const timer = setTimeout(() => setTick(t => t + 1), PIPELINE_POLL_MS);
    return () => clearTimeout(timer);
  }, [running, tick]);
  React.useEffect(() => {
    if (value && listed && value.state !== listed.state) {
      props.onChanged();
    }
  }, [value?.state]);
  React.useEffect(() => {
    if (value) {
      props.describe?.(value.displayName || value.id, value.name || value.id);
    }
  }, [value?.displayName, value?.name]);
  return { value, error, set };
}
