import {
  act,
  fireEvent,
  render,
  screen,
  waitFor,
  within
} from '@testing-library/react';
import * as React from 'react';
import { VertexModel } from '../../model/VertexModel';
import { VertexAPIError } from '../../api/request';
import { InstanceList } from '../InstanceList';
import { OperationTracker } from '../../model/operations';
import { VertexPanelView } from '../Panel';
import { RunningNow, runningCount } from '../RunningNow';
import {
  dialogAnswer,
  FakeAPI,
  listState,
  LOCAL_STATUS,
  makeEndpoint,
  makeJob,
  mockedShowDialog,
  trans
} from '../../__tests__/fakes';
import {
  FakeFollower,
  instanceOperation,
  makeInstance
} from '../../__tests__/instances';

jest.mock('@jupyterlab/apputils', () => ({
  ...jest.requireActual('@jupyterlab/apputils'),
  showDialog: jest.fn()
}));

afterEach(() => mockedShowDialog.mockReset());

describe('RunningNow', () => {
  function renderRunning(api: FakeAPI, follower = new FakeFollower()) {
    const onChanged = jest.fn();
    const value = {
      instances: [makeInstance()],
      endpoints: [
        makeEndpoint({
          id: '77',
          displayName: 'digits-endpoint',
          deployedModels: [
            { id: 'd1', model: 'm/1', displayName: 'digits-v1' },
            { id: 'd2', model: 'm/2', displayName: 'digits-v2' }
          ],
          trafficSplit: { d1: 50, d2: 50 }
        })
      ],
      jobs: [makeJob({ id: '9', state: 'RUNNING', endTime: null })],
      bulkPredictions: [
        {
          ...api.bulk,
          id: 'b7',
          state: 'RUNNING' as const,
          total: 1000,
          done: 250,
          predictions: null
        }
      ]
    };
    render(
      <RunningNow
        state={{ value, error: null, loading: false, updated: new Date() }}
        trans={trans}
        api={api}
        follower={follower}
        onRefresh={jest.fn()}
        onChanged={onChanged}
      />
    );
    return { onChanged, follower, value };
  }

  it('lists everything that runs, with the total in the header', () => {
    const { value } = renderRunning(new FakeAPI());
    expect(runningCount(value)).toBe(4);
    const section = screen.getByRole('region', { name: 'Running now' });
    const count = screen.getByTestId('vertex-running-count');
    expect(count.textContent).toBe('4');
    expect(count.getAttribute('aria-label')).toBe('4 things running');
    const rows = within(section).getAllByRole('listitem');
    expect(rows.map(row => row.getAttribute('aria-label'))).toEqual([
      'Instance, gpu-box, n1-standard-4 · NVIDIA_TESLA_T4 × 1',
      'Endpoint, digits-endpoint, 2 deployed models',
      'Custom job, train-digits, n1-standard-4',
      'Bulk prediction, Bulk prediction b7, 250 of 1000 instances · endpoint 5678'
    ]);
    expect(
      rows.map(row => within(row).getByRole('button').textContent)
    ).toEqual(['Stop', 'Undeploy', 'Cancel', 'Cancel']);
  });

  it('says so when nothing runs', () => {
    render(
      <RunningNow
        state={{
          value: {
            instances: [],
            endpoints: [],
            jobs: [],
            bulkPredictions: []
          },
          error: null,
          loading: false,
          updated: new Date()
        }}
        trans={trans}
        api={new FakeAPI()}
        follower={null}
        onRefresh={jest.fn()}
        onChanged={jest.fn()}
      />
    );
    expect(screen.getByText('Nothing is running.')).toBeTruthy();
    expect(screen.getByTestId('vertex-running-count').textContent).toBe('0');
  });

  it('stops an instance after confirmation, as Delete does', async () => {
    const api = new FakeAPI();
    api.instanceAction.mockResolvedValueOnce(
      instanceOperation({ kind: 'stopInstance', target: 'gpu-box' })
    );
    const { follower, onChanged } = renderRunning(api);
    mockedShowDialog.mockResolvedValueOnce(dialogAnswer(false));
    fireEvent.click(
      screen.getByRole('button', { name: 'Stop instance gpu-box' })
    );
    await waitFor(() => expect(mockedShowDialog).toHaveBeenCalledTimes(1));
    expect(mockedShowDialog.mock.calls[0][0]?.title).toBe('Stop instance?');
    expect(api.instanceAction).not.toHaveBeenCalled();

    mockedShowDialog.mockResolvedValueOnce(dialogAnswer(true));
    fireEvent.click(
      screen.getByRole('button', { name: 'Stop instance gpu-box' })
    );
    await waitFor(() => expect(follower.track).toHaveBeenCalledTimes(1));
    expect(api.instanceAction).toHaveBeenCalledWith('gpu-box', 'stop');
    await waitFor(() =>
      expect(
        (
          screen.getByRole('button', {
            name: 'Stop instance gpu-box'
          }) as HTMLButtonElement
        ).disabled
      ).toBe(true)
    );
    act(() => follower.finish());
    await waitFor(() => expect(onChanged.mock.calls.length).toBeGreaterThan(1));
  });

  it('undeploys every model of an endpoint, one after the other, after confirmation', async () => {
    const api = new FakeAPI();
    api.undeployModel
      .mockResolvedValueOnce(
        instanceOperation({ name: 'op-d1', kind: 'undeploy' })
      )
      .mockResolvedValueOnce(
        instanceOperation({ name: 'op-d2', kind: 'undeploy' })
      );
    const { follower } = renderRunning(api);
    const button = screen.getByRole('button', {
      name: 'Undeploy all models from endpoint digits-endpoint'
    });

    mockedShowDialog.mockResolvedValueOnce(dialogAnswer(false));
    fireEvent.click(button);
    await waitFor(() => expect(mockedShowDialog).toHaveBeenCalledTimes(1));
    expect(mockedShowDialog.mock.calls[0][0]!.body).toBe(
      'Undeploy all 2 models from "digits-endpoint"? The endpoint stays, without models; it stops serving predictions.'
    );
    expect(api.undeployModel).not.toHaveBeenCalled();

    mockedShowDialog.mockResolvedValueOnce(dialogAnswer(true));
    fireEvent.click(button);
    await waitFor(() => expect(api.undeployModel).toHaveBeenCalledTimes(1));
    expect(api.undeployModel).toHaveBeenCalledWith('77', 'd1');
    // The second waits for the first operation to end.
    act(() => follower.finish());
    await waitFor(() => expect(api.undeployModel).toHaveBeenCalledTimes(2));
    expect(api.undeployModel).toHaveBeenLastCalledWith('77', 'd2');
    expect(follower.labels).toEqual([
      'Undeploying "digits-v1" from "digits-endpoint"',
      'Undeploying "digits-v2" from "digits-endpoint"'
    ]);
    act(() => follower.finish());
    await waitFor(() =>
      expect((button as HTMLButtonElement).disabled).toBe(false)
    );
  });

  it('cancels a job after confirmation and a bulk prediction in one click', async () => {
    const api = new FakeAPI();
    const { onChanged } = renderRunning(api);
    mockedShowDialog.mockResolvedValueOnce(dialogAnswer(true));
    fireEvent.click(
      screen.getByRole('button', { name: 'Cancel job train-digits' })
    );
    await waitFor(() =>
      expect(api.cancelJob).toHaveBeenCalledWith('customJob', '9')
    );
    fireEvent.click(
      screen.getByRole('button', { name: 'Cancel bulk prediction b7' })
    );
    await waitFor(() =>
      expect(api.deleteBulkPrediction).toHaveBeenCalledWith('b7')
    );
    expect(mockedShowDialog).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(onChanged).toHaveBeenCalledTimes(2));
  });
});

describe('VertexModel instances', () => {
  it('polls instances and "running now" only with the instances capability', async () => {
    const api = new FakeAPI();
    const model = new VertexModel({ api, autoStart: false });
    await model.refresh();
    expect(api.listInstances).not.toHaveBeenCalled();
    expect(api.running).not.toHaveBeenCalled();
    expect(model.instances.items).toBeNull();
    model.dispose();

    const withInstances = new FakeAPI();
    withInstances.statusAnswer = {
      ...LOCAL_STATUS,
      capabilities: [...LOCAL_STATUS.capabilities, 'instances']
    };
    withInstances.instances = [
      makeInstance({ id: 'old', createTime: '2024-01-01T00:00:00Z' }),
      makeInstance({ id: 'new', createTime: '2024-06-01T00:00:00Z' })
    ];
    const polled = new VertexModel({ api: withInstances, autoStart: false });
    await polled.refresh();
    expect(withInstances.listInstances).toHaveBeenCalledTimes(1);
    expect(polled.instances.items?.map(i => i.id)).toEqual(['new', 'old']);
    expect(polled.running.value?.instances.map(i => i.id)).toEqual([
      'old',
      'new'
    ]);
    expect(polled.running.error).toBeNull();

    withInstances.running.mockRejectedValueOnce(
      new VertexAPIError({
        message: 'down',
        reason: 'UNAVAILABLE',
        status: 503
      })
    );
    await polled.refreshRunning();
    expect(polled.running.error?.reason).toBe('UNAVAILABLE');
    // The last answer stays shown.
    expect(polled.running.value?.instances).toHaveLength(2);
    polled.dispose();
  });
});

describe('the panel with instances', () => {
  it('shows "Running now" first and Instances last, only with the instances capability', async () => {
    const api = new FakeAPI();
    const model = new VertexModel({ api, autoStart: false });
    await model.refresh();
    const view = render(
      <VertexPanelView model={model} trans={trans} api={api} />
    );
    expect(screen.queryByRole('region', { name: 'Running now' })).toBeNull();
    expect(screen.queryByRole('region', { name: 'Instances' })).toBeNull();
    view.unmount();
    model.dispose();

    api.statusAnswer = {
      ...LOCAL_STATUS,
      capabilities: [...LOCAL_STATUS.capabilities, 'instances']
    };
    api.instances = [makeInstance({ state: 'PROVISIONING', openUrl: null })];
    const polled = new VertexModel({ api, autoStart: false });
    await polled.refresh();
    render(<VertexPanelView model={polled} trans={trans} api={api} />);
    const titles = Array.from(
      document.querySelectorAll('.jp-Vertex-Section-title')
    ).map(title => title.textContent);
    expect(titles[0]).toBe('Running now');
    expect(titles[titles.length - 1]).toBe('Instances');
    expect(screen.getByTestId('vertex-running-count').textContent).toBe('1');
    const row = within(
      screen.getByRole('region', { name: 'Instances' })
    ).getByRole('listitem');
    expect(within(row).getByText('Provisioning')).toBeTruthy();
    // Not ACTIVE yet: nothing to open.
    expect(within(row).queryByText('Open JupyterLab')).toBeNull();
    polled.dispose();
  });
});

describe("instance actions with the panel's OperationTracker", () => {
  it('polls the stop operation until done, then the lists are fetched again', async () => {
    const api = new FakeAPI();
    const started = instanceOperation({
      name: 'projects/p/locations/us-central1-a/operations/stop-1',
      kind: 'stopInstance',
      target: 'gpu-box'
    });
    api.instanceAction.mockResolvedValueOnce(started);
    api.getOperation
      .mockResolvedValueOnce({ ...started })
      .mockResolvedValueOnce({ ...started, done: true });
    const tracker = new OperationTracker({
      api,
      trans,
      notify: false,
      delays: { initial: 5, max: 10, factor: 2 }
    });
    const onChanged = jest.fn();
    render(
      <InstanceList
        state={listState([makeInstance()])}
        trans={trans}
        api={api}
        follower={tracker}
        onRefresh={jest.fn()}
        onChanged={onChanged}
        onCreate={jest.fn()}
      />
    );
    mockedShowDialog.mockResolvedValueOnce(dialogAnswer(true));
    fireEvent.click(screen.getByRole('button', { name: 'Stop gpu-box' }));
    expect((await screen.findByRole('status')).textContent).toBe('Stopping…');
    await waitFor(() => expect(screen.queryByRole('status')).toBeNull());
    expect(api.getOperation).toHaveBeenCalledTimes(2);
    expect(api.getOperation).toHaveBeenCalledWith(started.name);
    expect(onChanged).toHaveBeenCalledTimes(2);
    expect(tracker.operations).toHaveLength(0);
    tracker.dispose();
  });
});
