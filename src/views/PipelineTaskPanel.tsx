import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import type {
  IPipelineArtifact,
  IPipelineNode,
  IPipelineTask
} from '../api/types';
import { DetailSection, Field, Fields, TimeField } from '../components/detail';
import { StateChip, timeOf } from '../components/format';
import { taskStateLabel } from './PipelineDag';

/**
 * The selected task of a pipeline run: each run of it (a loop's iterations
 * run it several times) with its inputs, outputs, artifacts and error.
 */
export function PipelineTaskPanel(props: {
  node: IPipelineNode;
  tasks: IPipelineTask[];
  trans: TranslationBundle;
}): JSX.Element {
  const { node, trans } = props;
  const runs = props.tasks.filter(task => node.taskIds.includes(task.taskId));
  return (
    <DetailSection
      title={trans.__('Task %1', node.label)}
      id={`jp-Vertex-pipelineTask-${node.id}`}
      className="jp-Vertex-pipelineTask"
    >
      {runs.length === 0 ? (
        <div className="jp-Vertex-note">
          {trans.__('%1: not started yet.', taskStateLabel(node.state, trans))}
        </div>
      ) : null}
      {runs.map(task => (
        <TaskRun key={task.taskId} task={task} trans={trans} />
      ))}
    </DetailSection>
  );
}

function TaskRun(props: {
  task: IPipelineTask;
  trans: TranslationBundle;
}): JSX.Element {
  const { task, trans } = props;
  return (
    <div className="jp-Vertex-pipelineTaskRun" data-task-id={task.taskId}>
      <div className="jp-Vertex-pipelineTaskRun-header">
        <StateChip state={task.state} trans={trans} />
        <span className="jp-Vertex-pipelineTaskRun-name">{task.taskName}</span>
      </div>
      {task.error ? (
        <div className="jp-Vertex-form-error" role="alert">
          {task.error.message}
        </div>
      ) : null}
      <Fields>
        <TimeField
          label={trans.__('Started')}
          time={timeOf(task.startTime ?? undefined)}
        />
        <TimeField
          label={trans.__('Ended')}
          time={timeOf(task.endTime ?? undefined)}
        />
      </Fields>
      <Values title={trans.__('Inputs')} values={task.inputs} />
      <Artifacts items={task.inputArtifacts} trans={trans} />
      <Values title={trans.__('Outputs')} values={task.outputs} />
      <Artifacts items={task.outputArtifacts} trans={trans} />
    </div>
  );
}

function Values(props: {
  title: string;
  values: Record<string, unknown>;
}): JSX.Element | null {
  const names = Object.keys(props.values).sort();
  if (names.length === 0) {
    return null;
  }
  return (
    <div className="jp-Vertex-pipelineValues" data-values={props.title}>
      <div className="jp-Vertex-pipelineValues-title">{props.title}</div>
      <Fields>
        {names.map(name => (
          <Field key={name} label={name}>
            <code>{JSON.stringify(props.values[name])}</code>
          </Field>
        ))}
      </Fields>
    </div>
  );
}

function Artifacts(props: {
  items: IPipelineArtifact[];
  trans: TranslationBundle;
}): JSX.Element | null {
  const { items, trans } = props;
  if (items.length === 0) {
    return null;
  }
  return (
    <ul
      className="jp-Vertex-pipelineArtifacts"
      aria-label={trans.__('Artifacts')}
    >
      {items.map(item => (
        <li key={`${item.name}:${item.uri}`}>
          <span className="jp-Vertex-pipelineArtifact-name">{item.name}</span>{' '}
          <span className="jp-Vertex-pipelineArtifact-type">({item.type})</span>{' '}
          <code>{item.uri}</code>
          {Object.keys(item.metadata).length > 0 ? (
            <code className="jp-Vertex-pipelineArtifact-metadata">
              {JSON.stringify(item.metadata)}
            </code>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
