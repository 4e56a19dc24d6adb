import { Widget } from '@lumino/widgets';
import {
  act,
  fireEvent,
  render,
  screen,
  waitFor
} from '@testing-library/react';
import * as React from 'react';
import { VertexAPIError } from '../../../api/request';
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
import {
  dialogAnswer,
  FakeAPI,
  MACHINE_TABLE,
  mockedShowDialog,
  trans
} from '../../../__tests__/fakes';
import { FakeFollower, instanceOperation } from '../../../__tests__/instances';

jest.mock('@jupyterlab/apputils', () => ({
  ...jest.requireActual('@jupyterlab/apputils'),
  showDialog: jest.fn()
}));

afterEach(() => mockedShowDialog.mockReset());

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
      .mockResolvedValueOnce(instanceOperation({ kind: 'createInstance' }));

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
