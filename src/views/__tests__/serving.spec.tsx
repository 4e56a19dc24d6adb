import { Notification } from '@jupyterlab/apputils';
import { nullTranslator } from '@jupyterlab/translation';
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
import { IModel, IOperation } from '../../api/types';
import {
  checkDeployForm,
  defaultDeployForm,
  deployDialog,
  DeployDialogBody,
  DeployForm,
  deployMachines,
  deployRequest,
  fieldOfMessage,
  IDeployForm,
  IMachineOption
} from '../../dialogs/deploy/DeployDialog';
import { EndpointDetail, trafficError } from '../EndpointDetail';
import { ModelDetail } from '../ModelDetail';
import {
  argmax,
  exampleInstances,
  expectedSizeOf,
  inputSizeOf,
  parseInstances,
  TestPrediction
} from '../TestPrediction';
import { OperationTracker } from '../../model/operations';
import {
  dialogAnswer,
  FakeAPI,
  makeEndpoint,
  makeModel,
  mockedShowDialog,
  trans
} from '../../__tests__/fakes';

jest.mock('@jupyterlab/apputils', () => {
  const actual = jest.requireActual('@jupyterlab/apputils');
  return {
    ...actual,
    showDialog: jest.fn(),
    Notification: {
      ...actual.Notification,
      emit: jest.fn(() => 'n1'),
      update: jest.fn(() => true)
    }
  };
});

const mockedEmit = Notification.emit as jest.Mock;
const mockedUpdate = Notification.update as jest.Mock;

// The server's table for a few machines (GET /training/options).
const MACHINES: IMachineOption[] = [
  {
    machineType: 'n1-standard-4',
    acceleratorTypes: ['NVIDIA_TESLA_T4', 'NVIDIA_TESLA_V100'],
    acceleratorCounts: [1, 2, 4, 8],
    acceleratorRequired: false
  },
  {
    machineType: 'e2-standard-4',
    acceleratorTypes: [],
    acceleratorCounts: [],
    acceleratorRequired: false
  },
  {
    machineType: 'g2-standard-24',
    acceleratorTypes: ['NVIDIA_L4'],
    acceleratorCounts: [2],
    acceleratorRequired: true
  }
];

function operation(overrides: Partial<IOperation> = {}): IOperation {
  return {
    name: 'projects/123/locations/us-central1/endpoints/5678/operations/9',
    done: false,
    error: null,
    kind: 'deploy',
    target: '5678',
    metadata: null,
    ...overrides
  };
}

const DEPLOYED_ENDPOINT = makeEndpoint({
  id: '5678',
  displayName: 'digits-endpoint',
  deployedModels: [
    {
      id: '111',
      model: 'projects/123/locations/us-central1/models/1234',
      modelVersionId: '1',
      displayName: 'digits-v1'
    },
    {
      id: '222',
      model: 'projects/123/locations/us-central1/models/1234',
      modelVersionId: '2',
      displayName: 'digits-v2'
    }
  ],
  trafficSplit: { '111': 80, '222': 20 }
});

afterEach(() => {
  mockedShowDialog.mockReset();
  mockedEmit.mockClear();
  mockedUpdate.mockClear();
  jest.useRealTimers();
});

describe('OperationTracker', () => {
  it('polls with backoff until done, then notifies success and tells who listens', async () => {
    jest.useFakeTimers();
    const api = new FakeAPI();
    const pending = operation();
    const answers = [pending, pending, pending, pending, pending];
    api.getOperation.mockImplementation(async () => {
      return (
        answers.shift() ??
        operation({ done: true, result: { deployedModelId: '7' } })
      );
    });
    const tracker = new OperationTracker({ api, trans });
    const ended = jest.fn();
    tracker.ended.connect((_, item) => ended(item.operation.done));
    const done = tracker.track(pending, {
      label: 'Deploying "digits" to "digits-endpoint"',
      modelId: '1234@1'
    });
    expect(tracker.find({ modelId: '1234' })).toHaveLength(1);
    expect(tracker.find({ endpointId: '5678' })).toHaveLength(1);
    expect(mockedEmit).toHaveBeenCalledWith(
      'Deploying "digits" to "digits-endpoint"…',
      'in-progress',
      { autoClose: false }
    );

    // 1 s, 1.5 s, 2.25 s, 3.375 s, then at most 5 s between polls.
    const calls = () => api.getOperation.mock.calls.length;
    await jest.advanceTimersByTimeAsync(999);
    expect(calls()).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(calls()).toBe(1);
    await jest.advanceTimersByTimeAsync(1500);
    expect(calls()).toBe(2);
    await jest.advanceTimersByTimeAsync(2250);
    expect(calls()).toBe(3);
    await jest.advanceTimersByTimeAsync(3375);
    expect(calls()).toBe(4);
    await jest.advanceTimersByTimeAsync(4999);
    expect(calls()).toBe(4);
    await jest.advanceTimersByTimeAsync(1);
    expect(calls()).toBe(5);
    await jest.advanceTimersByTimeAsync(5000);
    expect(calls()).toBe(6);

    const finished = await done;
    expect(finished.result).toEqual({ deployedModelId: '7' });
    expect(api.getOperation).toHaveBeenCalledWith(pending.name);
    expect(ended).toHaveBeenCalledWith(true);
    expect(tracker.operations).toHaveLength(0);
    expect(tracker.endedCount).toBe(1);
    expect(mockedUpdate).toHaveBeenCalledWith(
      expect.objectContaining({
        id: 'n1',
        type: 'success',
        message: 'Deploying "digits" to "digits-endpoint": done.'
      })
    );
    tracker.dispose();
  });

  it('rejects with the operation error and says so in the notification', async () => {
    const api = new FakeAPI();
    api.getOperation.mockResolvedValue(
      operation({
        done: true,
        error: { code: 3, message: 'Model server exited with 1' }
      })
    );
    const tracker = new OperationTracker({
      api,
      trans,
      delays: { initial: 1 }
    });
    await expect(
      tracker.track(operation(), { label: 'Deploying "digits"' })
    ).rejects.toThrow('Model server exited with 1');
    expect(mockedUpdate).toHaveBeenCalledWith(
      expect.objectContaining({
        type: 'error',
        message: 'Deploying "digits" failed: Model server exited with 1',
        autoClose: false
      })
    );
    tracker.dispose();
  });

  it('keeps polling through a failed poll, showing why', async () => {
    const api = new FakeAPI();
    api.getOperation
      .mockRejectedValueOnce(
        new VertexAPIError({
          message: 'The embedded Vertex is restarting.',
          reason: 'UNAVAILABLE',
          status: 503
        })
      )
      .mockResolvedValue(operation({ done: true }));
    const tracker = new OperationTracker({
      api,
      trans,
      notify: false,
      delays: { initial: 1, max: 1 }
    });
    const errors: string[] = [];
    tracker.changed.connect(() => {
      const item = tracker.operations[0];
      if (item?.pollError) {
        errors.push(item.pollError.message);
      }
    });
    await tracker.track(operation(), { label: 'Undeploying' });
    expect(errors).toEqual(['The embedded Vertex is restarting.']);
    expect(api.getOperation).toHaveBeenCalledTimes(2);
    tracker.dispose();
  });
});

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

  it('shows the Python code of the deployment on request', async () => {
    const api = new FakeAPI();
    api.deployCode.mockResolvedValueOnce({
      language: 'python',
      code: 'endpoint = model.deploy(machine_type="n1-standard-4")'
    });
    renderForm({}, api);
    fireEvent.click(screen.getByRole('button', { name: 'Show Python code' }));
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
    const started = operation();
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

describe('ModelDetail', () => {
  function renderDetail(api: FakeAPI, overrides = {}) {
    const tracker = new OperationTracker({ api, trans, notify: false });
    const props = {
      api,
      modelId: '1234',
      listed: null,
      endpoints: [DEPLOYED_ENDPOINT],
      trans,
      tracker,
      onBack: jest.fn(),
      onOpenEndpoint: jest.fn(),
      onChanged: jest.fn(),
      loadMachines: async () => MACHINES,
      ...overrides
    };
    const view = render(<ModelDetail {...props} />);
    return { view, props, tracker };
  }

  function digits(): FakeAPI {
    const api = new FakeAPI();
    const v1 = makeModel({
      versionId: '1',
      versionAliases: [],
      labels: { team: 'ml' },
      deployedModels: [
        {
          endpoint: 'projects/123/locations/us-central1/endpoints/5678',
          deployedModelId: '111'
        }
      ]
    });
    const v2 = makeModel({
      versionId: '2',
      versionAliases: ['default', 'champion'],
      labels: { team: 'ml', 'input-size': '64' },
      artifactUri: 'gs://bucket/digits/model',
      deployedModels: []
    });
    api.getModel.mockResolvedValue(v2);
    (api.listModelVersions as jest.Mock).mockResolvedValue({
      models: [v1, v2]
    });
    return api;
  }

  it('shows versions, aliases, artifact, container, labels and where it is deployed', async () => {
    const api = digits();
    const { props } = renderDetail(api);
    const detail = await screen.findByRole('region', {
      name: 'digits-classifier'
    });
    await waitFor(() =>
      expect(detail.textContent).toContain('gs://bucket/digits/model')
    );
    expect(api.getModel).toHaveBeenCalledWith('1234');
    expect(api.listModelVersions).toHaveBeenCalledWith('1234');
    expect(detail.textContent).toContain(
      'us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest'
    );
    expect(detail.textContent).toContain('team: ml');
    expect(detail.textContent).toContain('input-size: 64');
    const versions = within(
      screen.getByRole('region', { name: 'Versions' })
    ).getAllByRole('listitem');
    expect(versions.map(v => v.getAttribute('data-version-id'))).toEqual([
      '2',
      '1'
    ]);
    expect(versions[0].textContent).toContain('default');
    expect(versions[0].textContent).toContain('champion');
    expect(versions[1].textContent).toContain('1 deployment');
    const deployedTo = screen.getByRole('region', { name: 'Deployed to' });
    expect(deployedTo.textContent).toContain(
      'digits-endpoint version 1 · deployed model 111'
    );
    fireEvent.click(
      within(deployedTo).getByRole('button', {
        name: 'Open endpoint digits-endpoint'
      })
    );
    expect(props.onOpenEndpoint).toHaveBeenCalledWith('5678');
    expect(document.activeElement).toBe(
      screen.getByRole('button', { name: 'Back to the list' })
    );
  });

  it('deletes only after confirmation, and shows why the server refused', async () => {
    const api = digits();
    const { props } = renderDetail(api);
    await screen.findByRole('region', { name: 'digits-classifier' });
    mockedShowDialog.mockResolvedValueOnce(dialogAnswer(false));
    fireEvent.click(screen.getByRole('button', { name: 'Delete model' }));
    await waitFor(() => expect(mockedShowDialog).toHaveBeenCalledTimes(1));
    expect(api.deleteModel).not.toHaveBeenCalled();

    api.deleteModel.mockRejectedValueOnce(
      new VertexAPIError({
        message:
          'Model projects/123/locations/us-central1/models/1234 is deployed to endpoints; undeploy it first.',
        reason: 'FAILED_PRECONDITION',
        status: 409
      })
    );
    mockedShowDialog.mockResolvedValueOnce(dialogAnswer(true));
    fireEvent.click(screen.getByRole('button', { name: 'Delete model' }));
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toContain(
        'is deployed to endpoints; undeploy it first.'
      )
    );
    expect(api.deleteModel).toHaveBeenCalledWith('1234');
    expect(props.onBack).not.toHaveBeenCalled();

    mockedShowDialog.mockResolvedValueOnce(dialogAnswer(true));
    fireEvent.click(screen.getByRole('button', { name: 'Delete model' }));
    await waitFor(() => expect(props.onBack).toHaveBeenCalled());
    expect(props.onChanged).toHaveBeenCalled();
  });

  it('deploys: the operation shows in progress, then the detail fetches again', async () => {
    const api = digits();
    const started = operation();
    api.deployModel.mockResolvedValueOnce(started);
    let finish: (op: IOperation) => void = () => undefined;
    api.getOperation.mockImplementation(
      () => new Promise<IOperation>(resolve => (finish = resolve))
    );
    const tracker = new OperationTracker({
      api,
      trans,
      notify: false,
      delays: { initial: 1 }
    });
    const { props } = renderDetail(api, { tracker });
    await screen.findByRole('region', { name: 'digits-classifier' });
    expect(api.listModelVersions).toHaveBeenCalledTimes(1);
    mockedShowDialog.mockImplementationOnce(async options => {
      const body = options!.body as DeployDialogBody;
      return dialogAnswer(true, body.getValue());
    });
    fireEvent.click(screen.getByRole('button', { name: 'Deploy…' }));
    await waitFor(() =>
      expect(screen.getByRole('status').textContent).toBe(
        'Deploying "digits-classifier" to "digits-classifier-endpoint"…'
      )
    );
    // The dialog offered the model's versions and the server's machines.
    expect(api.deployModel).toHaveBeenCalledWith('1234@2', {
      endpointDisplayName: 'digits-classifier-endpoint',
      machineType: 'n1-standard-2',
      minReplicaCount: 1,
      maxReplicaCount: 1,
      trafficPercentage: 100
    });
    expect(props.onChanged).toHaveBeenCalled();
    await waitFor(() => expect(api.getOperation).toHaveBeenCalled());
    act(() => finish(operation({ done: true })));
    await waitFor(() => expect(screen.queryByRole('status')).toBeNull());
    await waitFor(() => expect(api.listModelVersions).toHaveBeenCalledTimes(2));
    tracker.dispose();
  });
});

describe('EndpointDetail', () => {
  function renderDetail(api: FakeAPI) {
    const tracker = new OperationTracker({
      api,
      trans,
      notify: false,
      delays: { initial: 1 }
    });
    const props = {
      api,
      endpointId: '5678',
      listed: DEPLOYED_ENDPOINT,
      trans,
      tracker,
      onBack: jest.fn(),
      onOpenModel: jest.fn(),
      onChanged: jest.fn()
    };
    const view = render(<EndpointDetail {...props} />);
    return { view, props, tracker };
  }

  function api(): FakeAPI {
    const fake = new FakeAPI();
    fake.endpoints = [DEPLOYED_ENDPOINT];
    fake.getModel.mockImplementation(async (id: string) =>
      makeModel({ versionId: id.split('@')[1] ?? '1' })
    );
    return fake;
  }

  const shareOf = (name: string) =>
    screen.getByLabelText(`Traffic share of ${name} (%)`) as HTMLInputElement;

  it('shows the deployed models with their traffic, saved only when it sums to 100', async () => {
    const fake = api();
    fake.setTrafficSplit.mockResolvedValueOnce({
      ...DEPLOYED_ENDPOINT,
      trafficSplit: { '111': 50, '222': 50 }
    });
    const { props } = renderDetail(fake);
    await waitFor(() => expect(fake.getModel).toHaveBeenCalledTimes(2));
    expect(fake.getModel).toHaveBeenCalledWith('1234@1');
    expect(fake.getModel).toHaveBeenCalledWith('1234@2');
    expect(shareOf('digits-v1').value).toBe('80');
    expect(shareOf('digits-v2').value).toBe('20');
    const save = screen.getByRole('button', { name: 'Save traffic split' });
    expect((save as HTMLButtonElement).disabled).toBe(true);

    const traffic = screen.getByRole('region', {
      name: 'Deployed models and traffic'
    });
    fireEvent.change(shareOf('digits-v1'), { target: { value: '50' } });
    expect(within(traffic).getByRole('alert').textContent).toBe(
      'The shares sum to 70%; they must sum to 100%.'
    );
    expect((save as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(shareOf('digits-v2'), { target: { value: '50' } });
    expect(within(traffic).queryByRole('alert')).toBeNull();
    expect((save as HTMLButtonElement).disabled).toBe(false);
    fireEvent.click(save);
    await waitFor(() =>
      expect(fake.setTrafficSplit).toHaveBeenCalledWith('5678', {
        '111': 50,
        '222': 50
      })
    );
    await waitFor(() => expect(shareOf('digits-v1').value).toBe('50'));
    expect(props.onChanged).toHaveBeenCalled();

    // Links to the model.
    fireEvent.click(
      screen.getAllByRole('button', { name: 'Open model digits-classifier' })[0]
    );
    expect(props.onOpenModel).toHaveBeenCalledWith('1234');
  });

  it('undeploys after confirmation and follows the operation', async () => {
    const fake = api();
    fake.undeployModel.mockResolvedValueOnce(operation({ kind: 'undeploy' }));
    fake.getOperation.mockImplementation(async () => {
      // Vertex moved the traffic and removed the deployed model.
      fake.endpoints = [
        {
          ...DEPLOYED_ENDPOINT,
          deployedModels: DEPLOYED_ENDPOINT.deployedModels!.slice(0, 1),
          trafficSplit: { '111': 100 }
        }
      ];
      return operation({ kind: 'undeploy', done: true });
    });
    const { tracker } = renderDetail(fake);
    const ended = jest.fn();
    tracker.ended.connect(ended);
    mockedShowDialog.mockResolvedValueOnce(dialogAnswer(false));
    fireEvent.click(screen.getByRole('button', { name: 'Undeploy digits-v2' }));
    await waitFor(() => expect(mockedShowDialog).toHaveBeenCalledTimes(1));
    expect(fake.undeployModel).not.toHaveBeenCalled();
    mockedShowDialog.mockResolvedValueOnce(dialogAnswer(true));
    fireEvent.click(screen.getByRole('button', { name: 'Undeploy digits-v2' }));
    await waitFor(() =>
      expect(fake.undeployModel).toHaveBeenCalledWith('5678', '222')
    );
    await waitFor(() => expect(ended).toHaveBeenCalledTimes(1));
    // The detail fetches the endpoint again once it ended: 222 is gone.
    await waitFor(() =>
      expect(
        document.querySelector('tr[data-deployed-model-id="222"]')
      ).toBeNull()
    );
    expect(
      document.querySelector('tr[data-deployed-model-id="111"]')
    ).not.toBeNull();
    tracker.dispose();
  });

  it("refuses to delete while models are deployed, with the server's message", async () => {
    const fake = api();
    fake.deleteEndpoint.mockRejectedValueOnce(
      new VertexAPIError({
        message:
          'Endpoint projects/123/locations/us-central1/endpoints/5678 has deployed models; undeploy them first.',
        reason: 'FAILED_PRECONDITION',
        status: 409
      })
    );
    const { props } = renderDetail(fake);
    mockedShowDialog.mockResolvedValueOnce(dialogAnswer(true));
    fireEvent.click(screen.getByRole('button', { name: 'Delete endpoint' }));
    await waitFor(() =>
      expect(
        screen
          .getAllByRole('alert')
          .some(a =>
            a.textContent?.includes('has deployed models; undeploy them first.')
          )
      ).toBe(true)
    );
    expect(fake.deleteEndpoint).toHaveBeenCalledWith('5678');
    expect(props.onBack).not.toHaveBeenCalled();
  });

  it('tells apart the same model deployed twice', async () => {
    const fake = api();
    const twins = {
      ...DEPLOYED_ENDPOINT,
      deployedModels: DEPLOYED_ENDPOINT.deployedModels!.map(d => ({
        ...d,
        displayName: 'digits'
      }))
    };
    fake.endpoints = [twins];
    render(
      <EndpointDetail
        api={fake}
        endpointId="5678"
        listed={twins}
        trans={trans}
        tracker={new OperationTracker({ api: fake, trans, notify: false })}
        onBack={jest.fn()}
        onOpenModel={jest.fn()}
        onChanged={jest.fn()}
      />
    );
    expect(shareOf('digits (111)').value).toBe('80');
    expect(shareOf('digits (222)').value).toBe('20');
    expect(
      screen.getByRole('button', { name: 'Undeploy digits (222)' })
    ).toBeTruthy();
    await act(async () => undefined);
  });

  it('checks traffic splits', () => {
    expect(trafficError({}, trans)).toBeNull();
    expect(trafficError({ a: 100 }, trans)).toBeNull();
    expect(trafficError({ a: 60, b: 40 }, trans)).toBeNull();
    expect(trafficError({ a: 60, b: 41 }, trans)).toBe(
      'The shares sum to 101%; they must sum to 100%.'
    );
    expect(trafficError({ a: 50.5, b: 49.5 }, trans)).toBe(
      'Each share is a whole number from 0 to 100.'
    );
    expect(trafficError({ a: NaN, b: 100 }, trans)).toBe(
      'Each share is a whole number from 0 to 100.'
    );
  });
});

describe('Test prediction', () => {
  const sized: IModel = makeModel({ labels: { 'input-size': '64' } });

  it('prefills one instance of the size the model label states', () => {
    render(
      <TestPrediction
        api={new FakeAPI()}
        endpointId="5678"
        models={[sized]}
        trans={trans}
      />
    );
    const editor = screen.getByLabelText(
      'Instances (JSON)'
    ) as HTMLTextAreaElement;
    expect(JSON.parse(editor.value)).toEqual([new Array(64).fill(0)]);
    expect(inputSizeOf(sized)).toBe(64);
    expect(
      inputSizeOf(makeModel({ labels: { 'input-size': 'x' } }))
    ).toBeNull();
    expect(inputSizeOf(makeModel({ labels: {} }))).toBeNull();
    expect(exampleInstances(3)).toBe('[[0,0,0]]');
  });

  it('shows the predictions and the argmax of class probabilities', async () => {
    const api = new FakeAPI();
    api.predict.mockResolvedValueOnce({
      predictions: [
        [0.1, 0.7, 0.2],
        [0.05, 0.05, 0.9]
      ],
      deployedModelId: '111',
      model: 'projects/123/locations/us-central1/models/1234',
      modelDisplayName: 'digits-classifier',
      modelVersionId: '1'
    });
    render(
      <TestPrediction api={api} endpointId="5678" models={[]} trans={trans} />
    );
    const editor = screen.getByLabelText('Instances (JSON)');
    fireEvent.change(editor, { target: { value: '[[1, 2], [3, 4]]' } });
    // Ctrl+Enter predicts from the editor.
    fireEvent.keyDown(editor, { key: 'Enter', ctrlKey: true });
    const result = await screen.findByRole('status', { name: 'Predictions' });
    expect(api.predict).toHaveBeenCalledWith('5678', {
      instances: [
        [1, 2],
        [3, 4]
      ]
    });
    expect(result.textContent).toContain(
      '2 predictions from digits-classifier (deployed model 111, version 1)'
    );
    const items = within(result).getAllByRole('listitem');
    expect(items.map(i => i.textContent)).toEqual([
      'class 1 (p = 0.700)',
      'class 2 (p = 0.900)'
    ]);
  });

  it("shows class labels as they are, and the model's message for bad input with a way to fill a valid example", async () => {
    const api = new FakeAPI();
    api.predict.mockRejectedValueOnce(
      new VertexAPIError({
        message:
          'X has 2 features, but LogisticRegression is expecting 64 features as input.',
        reason: 'INVALID_ARGUMENT',
        status: 400
      })
    );
    api.predict.mockResolvedValueOnce({
      predictions: [0],
      deployedModelId: '111',
      model: 'projects/123/locations/us-central1/models/1234',
      modelDisplayName: 'digits-classifier',
      modelVersionId: '1'
    });
    const remember = jest.fn(async () => undefined);
    const model = makeModel({ labels: {} });
    render(
      <TestPrediction
        api={api}
        endpointId="5678"
        models={[model]}
        trans={trans}
        onRememberSize={remember}
      />
    );
    const editor = screen.getByLabelText(
      'Instances (JSON)'
    ) as HTMLTextAreaElement;
    expect(editor.value).toBe('');
    fireEvent.change(editor, { target: { value: '[[1, 2]]' } });
    fireEvent.click(screen.getByRole('button', { name: 'Predict' }));
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toContain(
        'X has 2 features, but LogisticRegression is expecting 64 features as input.'
      )
    );
    fireEvent.click(
      screen.getByRole('button', { name: 'Fill an example of 64 values' })
    );
    expect(JSON.parse(editor.value)).toEqual([new Array(64).fill(0)]);
    await waitFor(() => expect(remember).toHaveBeenCalledWith(model, 64));
    fireEvent.click(screen.getByRole('button', { name: 'Predict' }));
    const result = await screen.findByRole('status', { name: 'Predictions' });
    expect(within(result).getByRole('listitem').textContent).toBe('0');
  });

  it('says what is wrong with the JSON without asking the server', () => {
    const api = new FakeAPI();
    render(
      <TestPrediction api={api} endpointId="5678" models={[]} trans={trans} />
    );
    const editor = screen.getByLabelText('Instances (JSON)');
    fireEvent.change(editor, { target: { value: '{"rows": []}' } });
    fireEvent.click(screen.getByRole('button', { name: 'Predict' }));
    expect(screen.getByRole('alert').textContent).toBe(
      'Expected a JSON array of instances, or {"instances": [...]}.'
    );
    expect(api.predict).not.toHaveBeenCalled();
  });

  it('parses instances and finds sizes and argmax', () => {
    expect(parseInstances('[[1]]', trans)).toEqual({ instances: [[1]] });
    expect(
      parseInstances('{"instances": [[1]], "parameters": {"k": 1}}', trans)
    ).toEqual({ instances: [[1]], parameters: { k: 1 } });
    expect(parseInstances('[]', trans)).toEqual({
      error: 'Give at least one instance.'
    });
    expect('error' in parseInstances('[1,', trans)).toBe(true);
    expect(
      expectedSizeOf(
        'X has 3 features, but DecisionTreeClassifier is expecting 64 features as input.'
      )
    ).toBe(64);
    expect(expectedSizeOf('Model server exited.')).toBeNull();
    expect(argmax([0.2, 0.8])).toBe(1);
    expect(argmax([0.2, 0.3])).toBeNull(); // not probabilities
    expect(argmax([3])).toBeNull();
    expect(argmax('cat')).toBeNull();
  });
});

describe('Panel routes', () => {
  it('opens a model, follows its link to the endpoint, and comes back the same way', async () => {
    const { VertexPanel } = await import('../../panel/Panel');
    const { VertexModel } = await import('../../model/VertexModel');
    const { Widget } = await import('@lumino/widgets');
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
    api.getModel.mockImplementation(async () => api.models[0]);
    (api.listModelVersions as jest.Mock).mockResolvedValue({
      models: api.models
    });
    const model = new VertexModel({ api, autoStart: false });
    const panel = new VertexPanel({
      model,
      translator: nullTranslator,
      api,
      loadMachines: async () => MACHINES
    });
    act(() => {
      Widget.attach(panel, document.body);
    });
    await act(async () => {
      await model.refresh();
    });
    const row = await waitFor(() => {
      const found = panel.node.querySelector<HTMLElement>(
        '.jp-Vertex-ModelRow[data-model-id="1234"]'
      );
      expect(found).not.toBeNull();
      return found!;
    });
    // The row says where the model is deployed.
    expect(row.textContent).toContain('on digits-endpoint');
    fireEvent.keyDown(row, { key: 'Enter' });
    expect(panel.route).toEqual({ kind: 'model', id: '1234' });
    const link = await screen.findByRole('button', {
      name: 'Open endpoint digits-endpoint'
    });
    fireEvent.click(link);
    expect(panel.route).toEqual({ kind: 'endpoint', id: '5678' });
    await screen.findByRole('region', { name: 'Deployed models and traffic' });

    // Back: the model again, then the lists with the model's row focused.
    fireEvent.click(screen.getByRole('button', { name: 'Back to the list' }));
    expect(panel.route).toEqual({ kind: 'model', id: '1234' });
    fireEvent.keyDown(
      screen.getByRole('button', { name: 'Back to the list' }),
      { key: 'Escape' }
    );
    expect(panel.route).toBeNull();
    await waitFor(() =>
      expect(document.activeElement?.getAttribute('data-model-id')).toBe('1234')
    );
    act(() => {
      Widget.detach(panel);
    });
    panel.dispose();
    model.dispose();
  });
});

describe('Windowed model and endpoint lists', () => {
  it('render only the rows in view of 10,000 models, and scroll to the others', async () => {
    const { VertexPanelView } = await import('../../panel/Panel');
    const { VertexModel } = await import('../../model/VertexModel');
    const api = new FakeAPI();
    api.models = Array.from({ length: 10_000 }, (_, i) =>
      makeModel({
        id: String(i),
        displayName: `model-${i}`,
        // Newest first: model-0 is the newest.
        createTime: new Date(Date.UTC(2024, 0, 1) - i * 1000).toISOString()
      })
    );
    const model = new VertexModel({
      api,
      autoStart: false,
      maxItems: 10_000
    });
    await model.refresh();
    render(<VertexPanelView model={model} trans={trans} />);
    const region = screen.getByRole('region', { name: 'Models' });
    const ids = () =>
      within(region)
        .getAllByRole('listitem')
        .map(row => row.getAttribute('data-model-id'));
    // 12 rows in view and 4 more below.
    expect(ids()).toEqual(Array.from({ length: 16 }, (_, i) => String(i)));
    const scroller = region.querySelector('.jp-Vertex-VirtualList')!;
    fireEvent.scroll(scroller, { target: { scrollTop: 5000 * 52 } });
    expect(ids()[0]).toBe('4996');
    expect(ids()).toContain('5000');
    expect(ids().length).toBeLessThanOrEqual(20);
    model.dispose();
  });
});

describe('machineLoader', () => {
  it('fetches the machine table once, and again after a failure', async () => {
    const { machineLoader } = await import('../../panel/Panel');
    const trainingOptions = jest
      .fn()
      .mockRejectedValueOnce(
        new VertexAPIError({
          message: 'The embedded Vertex is starting.',
          reason: 'UNAVAILABLE',
          status: 503
        })
      )
      .mockResolvedValue({ machineTypes: MACHINES });
    const load = machineLoader({ trainingOptions });
    await expect(load()).rejects.toThrow('The embedded Vertex is starting.');
    expect(await load()).toEqual(MACHINES);
    expect(await load()).toEqual(MACHINES);
    expect(trainingOptions).toHaveBeenCalledTimes(2);
  });
});
