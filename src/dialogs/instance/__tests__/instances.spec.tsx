import { Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import {
  act,
  fireEvent,
  render,
  screen,
  waitFor,
  within
} from '@testing-library/react';
import * as React from 'react';
import { VertexModel } from '../../../model/VertexModel';
import { VertexAPIError } from '../../../api/request';
import { IInstance, IOperation } from '../../../api/types';
import {
  createInstanceFlow,
  defaultInstanceForm,
  fieldOfError,
  IInstanceForm,
  IMachineOption,
  InstanceDialogBody,
  InstanceForm,
  instanceRequest,
  validateInstanceForm,
  withMachine
} from '../InstanceDialog';
import { InstanceList } from '../../../panel/InstanceList';
import { OperationTracker } from '../../../model/operations';
import { VertexPanelView } from '../../../panel/Panel';
import { RunningNow, runningCount } from '../../../panel/RunningNow';
import {
  dialogAnswer,
  FakeAPI,
  listState,
  LOCAL_STATUS,
  MACHINE_TABLE,
  makeEndpoint,
  makeJob,
  mockedShowDialog,
  trans
} from '../../../__tests__/fakes';
import type { IOperationFollower } from '../../../model/operations';

jest.mock('@jupyterlab/apputils', () => ({
  ...jest.requireActual('@jupyterlab/apputils'),
  showDialog: jest.fn()
}));

function makeInstance(overrides: Partial<IInstance> = {}): IInstance {
  const id = overrides.id ?? 'gpu-box';
  return {
    name: `projects/local-project/locations/us-central1-a/instances/${id}`,
    id,
    state: 'ACTIVE',
    machineType: 'n1-standard-4',
    acceleratorType: 'NVIDIA_TESLA_T4',
    acceleratorCount: 1,
    bootDisk: { type: 'PD_BALANCED', sizeGb: 150 },
    dataDisk: { type: 'PD_BALANCED', sizeGb: 100 },
    vmImage: {
      project: 'cloud-notebooks-managed',
      family: 'workbench-instances'
    },
    containerImage: null,
    networkTags: [],
    serviceAccount: null,
    labels: {},
    metadata: {},
    proxyUri: '127.0.0.1:40123',
    openUrl: 'http://127.0.0.1:40123/lab?token=abc',
    createTime: '2024-05-01T12:00:00Z',
    creator: 'local-user',
    healthState: null,
    stateReason: null,
    ...overrides
  };
}

function operation(overrides: Partial<IOperation> = {}): IOperation {
  return {
    name: 'projects/p/locations/us-central1-a/operations/op-1',
    done: false,
    error: null,
    kind: 'other',
    target: null,
    metadata: null,
    ...overrides
  };
}

/**
 * A follower whose operations end when the test says so.
 */
class FakeFollower implements IOperationFollower {
  operations: Array<{ operation: IOperation; label: string }> = [];
  changed = new Signal<this, void>(this);
  labels: string[] = [];
  private _ends: Array<(op: IOperation) => void> = [];

  track = jest.fn(
    (op: IOperation, options: { label: string }): Promise<IOperation> => {
      const item = { operation: op, label: options.label };
      this.operations = [...this.operations, item];
      this.labels.push(options.label);
      this.changed.emit();
      return new Promise<IOperation>(resolve => {
        this._ends.push(done => {
          this.operations = this.operations.filter(other => other !== item);
          this.changed.emit();
          resolve(done);
        });
      });
    }
  );

  /**
   * End the oldest operation under way.
   */
  finish(): void {
    const end = this._ends.shift();
    end?.({ ...this.operations[0].operation, done: true });
  }
}

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
      operation({ kind: 'stopInstance', target: 'gpu-box' })
    );
    const { follower, onChanged } = renderList([makeInstance()], api);
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
    fireEvent.click(screen.getByRole('button', { name: 'Stop gpu-box' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain(
      'Instance gpu-box is STOPPING; wait until it is STOPPED.'
    );
  });
});

describe('Create instance form', () => {
  const valid = (change: Partial<IInstanceForm> = {}): IInstanceForm => ({
    ...defaultInstanceForm(),
    instanceId: 'my-box',
    ...change
  });

  it('checks the id against the Vertex pattern', () => {
    const errorOf = (instanceId: string) =>
      validateInstanceForm(valid({ instanceId }), trans).instanceId ?? null;
    for (const good of ['a', 'my-box', 'b2', 'x'.repeat(63)]) {
      expect(errorOf(good)).toBeNull();
    }
    for (const bad of ['1box', 'box-', 'My-box', 'my_box', 'x'.repeat(64)]) {
      expect(errorOf(bad)).toBe(
        'Lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen; at most 63 characters.'
      );
    }
    expect(errorOf('')).toBe('Give the instance an id.');
  });

  it('checks disk sizes against their ranges', () => {
    const errors = (change: Partial<IInstanceForm>) =>
      validateInstanceForm(valid(change), trans);
    expect(errors({ bootDiskSizeGb: '150', dataDiskSizeGb: '100' })).toEqual(
      {}
    );
    expect(
      errors({ bootDiskSizeGb: '64000', dataDiskSizeGb: '64000' })
    ).toEqual({});
    expect(errors({ bootDiskSizeGb: '149' })).toEqual({
      bootDiskSizeGb: 'A size in GB from 150 to 64000.'
    });
    expect(errors({ dataDiskSizeGb: '99' })).toEqual({
      dataDiskSizeGb: 'A size in GB from 100 to 64000.'
    });
    expect(errors({ dataDiskSizeGb: '64001' }).dataDiskSizeGb).toBe(
      'A size in GB from 100 to 64000.'
    );
    expect(errors({ bootDiskSizeGb: '1.5e3' }).bootDiskSizeGb).toBe(
      'A size in GB from 150 to 64000.'
    );
  });

  it('checks the script URI, metadata, labels and service account', () => {
    expect(
      validateInstanceForm(
        valid({
          postStartupScript: '/home/me/setup.sh',
          metadata: 'no-equals-sign',
          labels: 'team=ml\n=x',
          serviceAccount: 'not an email'
        }),
        trans
      )
    ).toEqual({
      postStartupScript:
        'A `gs://` or `https://` URI of the script, as Vertex AI takes it.',
      metadata: 'One `key=value` per line.',
      labels: 'One `key=value` per line.',
      serviceAccount:
        "A service account's email, e.g. `name@project.iam.gserviceaccount.com`."
    });
  });

  it('builds the request body from the form', () => {
    expect(
      instanceRequest(
        valid({
          machineType: 'n1-standard-8',
          acceleratorType: 'NVIDIA_TESLA_T4',
          acceleratorCount: '2',
          installGpuDriver: false,
          bootDiskType: 'PD_SSD',
          bootDiskSizeGb: '200',
          dataDiskSizeGb: '500',
          image: 'container',
          containerRepository: 'us-docker.pkg.dev/me/images/lab',
          containerTag: 'v1',
          postStartupScript: 'gs://bucket/setup.sh',
          metadata: 'idle-timeout-seconds=3600\n\nreport-event-health = true',
          networkTags: 'ssh, web  notebook',
          serviceAccount: 'sa@p.iam.gserviceaccount.com',
          labels: 'team=ml'
        })
      )
    ).toEqual({
      instanceId: 'my-box',
      machineType: 'n1-standard-8',
      acceleratorType: 'NVIDIA_TESLA_T4',
      acceleratorCount: 2,
      installGpuDriver: false,
      bootDiskType: 'PD_SSD',
      bootDiskSizeGb: 200,
      dataDiskType: 'PD_BALANCED',
      dataDiskSizeGb: 500,
      containerImage: {
        repository: 'us-docker.pkg.dev/me/images/lab',
        tag: 'v1'
      },
      postStartupScript: 'gs://bucket/setup.sh',
      metadata: {
        'idle-timeout-seconds': '3600',
        'report-event-health': 'true'
      },
      networkTags: ['ssh', 'web', 'notebook'],
      serviceAccount: 'sa@p.iam.gserviceaccount.com',
      labels: { team: 'ml' }
    });
    expect(instanceRequest(valid())).toEqual({
      instanceId: 'my-box',
      machineType: 'e2-standard-4',
      bootDiskType: 'PD_BALANCED',
      bootDiskSizeGb: 150,
      dataDiskType: 'PD_BALANCED',
      dataDiskSizeGb: 100,
      vmImageFamily: 'workbench-instances'
    });
  });

  it('drops a GPU the new machine type cannot take', () => {
    const withT4 = valid({
      machineType: 'n1-standard-4',
      acceleratorType: 'NVIDIA_TESLA_T4',
      acceleratorCount: '4'
    });
    const e2 = withMachine(withT4, 'e2-standard-4', MACHINE_TABLE);
    expect(e2.acceleratorType).toBe('');
    expect(instanceRequest(e2).acceleratorType).toBeUndefined();
    const a2 = withMachine(withT4, 'a2-highgpu-2g', MACHINE_TABLE);
    expect([a2.acceleratorType, a2.acceleratorCount]).toEqual([
      'NVIDIA_TESLA_A100',
      '2'
    ]);
  });

  function renderForm(
    options: {
      machines?: IMachineOption[] | null;
      serverError?: VertexAPIError | null;
      initial?: IInstanceForm;
    } = {}
  ) {
    const onChange = jest.fn();
    render(
      <InstanceForm
        initial={options.initial ?? valid()}
        machines={
          options.machines === undefined ? MACHINE_TABLE : options.machines
        }
        serverError={options.serverError ?? null}
        showAllErrors={false}
        trans={trans}
        onChange={onChange}
      />
    );
    return { onChange };
  }

  const optionsOf = (label: string) =>
    Array.from((screen.getByLabelText(label) as HTMLSelectElement).options).map(
      o => o.value
    );

  it('offers only the GPUs and counts valid for the machine type', () => {
    const { onChange } = renderForm();
    const machine = screen.getByLabelText('Machine type');
    expect(optionsOf('Machine type')).toEqual([
      'n1-standard-4',
      'e2-standard-4',
      'a2-highgpu-2g'
    ]);
    // e2-standard-4 (the default) takes none.
    expect(screen.queryByLabelText('GPU')).toBeNull();
    expect(screen.getByTestId('vertex-no-gpu').textContent).toBe(
      'e2-standard-4 takes no GPU.'
    );

    fireEvent.change(machine, { target: { value: 'n1-standard-4' } });
    expect(optionsOf('GPU')).toEqual([
      '',
      'NVIDIA_TESLA_T4',
      'NVIDIA_TESLA_V100',
      'NVIDIA_TESLA_P100',
      'NVIDIA_TESLA_P4'
    ]);
    expect(screen.queryByLabelText('GPU count')).toBeNull();
    fireEvent.change(screen.getByLabelText('GPU'), {
      target: { value: 'NVIDIA_TESLA_V100' }
    });
    expect(optionsOf('GPU count')).toEqual(['1', '2', '4', '8']);
    expect(screen.getByLabelText('Install the GPU driver')).toBeTruthy();

    // a2-highgpu-2g comes with its two A100s: no "None", one count.
    fireEvent.change(machine, { target: { value: 'a2-highgpu-2g' } });
    expect(optionsOf('GPU')).toEqual(['NVIDIA_TESLA_A100']);
    expect(optionsOf('GPU count')).toEqual(['2']);
    const last = onChange.mock.calls[onChange.mock.calls.length - 1][0];
    expect(instanceRequest(last)).toMatchObject({
      machineType: 'a2-highgpu-2g',
      acceleratorType: 'NVIDIA_TESLA_A100',
      acceleratorCount: 2,
      installGpuDriver: true
    });
  });

  it('shows a bad id at once, at its field', () => {
    renderForm();
    const id = screen.getByLabelText('Instance id');
    expect(id.getAttribute('aria-invalid')).toBeNull();
    fireEvent.change(id, { target: { value: 'My_Box' } });
    expect(id.getAttribute('aria-invalid')).toBe('true');
    const note = document.getElementById(id.getAttribute('aria-describedby')!);
    expect(note?.textContent).toBe(
      'Lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen; at most 63 characters.'
    );
    fireEvent.change(id, { target: { value: 'my-box' } });
    expect(id.getAttribute('aria-invalid')).toBeNull();
  });

  it("puts the server's message at the field it names", () => {
    const message =
      "Field 'bootDiskSizeGb': boot disk size 100 GB is out of range [150, 64000].";
    renderForm({
      serverError: new VertexAPIError({
        message,
        reason: 'INVALID_ARGUMENT',
        status: 400
      })
    });
    const size = screen.getByLabelText('Boot disk size (GB)');
    expect(size.getAttribute('aria-invalid')).toBe('true');
    expect(
      document.getElementById(size.getAttribute('aria-describedby')!)
        ?.textContent
    ).toBe(message);
    expect(screen.getAllByRole('alert')).toHaveLength(1);
    // Editing the field again clears the server's verdict on it.
    fireEvent.change(size, { target: { value: '200' } });
    expect(size.getAttribute('aria-invalid')).toBeNull();
  });

  it('without the options, takes any machine and GPU and shows what the server says of them', () => {
    const message =
      'Field \'acceleratorType\': Accelerator "NVIDIA_TESLA_T4" is not supported for machine type "e2-standard-4".';
    renderForm({
      machines: null,
      initial: valid({ acceleratorType: 'NVIDIA_TESLA_T4' }),
      serverError: new VertexAPIError({
        message,
        reason: 'INVALID_ARGUMENT',
        status: 400
      })
    });
    const gpu = screen.getByLabelText('GPU');
    expect(gpu.tagName).toBe('INPUT');
    expect(gpu.getAttribute('aria-invalid')).toBe('true');
    expect(
      document.getElementById(gpu.getAttribute('aria-describedby')!)
        ?.textContent
    ).toBe(message);
  });

  it('names the field of a server error, if it is a form field', () => {
    expect(fieldOfError({ message: "Field 'containerImage.tag': bad" })).toBe(
      'containerImage'
    );
    expect(fieldOfError({ message: "Field 'instanceId' is required." })).toBe(
      'instanceId'
    );
    expect(fieldOfError({ message: "Field 'zone': nope" })).toBeNull();
    expect(fieldOfError({ message: 'Quota exceeded.' })).toBeNull();
  });
});

describe('createInstanceFlow', () => {
  async function shownText(call: number): Promise<string> {
    const body = mockedShowDialog.mock.calls[call][0]!
      .body as InstanceDialogBody;
    act(() => Widget.attach(body, document.body));
    await waitFor(() => expect(body.node.querySelector('form')).not.toBeNull());
    const text = body.node.textContent ?? '';
    act(() => Widget.detach(body));
    return text;
  }

  it('opens again while the form has problems or the server refuses it, then follows the operation', async () => {
    const api = new FakeAPI();
    const follower = new FakeFollower();
    const onChanged = jest.fn();
    const bad = { ...defaultInstanceForm(), instanceId: 'Bad' };
    const good = { ...defaultInstanceForm(), instanceId: 'my-box' };
    mockedShowDialog
      .mockResolvedValueOnce(dialogAnswer(true, bad))
      .mockResolvedValueOnce(dialogAnswer(true, good))
      .mockResolvedValueOnce(dialogAnswer(true, good));
    api.createInstance
      .mockRejectedValueOnce(
        new VertexAPIError({
          message: 'Instance my-box already exists.',
          reason: 'ALREADY_EXISTS',
          status: 409
        })
      )
      .mockResolvedValueOnce(operation({ kind: 'createInstance' }));

    const started = await createInstanceFlow({
      api,
      follower,
      machines: MACHINE_TABLE,
      trans,
      onChanged
    });

    expect(started?.name).toBe(
      'projects/p/locations/us-central1-a/operations/op-1'
    );
    expect(mockedShowDialog).toHaveBeenCalledTimes(3);
    // 1st: the invalid id never reached the server.
    expect(await shownText(1)).toContain(
      'Lowercase letters, digits and hyphens'
    );
    expect(await shownText(2)).toContain('Instance my-box already exists.');
    expect(api.createInstance).toHaveBeenCalledTimes(2);
    expect(api.createInstance).toHaveBeenLastCalledWith({
      instanceId: 'my-box',
      machineType: 'e2-standard-4',
      bootDiskType: 'PD_BALANCED',
      bootDiskSizeGb: 150,
      dataDiskType: 'PD_BALANCED',
      dataDiskSizeGb: 100,
      vmImageFamily: 'workbench-instances'
    });
    expect(follower.track).toHaveBeenCalledTimes(1);
    expect(follower.track.mock.calls[0][0]).toMatchObject({
      kind: 'createInstance',
      target: 'my-box'
    });
    expect(follower.labels).toEqual(['Creating instance "my-box"']);
    expect(onChanged).toHaveBeenCalledTimes(1);
    follower.finish();
    await waitFor(() => expect(onChanged).toHaveBeenCalledTimes(2));
  });

  it('creates nothing when cancelled', async () => {
    const api = new FakeAPI();
    mockedShowDialog.mockResolvedValueOnce(dialogAnswer(false));
    expect(
      await createInstanceFlow({
        api,
        follower: null,
        machines: null,
        trans,
        onChanged: jest.fn()
      })
    ).toBeNull();
    expect(api.createInstance).not.toHaveBeenCalled();
  });
});

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

  it('stops an instance in one click', async () => {
    const api = new FakeAPI();
    api.instanceAction.mockResolvedValueOnce(
      operation({ kind: 'stopInstance', target: 'gpu-box' })
    );
    const { follower, onChanged } = renderRunning(api);
    fireEvent.click(
      screen.getByRole('button', { name: 'Stop instance gpu-box' })
    );
    await waitFor(() => expect(follower.track).toHaveBeenCalledTimes(1));
    expect(api.instanceAction).toHaveBeenCalledWith('gpu-box', 'stop');
    expect(mockedShowDialog).not.toHaveBeenCalled();
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
      .mockResolvedValueOnce(operation({ name: 'op-d1', kind: 'undeploy' }))
      .mockResolvedValueOnce(operation({ name: 'op-d2', kind: 'undeploy' }));
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
    const started = operation({
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
