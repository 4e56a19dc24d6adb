import { VertexClient } from '../client';
import { VertexAPIError } from '../request';
import {
  fakeServer,
  jsonResponse,
  makeJob,
  pathOf
} from '../../__tests__/fakes';

const BASE = '/lab-base/jupyter-vertex/api/';

describe('jobs API', () => {
  it('lists jobs with kind and state filters and paging', async () => {
    const { settings, fetch } = fakeServer(() =>
      jsonResponse({ jobs: [makeJob()], nextPageToken: null })
    );
    const client = new VertexClient({ serverSettings: settings });
    const page = await client.listJobs({
      kind: 'trainingPipeline',
      state: 'RUNNING',
      pageSize: 20,
      pageToken: 'tok'
    });
    expect(page.jobs).toHaveLength(1);
    expect(page.nextPageToken).toBeUndefined();
    const url = new URL(pathOf(fetch.mock.calls[0][0]), 'http://localhost');
    expect(url.pathname).toBe(BASE + 'jobs');
    expect(url.searchParams.get('kind')).toBe('trainingPipeline');
    expect(url.searchParams.get('state')).toBe('RUNNING');
    expect(url.searchParams.get('pageSize')).toBe('20');
    expect(url.searchParams.get('pageToken')).toBe('tok');
  });

  it('creates, gets, cancels and deletes a job, reads its logs and code', async () => {
    const { settings, fetch } = fakeServer(request => {
      if (request.method === 'DELETE') {
        return new Response(null, { status: 204 });
      }
      if (request.url.includes('/logs')) {
        return jsonResponse({ entries: [], cursor: 'c2', state: 'RUNNING' });
      }
      if (request.url.includes('/code')) {
        return jsonResponse({ language: 'python', code: 'job.run()' });
      }
      return jsonResponse(makeJob(), request.method === 'POST' ? 201 : 200);
    });
    const client = new VertexClient({ serverSettings: settings });
    await client.createJob({ path: 'train_digits.py', replicaCount: 2 });
    const post = fetch.mock.calls[0][0] as Request;
    expect(post.method).toBe('POST');
    expect(pathOf(post)).toBe(BASE + 'jobs');
    expect(await post.json()).toEqual({
      path: 'train_digits.py',
      replicaCount: 2
    });

    await client.getJob('customJob', '42');
    expect(pathOf(fetch.mock.calls[1][0])).toBe(BASE + 'jobs/customJob/42');
    await client.cancelJob('trainingPipeline', '7');
    expect(fetch.mock.calls[2][0].method).toBe('POST');
    expect(pathOf(fetch.mock.calls[2][0])).toBe(
      BASE + 'jobs/trainingPipeline/7/cancel'
    );
    await expect(client.deleteJob('customJob', '42')).resolves.toBeUndefined();
    expect(fetch.mock.calls[3][0].method).toBe('DELETE');

    const logs = await client.jobLogs('customJob', '42', {
      cursor: 'c1',
      pageSize: 100
    });
    expect(logs.cursor).toBe('c2');
    const url = new URL(pathOf(fetch.mock.calls[4][0]), 'http://localhost');
    expect(url.pathname).toBe(BASE + 'jobs/customJob/42/logs');
    expect(url.searchParams.get('cursor')).toBe('c1');
    expect(url.searchParams.get('pageSize')).toBe('100');

    await client.jobLogs('customJob', '42');
    expect(pathOf(fetch.mock.calls[5][0])).toBe(
      BASE + 'jobs/customJob/42/logs'
    );
    await expect(client.jobCode('customJob', '42')).resolves.toEqual({
      language: 'python',
      code: 'job.run()'
    });
  });

  it('re-runs a job from its commit, reads that code, opens an artifact', async () => {
    const { settings, fetch } = fakeServer(request => {
      if (request.url.includes('/code')) {
        return jsonResponse({ language: 'python', code: 'git archive' });
      }
      if (request.url.includes('artifacts/open')) {
        return jsonResponse({
          uri: 'gs://b/x.ipynb',
          path: 'vertex-artifacts/b/x.ipynb',
          kind: 'notebook',
          files: 1,
          bytes: 3
        });
      }
      return jsonResponse(makeJob({ id: '9' }), 201);
    });
    const client = new VertexClient({ serverSettings: settings });
    expect((await client.rerunJob('trainingPipeline', '7')).id).toBe('9');
    expect(fetch.mock.calls[0][0].method).toBe('POST');
    expect(pathOf(fetch.mock.calls[0][0])).toBe(
      BASE + 'jobs/trainingPipeline/7/rerun'
    );
    await expect(client.rerunJobCode('customJob', '42')).resolves.toEqual({
      language: 'python',
      code: 'git archive'
    });
    expect(pathOf(fetch.mock.calls[1][0])).toBe(
      BASE + 'jobs/customJob/42/rerun/code'
    );
    const copy = await client.openArtifact('gs://b/x.ipynb');
    expect(copy.path).toBe('vertex-artifacts/b/x.ipynb');
    const post = fetch.mock.calls[2][0] as Request;
    expect(post.method).toBe('POST');
    expect(pathOf(post)).toBe(BASE + 'artifacts/open');
    expect(await post.json()).toEqual({ uri: 'gs://b/x.ipynb' });
  });

  it("rejects with the server's message and hint", async () => {
    const { settings } = fakeServer(() =>
      jsonResponse(
        {
          message: "Field 'path': no such file.",
          reason: 'NOT_FOUND',
          hint: 'Pick a file in the file browser.'
        },
        404
      )
    );
    const client = new VertexClient({ serverSettings: settings });
    const error = await client
      .createJob({ path: 'missing.py' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VertexAPIError);
    expect((error as VertexAPIError).message).toBe(
      "Field 'path': no such file."
    );
    expect((error as VertexAPIError).hint).toBe(
      'Pick a file in the file browser.'
    );
  });
});
