import {
  act,
  fireEvent,
  screen,
  waitFor,
  within
} from '@testing-library/react';
import { Widget } from '@lumino/widgets';
import { VertexAPIError } from '../../api/request';
import {
  dialogAnswer,
  FakeAPI,
  LOCAL_STATUS,
  logEntry,
  makeEndpoint,
  makeJob,
  makeModel,
  mockedShowDialog,
  trans
} from '../../__tests__/fakes';
import { makeInstance } from '../../__tests__/instances';
import { IChart } from '../../api/types';
import { DEPLOYED_ENDPOINT, resetServingMocks } from '../../__tests__/serving';
import {
  chartConfig,
  chartDomain,
  domainTicks,
  readChartColors
} from '../../components/charts';
import { modelIcon } from '../../components/icons';
import { OperationTracker } from '../../model/operations';
import { VertexModel } from '../../model/VertexModel';
import { argsOf, resourceFromArgs, tabId, VertexResource } from '../resources';
import { VertexTabs } from '../VertexTabs';

jest.mock('@jupyterlab/apputils', () =>
  jest.requireActual('../../__tests__/apputils').withNotifications()
);

afterEach(resetServingMocks);

const NOT_FOUND = new VertexAPIError({
  message: 'Not found.',
  reason: 'NOT_FOUND',
  status: 404
});

/**
 * Tabs whose shell attaches each tab to the document (as the main area
 * would) and records what it was asked.
 */
function setUp(api: FakeAPI) {
  const model = new VertexModel({ api, autoStart: false });
  const shell = {
    add: jest.fn((widget: Widget) => Widget.attach(widget, document.body)),
    activateById: jest.fn()
  };
  const opened: VertexResource[] = [];
  const tabs = new VertexTabs({
    shell,
    context: {
      model,
      api,
      trans,
      tracker: new OperationTracker({ api, trans }),
      loadMachines: async () => [],
      preferences: () => ({}),
      open: resource => {
        opened.push(resource);
      }
    }
  });
  return { model, shell, tabs, opened };
}

describe('resources', () => {
  it('turn command arguments into one tab id per resource and back', () => {
    const job: VertexResource = {
      kind: 'job',
      jobKind: 'trainingPipeline',
      id: '42'
    };
    expect(resourceFromArgs(argsOf(job))).toEqual(job);
    expect(resourceFromArgs({ kind: 'endpoint', id: '7' })).toEqual({
      kind: 'endpoint',
      id: '7'
    });
    // A job without its kind is a custom job (the common case).
    expect(resourceFromArgs({ kind: 'job', id: '3' })).toEqual({
      kind: 'job',
      jobKind: 'customJob',
      id: '3'
    });
    expect(resourceFromArgs({ kind: 'job', jobKind: 'nope', id: '3' })).toBe(
      null
    );
    expect(resourceFromArgs({ kind: 'pipeline', id: '3' })).toBeNull();
    expect(resourceFromArgs({ kind: 'model' })).toBeNull();
    expect(tabId(job)).toBe('jp-vertex-tab-job-trainingPipeline-42');
    expect(tabId({ kind: 'model', id: '12@3' })).toBe(
      'jp-vertex-tab-model-12_643'
    );
    expect(tabId({ kind: 'model', id: '1' })).not.toBe(
      tabId({ kind: 'endpoint', id: '1' })
    );
  });
});

describe('VertexTabs', () => {
  it('opens one tab per resource, named after it, and focuses it when opened again', async () => {
    const api = new FakeAPI();
    api.models = [
      makeModel({
        deployedModels: [
          {
            endpoint: 'projects/123/locations/us-central1/endpoints/5678',
            deployedModelId: '111'
          }
        ]
      })
    ];
    api.endpoints = [DEPLOYED_ENDPOINT];
    (api.listModelVersions as jest.Mock).mockResolvedValue({
      models: api.models
    });
    const { model, shell, tabs, opened } = setUp(api);
    await act(async () => {
      await model.refresh();
    });
    let tab = tabs.open({ kind: 'model', id: '1234' });
    expect(shell.add).toHaveBeenCalledWith(tab, 'main', { activate: true });
    expect(shell.activateById).toHaveBeenLastCalledWith(
      'jp-vertex-tab-model-1234'
    );
    expect(tabs.tracker.size).toBe(1);
    await waitFor(() => expect(tab.title.label).toBe('digits-classifier'));
    expect(tab.title.caption).toBe(
      'projects/local-project/locations/us-central1/models/1234'
    );
    expect(tab.title.icon).toBe(modelIcon);
    expect(tab.title.closable).toBe(true);

    // The model's link to its endpoint opens the endpoint's tab.
    fireEvent.click(
      await within(tab.node).findByRole('button', {
        name: 'Open endpoint digits-endpoint'
      })
    );
    expect(opened).toEqual([{ kind: 'endpoint', id: '5678' }]);

    // Opened again: the same tab, brought forward.
    shell.activateById.mockClear();
    expect(tabs.open({ kind: 'model', id: '1234' })).toBe(tab);
    expect(shell.add).toHaveBeenCalledTimes(1);
    expect(shell.activateById).toHaveBeenCalledWith(tab.id);

    // Restored tabs do not take the focus.
    shell.activateById.mockClear();
    tab = tabs.open({ kind: 'endpoint', id: '5678' }, { activate: false });
    expect(shell.add).toHaveBeenLastCalledWith(tab, 'main', {
      activate: false
    });
    expect(shell.activateById).not.toHaveBeenCalled();
    expect(tabs.tracker.size).toBe(2);
    act(() => {
      tabs.tracker.forEach(widget => widget.dispose());
    });
    expect(tabs.tracker.size).toBe(0);
    model.dispose();
  });

  it('closes a tab whose resource no longer exists (e.g. after a reload)', async () => {
    const api = new FakeAPI();
    api.getEndpoint.mockRejectedValue(NOT_FOUND);
    const { tabs } = setUp(api);
    const tab = tabs.open({ kind: 'endpoint', id: '404' });
    await waitFor(() => expect(tab.isDisposed).toBe(true));
    expect(tabs.tracker.size).toBe(0);
    expect(tabs.find({ kind: 'endpoint', id: '404' })).toBeUndefined();
  });

  it('closes an endpoint tab when the endpoint is deleted elsewhere in the panel', async () => {
    const api = new FakeAPI();
    api.endpoints = [makeEndpoint()];
    const { model, tabs } = setUp(api);
    await act(async () => {
      await model.refresh();
    });
    const tab = tabs.open({ kind: 'endpoint', id: '5678' });
    await within(tab.node).findByRole('region', {
      name: 'Deployed models and traffic'
    });
    expect(tab.isDisposed).toBe(false);
    // Deleted from another view: the list no longer has it, nor the server.
    api.endpoints = [];
    api.getEndpoint.mockRejectedValue(NOT_FOUND);
    await act(async () => {
      await model.refreshEndpoints();
    });
    await waitFor(() => expect(tab.isDisposed).toBe(true));
    expect(tabs.tracker.size).toBe(0);
    model.dispose();
  });

  it('closes a job tab when its job is deleted from the jobs list', async () => {
    const api = new FakeAPI();
    api.jobs = [makeJob({ id: '1' })];
    api.logPages = [{ entries: [], cursor: null, state: 'SUCCEEDED' }];
    const { model, tabs } = setUp(api);
    await act(async () => {
      await model.refresh();
    });
    const tab = tabs.open({ kind: 'job', jobKind: 'customJob', id: '1' });
    await waitFor(() => expect(tab.title.label).toBe('train-digits'));
    api.jobs = [];
    await act(async () => {
      await model.refreshJobs();
    });
    await waitFor(() => expect(tab.isDisposed).toBe(true));
    model.dispose();
  });

  it('shows the job its creator passed until the list has it', async () => {
    const api = new FakeAPI();
    const job = makeJob({
      id: '77',
      displayName: 'just-started',
      state: 'QUEUED'
    });
    api.jobs = [job]; // the server knows it; the panel's list not yet
    api.logPages = [{ entries: [], cursor: null, state: 'QUEUED' }];
    const { tabs } = setUp(api);
    const tab = tabs.open(
      { kind: 'job', jobKind: 'customJob', id: '77' },
      { seed: job }
    );
    expect(
      await within(tab.node).findByRole('region', { name: 'just-started' })
    ).toBeTruthy();
    expect(tab.title.label).toBe('just-started');
    act(() => tab.dispose());
  });

  it('shows an instance: state, machine, GPU, disks and its actions', async () => {
    const api = new FakeAPI();
    const { model, tab, view } = await openInstanceTab(api);
    expect(view.querySelector('[data-state="ACTIVE"]')?.textContent).toBe(
      'Active'
    );
    expect(view.textContent).toContain('n1-standard-4');
    expect(view.textContent).toContain('NVIDIA_TESLA_T4 × 1');
    expect(view.textContent).toContain('150 GB · PD_BALANCED');
    expect(view.textContent).toContain('100 GB · PD_BALANCED');
    // The token of its JupyterLab's address is not shown.
    expect(view.textContent).not.toContain('token=');
    const buttons = within(view)
      .getAllByRole('button')
      .map(button => button.textContent);
    expect(buttons).toEqual(['Open JupyterLab', 'Stop', 'Delete instance']);
    expect(tab.title.caption).toBe(
      'projects/local-project/locations/us-central1-a/instances/gpu-box'
    );
    act(() => tab.dispose());
    model.dispose();
  });
});

describe('Instance tab actions', () => {
  it('asks before stopping an instance, as the list and Running now do', async () => {
    const api = new FakeAPI();
    const { model, tab, view } = await openInstanceTab(api);
    mockedShowDialog.mockResolvedValueOnce(dialogAnswer(false));
    fireEvent.click(within(view).getByRole('button', { name: 'Stop' }));
    await waitFor(() => expect(mockedShowDialog).toHaveBeenCalledTimes(1));
    expect(mockedShowDialog.mock.calls[0][0]?.title).toBe('Stop instance?');
    expect(api.instanceAction).not.toHaveBeenCalled();

    mockedShowDialog.mockResolvedValueOnce(dialogAnswer(true));
    fireEvent.click(within(view).getByRole('button', { name: 'Stop' }));
    await waitFor(() =>
      expect(api.instanceAction).toHaveBeenCalledWith('gpu-box', 'stop')
    );
    act(() => tab.dispose());
    model.dispose();
  });
});

describe('LogView in a job tab', () => {
  it('filters the log to the lines matching the search, highlighted', async () => {
    const api = new FakeAPI();
    api.jobs = [makeJob({ id: '1' })];
    api.logPages = [
      {
        entries: [logEntry(1), logEntry(2), logEntry(12)],
        cursor: 'c',
        state: 'SUCCEEDED'
      }
    ];
    const { model, tabs } = setUp(api);
    await act(async () => {
      await model.refresh();
    });
    const tab = tabs.open({ kind: 'job', jobKind: 'customJob', id: '1' });
    const log = await within(tab.node).findByRole('log');
    await waitFor(() => expect(log.textContent).toContain('line 12'));
    const search = screen.getByRole('searchbox', { name: 'Search the log' });
    fireEvent.change(search, { target: { value: 'LINE 1' } });
    expect(
      Array.from(log.querySelectorAll('.jp-Vertex-logLine')).map(
        line => line.textContent
      )
    ).toEqual(['line 1\n', 'line 12\n']);
    expect(
      Array.from(log.querySelectorAll('mark')).map(mark => mark.textContent)
    ).toEqual(['line 1', 'line 1']);
    expect(within(tab.node).getByRole('status').textContent).toBe(
      '2 of 3 lines match'
    );
    // Escape clears the search.
    fireEvent.keyDown(search, { key: 'Escape' });
    expect(log.querySelectorAll('.jp-Vertex-logLine')).toHaveLength(3);
    act(() => tab.dispose());
    model.dispose();
  });
});

describe('chart time axis on the endpoint dashboard', () => {
  const MINUTE = 60_000;
  const end = new Date(2024, 4, 1, 10, 0).getTime();
  const start = end - 60 * MINUTE;
  const chart = (first: number): IChart => ({
    id: 'predictions',
    title: 'Predictions',
    unit: 'predictions/s',
    series: [
      {
        label: 'm',
        points: Array.from({ length: 60 }, (_, k): [number, number | null] => [
          start + (k + 1) * MINUTE,
          start + (k + 1) * MINUTE >= first ? 1 : null
        ])
      }
    ]
  });

  it('spans the points of a short history, from the first one to now', () => {
    const domain = chartDomain(chart(end - 10 * MINUTE), start, end);
    expect(domain).toEqual({ min: end - 10 * MINUTE, max: end });
    const ticks = domainTicks(domain.min, domain.max, '1h');
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(ticks.every(t => t >= domain.min && t <= domain.max)).toBe(true);
    const config = chartConfig(chart(end - 10 * MINUTE), {
      window: '1h',
      startTime: start,
      endTime: end,
      colors: readChartColors()
    });
    const x = config.options?.scales?.x as { min: number; max: number };
    expect([x.min, x.max]).toEqual([end - 10 * MINUTE, end]);
  });

  it('keeps the whole window once the history fills it, and a minimum span', () => {
    expect(chartDomain(chart(start), start, end)).toEqual({
      min: start,
      max: end
    });
    // One point, a minute ago: two minutes of axis, not a pixel.
    expect(chartDomain(chart(end), start, end)).toEqual({
      min: end - 2 * MINUTE,
      max: end
    });
    // No value at all: the window.
    expect(chartDomain(chart(end + MINUTE), start, end)).toEqual({
      min: start,
      max: end
    });
  });
});

/**
 * The tab of the instance `gpu-box` (GPU, two disks), opened once listed.
 */
async function openInstanceTab(api: FakeAPI) {
  api.statusAnswer = {
    ...LOCAL_STATUS,
    capabilities: [...LOCAL_STATUS.capabilities, 'instances']
  };
  api.instances = [makeInstance()];
  const { model, tabs } = setUp(api);
  await act(async () => {
    await model.refresh();
  });
  const tab = tabs.open({ kind: 'instance', id: 'gpu-box' });
  const view = await within(tab.node).findByRole('region', {
    name: 'gpu-box'
  });
  return { model, tab, view };
}
