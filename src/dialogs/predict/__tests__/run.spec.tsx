import { nullTranslator } from '@jupyterlab/translation';
import { waitFor } from '@testing-library/react';
import { PredictionRun } from '../run';
import { IBulkPrediction } from '../../../api/types';
import { FakeAPI } from '../../../__tests__/fakes';

jest.mock('@jupyterlab/apputils', () => ({
  ...jest.requireActual('@jupyterlab/apputils'),
  showErrorMessage: jest.fn(async () => undefined)
}));

const trans = nullTranslator.load('jupyter_vertex');

describe('PredictionRun', () => {
  it('predicts online when the body fits in one request', async () => {
    const api = new FakeAPI();
    api.predict.mockResolvedValueOnce({
      predictions: [0, 1, 2],
      deployedModelId: '900',
      model: 'm',
      modelDisplayName: 'digits',
      modelVersionId: '1'
    });
    const run = new PredictionRun({
      api,
      endpointId: '77',
      instances: [[0], [1], [2]],
      trans
    });
    expect(run.mode).toBe('online');
    await run.start();
    expect(api.predict).toHaveBeenCalledWith('77', {
      instances: [[0], [1], [2]]
    });
    expect(run.state).toBe('succeeded');
    expect(run.predictions).toEqual([0, 1, 2]);
    expect(run.deployedModelIds).toEqual(['900']);
  });

  function bulk(overrides: Partial<IBulkPrediction>): IBulkPrediction {
    return {
      id: 'b1',
      endpointId: '77',
      state: 'RUNNING',
      total: 4,
      done: 0,
      requests: 2,
      requestsDone: 0,
      error: null,
      createTime: '2024-05-01T11:00:00Z',
      endTime: null,
      deployedModelIds: ['900'],
      predictions: null,
      ...overrides
    };
  }

  it('runs bulk above the limit, reporting progress until it ends', async () => {
    const api = new FakeAPI();
    api.createBulkPrediction.mockResolvedValueOnce(bulk({}));
    api.getBulkPrediction
      .mockResolvedValueOnce(bulk({ done: 2, requestsDone: 1 }))
      .mockResolvedValueOnce(
        bulk({ state: 'SUCCEEDED', done: 4, predictions: [1, 2, 3, 4] })
      );
    const run = new PredictionRun({
      api,
      endpointId: '77',
      instances: [[1], [2], [3], [4]],
      trans,
      onlineMaxBytes: 10,
      pollMs: 1
    });
    expect(run.mode).toBe('bulk');
    const seen: number[] = [];
    run.changed.connect(() => seen.push(run.progress.done));
    await run.start();
    expect(api.createBulkPrediction).toHaveBeenCalledWith('77', {
      instances: [[1], [2], [3], [4]]
    });
    expect(seen).toEqual([0, 2, 4, 4]);
    expect(run.state).toBe('succeeded');
    expect(run.predictions).toEqual([1, 2, 3, 4]);
  });

  it('cancels a bulk prediction on the server', async () => {
    const api = new FakeAPI();
    api.createBulkPrediction.mockResolvedValueOnce(bulk({}));
    api.getBulkPrediction.mockResolvedValue(bulk({ done: 1 }));
    const run = new PredictionRun({
      api,
      endpointId: '77',
      instances: [[1], [2]],
      trans,
      mode: 'bulk',
      pollMs: 5
    });
    const done = run.start();
    await waitFor(() => expect(api.getBulkPrediction).toHaveBeenCalled());
    await run.cancel();
    await done;
    expect(api.deleteBulkPrediction).toHaveBeenCalledWith('b1');
    expect(run.state).toBe('cancelled');
  });

  it('keeps the failure of a bulk prediction', async () => {
    const api = new FakeAPI();
    api.createBulkPrediction.mockResolvedValueOnce(
      bulk({
        state: 'FAILED',
        error: {
          message: 'Request 2 of 2 failed: bad input',
          reason: 'INVALID_ARGUMENT'
        }
      })
    );
    const run = new PredictionRun({
      api,
      endpointId: '77',
      instances: [[1]],
      trans,
      mode: 'bulk'
    });
    await run.start();
    expect(run.state).toBe('failed');
    expect(run.error?.message).toBe('Request 2 of 2 failed: bad input');
    expect(run.error?.reason).toBe('INVALID_ARGUMENT');
  });
});
