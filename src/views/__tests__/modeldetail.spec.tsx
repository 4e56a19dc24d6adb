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
import { IOperation } from '../../api/types';
import { DeployDialogBody } from '../../dialogs/deploy/DeployDialog';
import { ModelDetail } from '../ModelDetail';
import { OperationTracker } from '../../model/operations';
import {
  dialogAnswer,
  FakeAPI,
  makeModel,
  mockedShowDialog,
  trans
} from '../../__tests__/fakes';
import {
  DEPLOYED_ENDPOINT,
  deployOperation,
  MACHINES,
  resetServingMocks
} from '../../__tests__/serving';

jest.mock('@jupyterlab/apputils', () =>
  jest.requireActual('../../__tests__/apputils').withNotifications()
);

afterEach(resetServingMocks);

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
    // A tab has no way back: it is closed like any other tab.
    expect(
      screen.queryByRole('button', { name: 'Back to the list' })
    ).toBeNull();
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
    const started = deployOperation();
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
    act(() => finish(deployOperation({ done: true })));
    await waitFor(() => expect(screen.queryByRole('status')).toBeNull());
    await waitFor(() => expect(api.listModelVersions).toHaveBeenCalledTimes(2));
    tracker.dispose();
  });
});
