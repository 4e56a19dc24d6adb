import { act, fireEvent, render, screen } from '@testing-library/react';
import * as React from 'react';
import {
  dialogAnswer,
  FakeAPI,
  makePipelineJob,
  mockedShowDialog,
  trans
} from '../../__tests__/fakes';
import { layoutPipeline, NODE_HEIGHT } from '../pipelineLayout';
import { PIPELINE_POLL_MS, PipelineJobDetail } from '../PipelineJobDetail';

jest.mock('@jupyterlab/apputils', () =>
  jest.requireActual('../../__tests__/apputils').withNotifications()
);

// dagre orders layers with structuredClone, which browsers have and Jest's
// jsdom lacks; what it clones (arrays of node ids) survives JSON.
if (typeof globalThis.structuredClone !== 'function') {
  globalThis.structuredClone = <T,>(value: T): T =>
    JSON.parse(JSON.stringify(value));
}

afterEach(() => {
  mockedShowDialog.mockReset();
  jest.useRealTimers();
});

function renderRun(api: FakeAPI) {
  const callbacks = {
    onGone: jest.fn(),
    onChanged: jest.fn(),
    onOpenRun: jest.fn()
  };
  render(
    <PipelineJobDetail
      api={api}
      jobId="flow-1"
      listed={null}
      trans={trans}
      {...callbacks}
    />
  );
  return callbacks;
}

function stateOf(id: string): string | null {
  return (
    document
      .querySelector(`.jp-Vertex-dagNode[data-node="${id}"]`)
      ?.getAttribute('data-state') ?? null
  );
}

describe('the pipeline DAG', () => {
  it('is laid out by dagre: each task below its upstream, none overlapping', () => {
    const graph = makePipelineJob().graph!;
    const placed = layoutPipeline({
      nodes: [
        ...graph.nodes,
        { ...graph.nodes[0], id: 'report', label: 'report' }
      ],
      edges: [
        ...graph.edges,
        { source: 'prepare', target: 'report' },
        { source: 'prepare', target: 'nowhere' }
      ]
    });
    const y: Record<string, number> = {};
    const x: Record<string, number> = {};
    for (const p of placed.nodes) {
      y[p.node.id] = p.y;
      x[p.node.id] = p.x;
    }
    expect(y.train).toBeGreaterThanOrEqual(y.prepare + NODE_HEIGHT);
    expect(y.evaluate).toBeGreaterThanOrEqual(y.train + NODE_HEIGHT);
    // Siblings share a rank side by side.
    expect(y.report).toBe(y.train);
    expect(x.report).not.toBe(x.train);
    // An edge to an unknown node is left out; the others have points.
    expect(placed.edges.map(e => `${e.source}>${e.target}`)).toEqual([
      'prepare>train',
      'train>evaluate',
      'prepare>report'
    ]);
    expect(placed.edges.every(e => e.points.length >= 2)).toBe(true);
    expect(placed.width).toBeGreaterThan(0);
  });

  it('colours tasks by state and follows the run live until it ends', async () => {
    jest.useFakeTimers();
    const api = new FakeAPI();
    api.pipelineJobs = [makePipelineJob({ prepare: 'RUNNING' })];
    renderRun(api);
    await screen.findByRole('group', { name: 'Pipeline graph' });
    expect(stateOf('prepare')).toBe('RUNNING');
    expect(stateOf('train')).toBe('PENDING');
    expect(
      document.querySelectorAll('.jp-Vertex-dagEdge[data-edge]').length
    ).toBe(2);
    api.pipelineJobs = [
      makePipelineJob({ prepare: 'SUCCEEDED', train: 'RUNNING' })
    ];
    await act(async () => {
      jest.advanceTimersByTime(PIPELINE_POLL_MS);
    });
    expect(stateOf('prepare')).toBe('SUCCEEDED');
    expect(stateOf('train')).toBe('RUNNING');
    expect(
      screen.getByRole('button', { name: 'Task train, Running' })
    ).toBeTruthy();
    api.pipelineJobs = [
      makePipelineJob({
        prepare: 'SUCCEEDED',
        train: 'SUCCEEDED',
        evaluate: 'SUCCEEDED'
      })
    ];
    await act(async () => {
      jest.advanceTimersByTime(PIPELINE_POLL_MS);
    });
    expect(stateOf('evaluate')).toBe('SUCCEEDED');
    const calls = api.getPipelineJob.mock.calls.length;
    await act(async () => {
      jest.advanceTimersByTime(5 * PIPELINE_POLL_MS);
    });
    // Ended: not fetched again.
    expect(api.getPipelineJob.mock.calls.length).toBe(calls);
  });

  it("shows a clicked task's inputs, outputs, artifacts and error", async () => {
    const api = new FakeAPI();
    api.pipelineJobs = [
      makePipelineJob({
        prepare: 'SUCCEEDED',
        train: 'SUCCEEDED',
        evaluate: 'FAILED'
      })
    ];
    renderRun(api);
    const train = await screen.findByRole('button', {
      name: 'Task train, Succeeded'
    });
    fireEvent.click(train);
    expect(train.getAttribute('aria-pressed')).toBe('true');
    const panel = screen.getByRole('region', { name: 'Task train' });
    expect(panel.textContent).toContain('rows');
    expect(panel.textContent).toContain('200');
    expect(panel.textContent).toContain('Output');
    expect(panel.textContent).toContain('1.5');
    expect(panel.textContent).toContain('gs://root/run/train/model');
    expect(panel.textContent).toContain('system.Model');
    fireEvent.keyDown(
      screen.getByRole('button', { name: 'Task evaluate, Failed' }),
      {
        key: 'Enter'
      }
    );
    expect(
      screen.getByRole('region', { name: 'Task evaluate' }).textContent
    ).toContain('ValueError: bad rows');
  });

  it('cancels, and re-runs with a changed value in a new tab', async () => {
    const api = new FakeAPI();
    api.pipelineJobs = [makePipelineJob({ prepare: 'RUNNING' })];
    const callbacks = renderRun(api);
    mockedShowDialog.mockResolvedValueOnce(dialogAnswer(true));
    fireEvent.click(await screen.findByRole('button', { name: 'Cancel run' }));
    await act(async () => undefined);
    expect(api.cancelPipelineJob).toHaveBeenCalledWith('flow-1');
    mockedShowDialog.mockImplementationOnce(async options => {
      const body = options?.body as unknown as {
        getValue: () => { values: Record<string, string> };
      };
      const form = body.getValue();
      return dialogAnswer(true, {
        ...form,
        values: { ...form.values, rows: '300' }
      });
    });
    fireEvent.click(screen.getByRole('button', { name: 'Re-run…' }));
    await act(async () => undefined);
    expect(api.rerunPipelineJob).toHaveBeenCalledWith('flow-1', {
      parameterValues: { rows: 300, note: 'hi' },
      pipelineRoot: 'gs://root',
      enableCaching: null,
      displayName: 'flow'
    });
    expect(callbacks.onOpenRun).toHaveBeenCalledWith('flow-2');
  });
});
