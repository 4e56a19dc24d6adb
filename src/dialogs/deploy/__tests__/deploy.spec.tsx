import {
  fireEvent,
  render,
  screen,
  waitFor,
  within
} from '@testing-library/react';
import * as React from 'react';
import { VertexAPIError } from '../../../api/request';
import {
  checkDeployForm,
  defaultDeployForm,
  deployDialog,
  DeployDialogBody,
  DeployForm,
  deployMachines,
  deployRequest,
  fieldOfMessage,
  IDeployForm
} from '../DeployDialog';
import {
  dialogAnswer,
  FakeAPI,
  makeEndpoint,
  makeModel,
  mockedShowDialog,
  trans
} from '../../../__tests__/fakes';
import {
  DEPLOYED_ENDPOINT,
  deployOperation,
  MACHINES,
  resetServingMocks
} from '../../../__tests__/serving';

jest.mock('@jupyterlab/apputils', () =>
  jest.requireActual('../../../__tests__/apputils').withNotifications()
);

afterEach(resetServingMocks);

describe('Deploy dialog', () => {
  const model = makeModel({ id: '1234', versionId: '3' });

  it('starts from the settings and the server table', () => {
    const machines = deployMachines(MACHINES);
    // The deploy default joins the table with the n1 family's accelerators.
    expect(machines[0]).toEqual({
      ...MACHINES[0],
      machineType: 'n1-standard-2'
    });
    const plain = defaultDeployForm({ model, endpoints: [], machines });
    expect(plain).toEqual({
      modelId: '1234@3',
      target: 'new',
      endpointId: '',
      endpointDisplayName: 'digits-classifier-endpoint',
      machineType: 'n1-standard-2',
      minReplicaCount: 1,
      maxReplicaCount: 1,
      acceleratorType: '',
      acceleratorCount: 1,
      trafficPercentage: 100
    });
    const preferred = defaultDeployForm({
      model,
      endpoints: [makeEndpoint({ id: '5678', displayName: 'prod' })],
      machines,
      defaultMachineType: 'g2-standard-24',
      defaultEndpoint: 'prod'
    });
    expect(preferred.machineType).toBe('g2-standard-24');
    expect(preferred.acceleratorType).toBe('NVIDIA_L4');
    expect(preferred.acceleratorCount).toBe(2);
    expect(preferred.target).toBe('existing');
    expect(preferred.endpointId).toBe('5678');
    // A machine type the table does not know is not offered.
    expect(
      defaultDeployForm({
        model,
        endpoints: [],
        machines,
        defaultMachineType: 'n9-imaginary'
      }).machineType
    ).toBe('n1-standard-2');
  });

  it('builds the request body', () => {
    const form: IDeployForm = {
      ...defaultDeployForm({ model, endpoints: [], machines: MACHINES }),
      acceleratorType: 'NVIDIA_TESLA_T4',
      acceleratorCount: 2,
      maxReplicaCount: 3
    };
    expect(deployRequest(form)).toEqual({
      endpointDisplayName: 'digits-classifier-endpoint',
      machineType: 'n1-standard-4',
      minReplicaCount: 1,
      maxReplicaCount: 3,
      acceleratorType: 'NVIDIA_TESLA_T4',
      acceleratorCount: 2,
      trafficPercentage: 100
    });
    expect(
      deployRequest({
        ...form,
        target: 'existing',
        endpointId: '5678',
        acceleratorType: '',
        trafficPercentage: 30
      })
    ).toEqual({
      endpointId: '5678',
      machineType: 'n1-standard-4',
      minReplicaCount: 1,
      maxReplicaCount: 3,
      trafficPercentage: 30
    });
  });

  it('checks replicas and traffic before sending', () => {
    const form = defaultDeployForm({
      model,
      endpoints: [],
      machines: MACHINES
    });
    expect(checkDeployForm(form, trans)).toEqual({});
    expect(
      checkDeployForm(
        {
          ...form,
          minReplicaCount: 3,
          maxReplicaCount: 2,
          trafficPercentage: 101,
          endpointDisplayName: ' '
        },
        trans
      )
    ).toEqual({
      maxReplicaCount: 'At least the minimum (3).',
      trafficPercentage: 'A whole number from 0 to 100.',
      endpointDisplayName: 'Name the new endpoint.'
    });
    expect(
      fieldOfMessage("Field 'acceleratorCount': Accelerator count 3")
    ).toBe('acceleratorCount');
    expect(fieldOfMessage('Model not found.')).toBeNull();
  });

  function renderForm(
    overrides: Partial<DeployDialogBody.IOptions> = {},
    api = new FakeAPI()
  ) {
    let form = defaultDeployForm({ model, endpoints: [], machines: MACHINES });
    const rerender = () =>
      view.rerender(
        <DeployForm
          api={api}
          model={model}
          versions={[]}
          endpoints={[]}
          machines={MACHINES}
          trans={trans}
          {...overrides}
          form={form}
          onChange={next => {
            form = next;
            rerender();
          }}
        />
      );
    const view = render(<div />);
    rerender();
    return { api, view, form: () => form };
  }

  it('offers only the accelerators the machine type takes', () => {
    const { form } = renderForm();
    const machine = screen.getByLabelText('Machine type') as HTMLSelectElement;
    const accelerator = () =>
      screen.getByLabelText('Accelerator') as HTMLSelectElement;
    const count = () => screen.getByLabelText('Count') as HTMLSelectElement;
    const options = (select: HTMLSelectElement) =>
      Array.from(select.options).map(o => o.value);

    expect(options(machine)).toEqual([
      'n1-standard-4',
      'e2-standard-4',
      'g2-standard-24'
    ]);
    expect(options(accelerator())).toEqual([
      '',
      'NVIDIA_TESLA_T4',
      'NVIDIA_TESLA_V100'
    ]);
    fireEvent.change(accelerator(), { target: { value: 'NVIDIA_TESLA_T4' } });
    expect(options(count())).toEqual(['1', '2', '4', '8']);

    fireEvent.change(machine, { target: { value: 'e2-standard-4' } });
    expect(form().acceleratorType).toBe('');
    expect(options(accelerator())).toEqual(['']);
    expect(accelerator().disabled).toBe(true);

    // g2 comes with its L4s: no "None", and the count the size fixes.
    fireEvent.change(machine, { target: { value: 'g2-standard-24' } });
    expect(options(accelerator())).toEqual(['NVIDIA_L4']);
    expect(options(count())).toEqual(['2']);
    expect(form()).toEqual(
      expect.objectContaining({
        machineType: 'g2-standard-24',
        acceleratorType: 'NVIDIA_L4',
        acceleratorCount: 2
      })
    );
  });

  it("shows the server's message at the field it names", () => {
    renderForm({
      error: new VertexAPIError({
        message:
          'Field \'acceleratorCount\': Accelerator count 3 is not valid for accelerator "NVIDIA_TESLA_T4" on machine type "n1-standard-4" (valid: 1, 2, 4, 8).',
        reason: 'INVALID_ARGUMENT',
        status: 400
      })
    });
    const field = document.querySelector('[data-field="acceleratorCount"]')!;
    expect(within(field as HTMLElement).getByRole('alert').textContent).toBe(
      'Accelerator count 3 is not valid for accelerator "NVIDIA_TESLA_T4" on machine type "n1-standard-4" (valid: 1, 2, 4, 8).'
    );
    expect(screen.getAllByRole('alert')).toHaveLength(1);
  });

  it('shows a message that names no field above the form', () => {
    renderForm({
      error: new VertexAPIError({
        message: 'Quota exceeded for n1 CPUs.',
        reason: 'RESOURCE_EXHAUSTED',
        hint: 'Ask for more quota.',
        status: 429
      })
    });
    expect(screen.getByRole('alert').textContent).toBe(
      'Quota exceeded for n1 CPUs.Ask for more quota.'
    );
  });

  it('lets the traffic share be set only beside other deployed models', () => {
    const endpoints = [
      makeEndpoint({ id: '1', displayName: 'empty' }),
      DEPLOYED_ENDPOINT
    ];
    const { form } = renderForm({ endpoints });
    const traffic = () =>
      screen.getByLabelText('Traffic share (%)') as HTMLInputElement;
    expect(traffic().disabled).toBe(true);
    fireEvent.click(screen.getByLabelText('Existing endpoint'));
    const select = screen.getByLabelText(
      'Endpoint to deploy to'
    ) as HTMLSelectElement;
    expect(Array.from(select.options).map(o => o.textContent)).toEqual([
      'empty (0 models)',
      'digits-endpoint (2 models)'
    ]);
    fireEvent.change(select, { target: { value: '5678' } });
    expect(traffic().disabled).toBe(false);
    fireEvent.change(traffic(), { target: { value: '25' } });
    expect(deployRequest(form())).toEqual(
      expect.objectContaining({ endpointId: '5678', trafficPercentage: 25 })
    );
  });

  it('shows the SDK code of the deployment on request', async () => {
    const api = new FakeAPI();
    api.deployCode.mockResolvedValueOnce({
      language: 'python',
      code: 'endpoint = model.deploy(machine_type="n1-standard-4")'
    });
    renderForm({}, api);
    fireEvent.click(screen.getByRole('button', { name: 'Show SDK code' }));
    await waitFor(() =>
      expect(screen.getByLabelText('Python SDK code').textContent).toBe(
        'endpoint = model.deploy(machine_type="n1-standard-4")'
      )
    );
    expect(api.deployCode).toHaveBeenCalledWith('1234@3', {
      endpointDisplayName: 'digits-classifier-endpoint',
      machineType: 'n1-standard-4',
      minReplicaCount: 1,
      maxReplicaCount: 1,
      trafficPercentage: 100
    });
  });

  it('opens again with the server refusal, then starts the deployment', async () => {
    const api = new FakeAPI();
    const form = defaultDeployForm({
      model,
      endpoints: [],
      machines: MACHINES
    });
    const refused = new VertexAPIError({
      message:
        'Field \'machineType\': Machine type "n1-standard-4" is not supported.',
      reason: 'INVALID_ARGUMENT',
      status: 400
    });
    const started = deployOperation();
    api.deployModel
      .mockRejectedValueOnce(refused)
      .mockResolvedValueOnce(started);
    mockedShowDialog
      .mockResolvedValueOnce(dialogAnswer(true, form))
      .mockResolvedValueOnce(dialogAnswer(true, form));
    const result = await deployDialog({
      api,
      model,
      versions: [],
      endpoints: [],
      machines: MACHINES,
      form,
      trans
    });
    expect(result).toEqual({ operation: started, form });
    expect(mockedShowDialog).toHaveBeenCalledTimes(2);
    const second = mockedShowDialog.mock.calls[1][0]?.body as DeployDialogBody;
    expect((second as any)._error).toBe(refused);
    expect(api.deployModel).toHaveBeenCalledWith('1234@3', deployRequest(form));
  });
});
