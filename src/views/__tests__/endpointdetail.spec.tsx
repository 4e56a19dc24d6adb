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
import { EndpointDetail, trafficError } from '../EndpointDetail';
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
  resetServingMocks
} from '../../__tests__/serving';

jest.mock('@jupyterlab/apputils', () =>
  jest.requireActual('../../__tests__/apputils').withNotifications()
);

afterEach(resetServingMocks);

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
    fake.undeployModel.mockResolvedValueOnce(
      deployOperation({ kind: 'undeploy' })
    );
    fake.getOperation.mockImplementation(async () => {
      // Vertex moved the traffic and removed the deployed model.
      fake.endpoints = [
        {
          ...DEPLOYED_ENDPOINT,
          deployedModels: DEPLOYED_ENDPOINT.deployedModels!.slice(0, 1),
          trafficSplit: { '111': 100 }
        }
      ];
      return deployOperation({ kind: 'undeploy', done: true });
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
