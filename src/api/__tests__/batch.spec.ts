import { VertexClient } from '../client';
import {
  fakeServer,
  jsonResponse,
  makeBatchJob,
  pathOf
} from '../../__tests__/fakes';

const BASE = '/lab-base/jupyter-vertex/api/';

describe('VertexClient batch prediction routes', () => {
  it('calls each route with its method, path and body', async () => {
    const { settings, fetch } = fakeServer(request =>
      request.method === 'DELETE'
        ? new Response(null, { status: 204 })
        : jsonResponse({ job: makeBatchJob(), code: 'c' })
    );
    const client = new VertexClient({ serverSettings: settings });
    const body = { input: 'rows.csv', instancesFormat: 'csv' as const };
    await client.createBatchJob('123@2', body);
    await client.batchJobCode('123@2', body);
    await client.listBatchJobs({ state: 'RUNNING', pageSize: 5 });
    await client.getBatchJob('777');
    await client.cancelBatchJob('777');
    await client.deleteBatchJob('777');
    await client.batchJobResults('777', 10);
    const calls = fetch.mock.calls.map(([request]: [Request]) => [
      request.method,
      pathOf(request).replace(BASE, '')
    ]);
    expect(calls).toEqual([
      ['POST', 'models/123@2/batchPredictionJobs'],
      ['POST', 'models/123@2/batchPredictionJobs/code'],
      ['GET', 'batchPredictionJobs?state=RUNNING&pageSize=5'],
      ['GET', 'batchPredictionJobs/777'],
      ['POST', 'batchPredictionJobs/777/cancel'],
      ['DELETE', 'batchPredictionJobs/777'],
      ['GET', 'batchPredictionJobs/777/results?rows=10']
    ]);
    expect(await fetch.mock.calls[0][0].json()).toEqual(body);
  });

  it('treats a list answer without jobs as empty', async () => {
    const { settings } = fakeServer(() => jsonResponse({}));
    const client = new VertexClient({ serverSettings: settings });
    await expect(client.listBatchJobs()).resolves.toEqual({
      batchPredictionJobs: [],
      nextPageToken: undefined
    });
  });
});
