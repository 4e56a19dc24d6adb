import {
  act,
  fireEvent,
  render,
  screen,
  waitFor,
  within
} from '@testing-library/react';
import * as React from 'react';
import { VertexAPIError } from '../../api/request';
import { IInstance } from '../../api/types';
import { InstanceList } from '../InstanceList';
import {
  dialogAnswer,
  FakeAPI,
  listState,
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

describe('InstanceList', () => {
  function renderList(
    items: IInstance[] | null,
    api = new FakeAPI(),
    follower: FakeFollower | null = new FakeFollower()
  ) {
    const onChanged = jest.fn();
    const onCreate = jest.fn();
    const view = render(
      <InstanceList
        state={listState(items)}
        trans={trans}
        api={api}
        follower={follower}
        onRefresh={jest.fn()}
        onChanged={onChanged}
        onCreate={onCreate}
      />
    );
    return { view, api, follower, onChanged, onCreate };
  }

  it('shows state, machine type and GPU, and the actions each state allows', () => {
    renderList([
      makeInstance(),
      makeInstance({
        id: 'cpu-box',
        state: 'STOPPED',
        machineType: 'e2-standard-4',
        acceleratorType: null,
        acceleratorCount: 0,
        createTime: '2024-04-01T12:00:00Z'
      })
    ]);
    const section = screen.getByRole('region', { name: 'Instances' });
    expect(within(section).getByLabelText('2 instances').textContent).toBe('2');
    const rows = within(section).getAllByRole('listitem');
    expect(rows.map(row => row.getAttribute('data-instance-id'))).toEqual([
      'gpu-box',
      'cpu-box'
    ]);
    const [gpu, cpu] = rows;
    expect(within(gpu).getByText('Active').getAttribute('data-state')).toBe(
      'ACTIVE'
    );
    expect(within(gpu).getByText('n1-standard-4')).toBeTruthy();
    expect(within(gpu).getByText('NVIDIA_TESLA_T4 × 1')).toBeTruthy();
    expect(
      within(gpu)
        .getAllByRole('button')
        .map(b => b.textContent)
    ).toEqual(['Open JupyterLab', 'Stop', 'Delete']);
    expect(gpu.getAttribute('aria-label')).toBe(
      'gpu-box, Active, n1-standard-4, GPU NVIDIA_TESLA_T4 × 1'
    );

    expect(within(cpu).getByText('Stopped')).toBeTruthy();
    expect(within(cpu).getByText('No GPU')).toBeTruthy();
    expect(
      within(cpu)
        .getAllByRole('button')
        .map(b => b.textContent)
    ).toEqual(['Start', 'Delete']);
  });

  it('shows why an instance failed, and lets it be started again', () => {
    renderList([
      makeInstance({
        state: 'FAILED',
        openUrl: null,
        stateReason: 'Port 8888 is already in use.'
      })
    ]);
    const row = screen.getByRole('listitem');
    expect(within(row).getByText('Failed')).toBeTruthy();
    expect(within(row).getByRole('note').textContent).toBe(
      'Port 8888 is already in use.'
    );
    expect(
      within(row)
        .getAllByRole('button')
        .map(b => b.textContent)
    ).toEqual(['Start', 'Delete']);
  });

  it('says what to do when there is no instance, and offers to create one', () => {
    const { onCreate } = renderList([]);
    expect(
      screen.getByText(
        'No Workbench instances yet. Create one to get a JupyterLab on its own machine, with a GPU if you need one.'
      )
    ).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Create instance' }));
    expect(onCreate).toHaveBeenCalledTimes(1);
  });

  it('opens JupyterLab in a new tab without giving it the opener', () => {
    const open = jest.spyOn(window, 'open').mockReturnValue(null);
    renderList([makeInstance()]);
    fireEvent.click(
      screen.getByRole('button', { name: 'Open JupyterLab of gpu-box' })
    );
    expect(open).toHaveBeenCalledWith(
      'http://127.0.0.1:40123/lab?token=abc',
      '_blank',
      'noopener,noreferrer'
    );
    open.mockRestore();
  });

  it('stops an instance and shows it stopping until the operation ends', async () => {
    const api = new FakeAPI();
    api.instanceAction.mockResolvedValueOnce(
      instanceOperation({ kind: 'stopInstance', target: 'gpu-box' })
    );
    const { follower, onChanged } = renderList([makeInstance()], api);
    mockedShowDialog.mockResolvedValueOnce(dialogAnswer(true));
    fireEvent.click(screen.getByRole('button', { name: 'Stop gpu-box' }));
    await waitFor(() => expect(follower!.track).toHaveBeenCalledTimes(1));
    expect(api.instanceAction).toHaveBeenCalledWith('gpu-box', 'stop');
    expect(follower!.labels).toEqual(['Stopping instance "gpu-box"']);
    expect(screen.getByRole('status').textContent).toBe('Stopping…');
    for (const button of screen.getAllByRole('button', { name: /gpu-box/ })) {
      expect((button as HTMLButtonElement).disabled).toBe(true);
    }
    expect(onChanged).toHaveBeenCalledTimes(1); // Started: fetch again.
    act(() => follower!.finish());
    await waitFor(() => expect(onChanged).toHaveBeenCalledTimes(2));
    expect(screen.queryByRole('status')).toBeNull();
  });

  it('starts a stopped instance', async () => {
    const api = new FakeAPI();
    renderList([makeInstance({ state: 'STOPPED' })], api);
    fireEvent.click(screen.getByRole('button', { name: 'Start gpu-box' }));
    await waitFor(() =>
      expect(api.instanceAction).toHaveBeenCalledWith('gpu-box', 'start')
    );
  });

  it('deletes an instance only after confirmation', async () => {
    const api = new FakeAPI();
    renderList([makeInstance()], api);
    mockedShowDialog.mockResolvedValueOnce(dialogAnswer(false));
    fireEvent.click(screen.getByRole('button', { name: 'Delete gpu-box' }));
    await waitFor(() => expect(mockedShowDialog).toHaveBeenCalledTimes(1));
    expect(mockedShowDialog.mock.calls[0][0]?.title).toBe('Delete instance?');
    expect(api.deleteInstance).not.toHaveBeenCalled();

    mockedShowDialog.mockResolvedValueOnce(dialogAnswer(true));
    fireEvent.click(screen.getByRole('button', { name: 'Delete gpu-box' }));
    await waitFor(() =>
      expect(api.deleteInstance).toHaveBeenCalledWith('gpu-box')
    );
  });

  it("shows the server's refusal of an action", async () => {
    const api = new FakeAPI();
    api.instanceAction.mockRejectedValueOnce(
      new VertexAPIError({
        message: 'Instance gpu-box is STOPPING; wait until it is STOPPED.',
        reason: 'FAILED_PRECONDITION',
        status: 409
      })
    );
    renderList([makeInstance()], api);
    mockedShowDialog.mockResolvedValueOnce(dialogAnswer(true));
    fireEvent.click(screen.getByRole('button', { name: 'Stop gpu-box' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain(
      'Instance gpu-box is STOPPING; wait until it is STOPPED.'
    );
  });
});
