// Pipeline runs for the specs: a three-task DAG (prepare → train → evaluate).
import {
  IPipelineJob,
  IPipelineNode,
  IPipelineSchedule,
  IPipelineTask
} from '../api/types';

export function makeTask(
  overrides: Partial<IPipelineTask> = {}
): IPipelineTask {
  return {
    taskId: '2',
    parentTaskId: '1',
    taskName: 'prepare',
    state: 'SUCCEEDED',
    startTime: '2024-05-01T10:00:01Z',
    endTime: '2024-05-01T10:00:03Z',
    inputs: {},
    outputs: {},
    inputArtifacts: [],
    outputArtifacts: [],
    error: null,
    ...overrides
  };
}

function node(id: string, state: string, taskIds: string[]): IPipelineNode {
  return {
    id,
    taskName: id,
    label: id,
    parent: null,
    dag: false,
    state,
    taskIds
  };
}

/**
 * A run whose tasks have the given states (a task without one has not started).
 */
export function makePipelineJob(
  states: Partial<Record<'prepare' | 'train' | 'evaluate', string>> = {},
  overrides: Partial<IPipelineJob> = {}
): IPipelineJob {
  const names = ['prepare', 'train', 'evaluate'] as const;
  const tasks: IPipelineTask[] = [
    makeTask({
      taskId: '1',
      parentTaskId: null,
      taskName: 'flow',
      state: 'RUNNING'
    })
  ];
  names.forEach((name, i) => {
    const state = states[name];
    if (state) {
      tasks.push(
        makeTask({
          taskId: String(i + 2),
          taskName: name,
          state,
          inputs: { rows: 100 * (i + 1) },
          outputs: state === 'SUCCEEDED' ? { Output: i + 0.5 } : {},
          outputArtifacts:
            name === 'train' && state === 'SUCCEEDED'
              ? [
                  {
                    name: 'model',
                    uri: 'gs://root/run/train/model',
                    type: 'system.Model',
                    metadata: { framework: 'sklearn' }
                  }
                ]
              : [],
          error: state === 'FAILED' ? { message: 'ValueError: bad rows' } : null
        })
      );
    }
  });
  const all = names.every(name => states[name] === 'SUCCEEDED');
  return {
    name: 'projects/p/locations/us-central1/pipelineJobs/flow-1',
    id: 'flow-1',
    displayName: 'flow',
    pipelineName: 'flow',
    state: all ? 'SUCCEEDED' : 'RUNNING',
    createTime: '2024-05-01T10:00:00Z',
    startTime: '2024-05-01T10:00:00Z',
    endTime: all ? '2024-05-01T10:00:10Z' : null,
    updateTime: '2024-05-01T10:00:10Z',
    error: null,
    labels: {},
    pipelineRoot: 'gs://root',
    parameterValues: { rows: 100 },
    parameters: [
      { name: 'rows', type: 'integer', optional: false },
      { name: 'note', type: 'string', optional: true, default: 'hi' }
    ],
    tasks,
    graph: {
      nodes: names.map((name, i) =>
        node(
          name,
          states[name] ?? 'PENDING',
          states[name] ? [String(i + 2)] : []
        )
      ),
      edges: [
        { source: 'prepare', target: 'train' },
        { source: 'train', target: 'evaluate' }
      ]
    },
    ...overrides
  };
}

/**
 * A schedule of the flow pipeline, every night at 02:00 in Paris.
 */
export function makePipelineSchedule(
  overrides: Partial<IPipelineSchedule> = {}
): IPipelineSchedule {
  const id = overrides.id ?? '4242';
  return {
    name: `projects/123/locations/us-central1/schedules/${id}`,
    id,
    displayName: 'nightly',
    pipelineName: 'flow',
    state: 'ACTIVE',
    cron: 'TZ=Europe/Paris 0 2 * * *',
    createTime: '2024-05-01T09:00:00Z',
    startTime: null,
    endTime: null,
    nextRunTime: '2024-05-02T00:00:00Z',
    lastPauseTime: null,
    lastResumeTime: null,
    startedRunCount: 0,
    maxRunCount: null,
    lastRun: null,
    ...overrides
  };
}

/**
 * The schedule calls of the fake REST client (`FakeAPI` extends this):
 * `pipelineSchedules` is what the list answers; pause and resume change it.
 */
export class FakePipelineSchedules {
  pipelineSchedules: IPipelineSchedule[] = [];
  listPipelineSchedules = jest.fn(async () => ({
    schedules: [...this.pipelineSchedules],
    nextPageToken: null
  }));
  pausePipelineSchedule = jest.fn(async (id: string) =>
    this._setSchedule(id, 'PAUSED')
  );
  resumePipelineSchedule = jest.fn(async (id: string) =>
    this._setSchedule(id, 'ACTIVE')
  );
  deletePipelineSchedule = jest.fn(async () => undefined);

  private _setSchedule(
    id: string,
    state: 'ACTIVE' | 'PAUSED'
  ): IPipelineSchedule {
    this.pipelineSchedules = this.pipelineSchedules.map(item =>
      item.id === id ? { ...item, state } : item
    );
    return makePipelineSchedule({ id, state });
  }
}
