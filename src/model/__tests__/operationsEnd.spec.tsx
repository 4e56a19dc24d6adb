import { Notification } from '@jupyterlab/apputils';
import { VertexAPIError } from '../../api/request';
import { OperationTracker } from '../operations';
import { FakeAPI, trans } from '../../__tests__/fakes';
import {
  deployOperation,
  mockedEmit,
  mockedUpdate,
  resetServingMocks
} from '../../__tests__/serving';

jest.mock('@jupyterlab/apputils', () =>
  jest.requireActual('../../__tests__/apputils').withNotifications()
);

afterEach(resetServingMocks);

/**
 * Every notification of an operation ends, within one poll of the
 * operation's end, however it ends.
 */
describe('OperationTracker: every notification ends', () => {
  const undeploy = (overrides = {}) =>
    deployOperation({ kind: 'undeploy', ...overrides });

  it('an operation answered done gets its final notification only, never "in progress"', async () => {
    const api = new FakeAPI();
    const tracker = new OperationTracker({ api, trans });
    await tracker.track(undeploy({ done: true }), {
      label: 'Undeploying "digits" from "digits-endpoint"',
      successMessage: '"digits" is undeployed from "digits-endpoint".'
    });
    expect(mockedEmit.mock.calls).toEqual([
      [
        '"digits" is undeployed from "digits-endpoint".',
        'success',
        { autoClose: 8000, actions: [] }
      ]
    ]);
    expect(mockedUpdate).not.toHaveBeenCalled();
    expect(api.getOperation).not.toHaveBeenCalled();
    tracker.dispose();
  });

  it('ends at the first poll that finds the operation done', async () => {
    jest.useFakeTimers();
    const api = new FakeAPI();
    api.getOperation.mockResolvedValue(undeploy({ done: true }));
    const tracker = new OperationTracker({ api, trans });
    const done = tracker.track(undeploy(), { label: 'Undeploying "digits"' });
    expect(mockedEmit).toHaveBeenCalledWith(
      'Undeploying "digits"…',
      'in-progress',
      { autoClose: false }
    );
    await jest.advanceTimersByTimeAsync(1000);
    await done;
    expect(api.getOperation).toHaveBeenCalledTimes(1);
    expect(mockedUpdate.mock.calls).toEqual([
      [
        {
          id: 'n1',
          message: 'Undeploying "digits": done.',
          type: 'success',
          autoClose: 8000,
          actions: []
        }
      ]
    ]);
    tracker.dispose();
  });

  it('an operation the server no longer knows (404) ends as already done, at that poll', async () => {
    const api = new FakeAPI();
    api.getOperation.mockRejectedValue(
      new VertexAPIError({
        message: 'Operation not found.',
        reason: 'NOT_FOUND',
        status: 404
      })
    );
    const tracker = new OperationTracker({
      api,
      trans,
      delays: { initial: 1 }
    });
    const ended = jest.fn();
    tracker.ended.connect(ended);
    const finished = await tracker.track(undeploy(), {
      label: 'Undeploying "digits"'
    });
    expect(finished.done).toBe(true);
    expect(api.getOperation).toHaveBeenCalledTimes(1);
    expect(ended).toHaveBeenCalledTimes(1);
    expect(tracker.operations).toHaveLength(0);
    expect(mockedUpdate).toHaveBeenCalledWith(
      expect.objectContaining({
        id: 'n1',
        type: 'info',
        message:
          'Undeploying "digits": already done (the server no longer knows the operation).'
      })
    );
    tracker.dispose();
  });

  it('a notification dismissed meanwhile is told again once the operation ends', async () => {
    const api = new FakeAPI();
    api.getOperation.mockResolvedValue(
      undeploy({ done: true, error: { code: 9, message: 'Still serving.' } })
    );
    mockedUpdate.mockReturnValueOnce(false); // the user closed it
    const tracker = new OperationTracker({
      api,
      trans,
      delays: { initial: 1 }
    });
    await expect(
      tracker.track(undeploy(), { label: 'Undeploying "digits"' })
    ).rejects.toThrow('Still serving.');
    expect(mockedEmit).toHaveBeenLastCalledWith(
      'Undeploying "digits" failed: Still serving.',
      'error',
      { autoClose: false, actions: [] }
    );
    tracker.dispose();
  });

  it('disposing the tracker dismisses the notifications it no longer follows', () => {
    const api = new FakeAPI();
    api.getOperation.mockResolvedValue(undeploy());
    const dismiss = jest.spyOn(Notification, 'dismiss');
    const tracker = new OperationTracker({ api, trans });
    void tracker.track(undeploy(), { label: 'Undeploying "digits"' });
    tracker.dispose();
    expect(dismiss).toHaveBeenCalledWith('n1');
    dismiss.mockRestore();
  });
});
