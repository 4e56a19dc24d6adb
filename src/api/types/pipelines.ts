// Vertex AI Pipelines (`/pipelines/preview`, `/pipelineJobs`), as the REST API returns them.
import type { JobState } from './jobs';

export type PipelineParameterType =
  'string' | 'integer' | 'number' | 'boolean' | 'list' | 'object';

/**
 * A parameter of the pipeline's root, as the form shows it.
 */
export interface IPipelineParameter {
  name: string;
  type: PipelineParameterType;
  optional: boolean;
  default?: unknown;
  description?: string;
}

/**
 * `POST /pipelineJobs` and `/pipelines/preview`: `path` is a file of the
 * Jupyter root (a compiled `.yaml`/`.json`, or a `.py` with a
 * `@dsl.pipeline`, then `pipeline` picks one of several).
 */
export interface IPipelineRunRequest {
  path: string;
  pipeline?: string | null;
  displayName?: string | null;
  parameterValues?: Record<string, unknown>;
  pipelineRoot?: string | null;
  enableCaching?: boolean | null;
}

export interface IPipelinePreview {
  path: string;
  pipelineName: string;
  pipelines: string[];
  pipeline: string | null;
  parameters: IPipelineParameter[];
  pipelineRoot: string;
  code: string;
}

export interface IPipelineArtifact {
  name: string;
  uri: string;
  type: string;
  metadata: Record<string, unknown>;
}

/**
 * One task detail (Vertex AI's PipelineTaskDetail, flattened).
 */
export interface IPipelineTask {
  taskId: string;
  parentTaskId: string | null;
  taskName: string;
  state: string;
  startTime: string | null;
  endTime: string | null;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  inputArtifacts: IPipelineArtifact[];
  outputArtifacts: IPipelineArtifact[];
  error: { message: string } | null;
}

/**
 * A task of the PipelineSpec's DAGs (`id` is its path, `a/b` inside a
 * sub-DAG) with the state of the task details that ran it.
 */
export interface IPipelineNode {
  id: string;
  taskName: string;
  label: string;
  parent: string | null;
  dag: boolean;
  state: string;
  taskIds: string[];
}

export interface IPipelineGraph {
  nodes: IPipelineNode[];
  edges: { source: string; target: string }[];
}

export interface IPipelineJob {
  name: string;
  id: string;
  displayName: string;
  pipelineName: string;
  state: JobState;
  createTime: string | null;
  startTime: string | null;
  endTime: string | null;
  updateTime: string | null;
  error: { code: number; message: string } | null;
  labels: Record<string, string>;
  pipelineRoot: string | null;
  parameterValues: Record<string, unknown>;
  /**
   * One job only (GET, create, cancel): the parameters, tasks and DAG.
   */
  parameters?: IPipelineParameter[];
  tasks?: IPipelineTask[];
  graph?: IPipelineGraph;
}

export interface IPipelineJobCreated {
  job: IPipelineJob;
  code?: string;
}

export interface IListPipelineJobsResponse {
  pipelineJobs: IPipelineJob[];
  nextPageToken: string | null;
}

/**
 * A schedule of pipeline runs (`GET /pipelineSchedules`), made with the SDK's
 * `PipelineJob.create_schedule(cron=…)`.
 */
export interface IPipelineSchedule {
  name: string;
  id: string;
  displayName: string;
  pipelineName: string;
  state: 'STATE_UNSPECIFIED' | 'ACTIVE' | 'PAUSED' | 'COMPLETED';
  cron: string;
  createTime: string | null;
  startTime: string | null;
  endTime: string | null;
  nextRunTime: string | null;
  lastPauseTime: string | null;
  lastResumeTime: string | null;
  startedRunCount: number;
  maxRunCount: number | null;
  lastRun: { scheduledRunTime: string | null; response: string | null } | null;
}

export interface IListPipelineSchedulesResponse {
  schedules: IPipelineSchedule[];
  nextPageToken: string | null;
}
