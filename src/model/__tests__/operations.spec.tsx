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

describe('OperationTracker', () => {
  it('polls with backoff until done, then notifies success and tells who listens', async () => {
    jest.useFakeTimers();
    const api = new FakeAPI();
    const pending = deployOperation();
    const answers = [pending, pending, pending, pending, pending];
    api.getOperation.mockImplementation(async () => {
      return (
        answers.shift() ??
        deployOperation({ done: true, result: { deployedModelId: '7' } })
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

    // 0.25 s, 0.5 s, 1 s, 2 s, 4 s, then at most 5 s between polls.
    const calls = () => api.getOperation.mock.calls.length;
    await jest.advanceTimersByTimeAsync(249);
    expect(calls()).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(calls()).toBe(1);
    await jest.advanceTimersByTimeAsync(500);
    expect(calls()).toBe(2);
    await jest.advanceTimersByTimeAsync(1000);
    expect(calls()).toBe(3);
    await jest.advanceTimersByTimeAsync(2000);
    expect(calls()).toBe(4);
    await jest.advanceTimersByTimeAsync(3999);
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
      deployOperation({
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
      tracker.track(deployOperation(), { label: 'Deploying "digits"' })
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
      .mockResolvedValue(deployOperation({ done: true }));
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
    await tracker.track(deployOperation(), { label: 'Undeploying' });
    expect(errors).toEqual(['The embedded Vertex is restarting.']);
    expect(api.getOperation).toHaveBeenCalledTimes(2);
    tracker.dispose();
  });
});
