import { VertexClient } from '../client';
import { listAll } from '../paging';
import { VertexAPIError } from '../request';
import {
  fakeServer,
  jsonResponse,
  LOCAL_STATUS,
  makeModel,
  pathOf
} from '../../__tests__/fakes';

const BASE = '/lab-base/jupyter-vertex/api/';

describe('VertexClient', () => {
  it('gets the status', async () => {
    const { settings, fetch } = fakeServer(() => jsonResponse(LOCAL_STATUS));
    const client = new VertexClient({ serverSettings: settings });
    await expect(client.status()).resolves.toEqual(LOCAL_STATUS);
    expect(pathOf(fetch.mock.calls[0][0])).toBe(BASE + 'status');
  });

  it('lists models with the contract query parameters', async () => {
    const { settings, fetch } = fakeServer(() =>
      jsonResponse({ models: [makeModel()], nextPageToken: 'next' })
    );
    const client = new VertexClient({ serverSettings: settings });
    const page = await client.listModels({
      pageSize: 50,
      pageToken: 'abc',
      filter: 'display_name="digits"'
    });
    expect(page.models).toHaveLength(1);
    expect(page.nextPageToken).toBe('next');
    const url = new URL(pathOf(fetch.mock.calls[0][0]), 'http://localhost');
    expect(url.pathname).toBe('/lab-base/jupyter-vertex/api/models');
    expect(url.searchParams.get('pageSize')).toBe('50');
    expect(url.searchParams.get('pageToken')).toBe('abc');
    expect(url.searchParams.get('filter')).toBe('display_name="digits"');
    expect(url.searchParams.has('orderBy')).toBe(false);
  });

  it('treats a list answer without items as empty', async () => {
    const { settings } = fakeServer(() => jsonResponse({}));
    const client = new VertexClient({ serverSettings: settings });
    await expect(client.listModels()).resolves.toEqual({
      models: [],
      nextPageToken: undefined
    });
    await expect(client.listEndpoints()).resolves.toEqual({
      endpoints: [],
      nextPageToken: undefined
    });
  });

  it('addresses a model version as 123@2', async () => {
    const { settings, fetch } = fakeServer(() => jsonResponse(makeModel()));
    const client = new VertexClient({ serverSettings: settings });
    await client.getModel('123@2');
    expect(pathOf(fetch.mock.calls[0][0])).toBe(BASE + 'models/123@2');
    await client.listModelVersions('123', { pageSize: 10 });
    expect(pathOf(fetch.mock.calls[1][0])).toBe(
      BASE + 'models/123/versions?pageSize=10'
    );
  });

  it('creates, patches and deletes endpoints', async () => {
    const { settings, fetch } = fakeServer(request =>
      request.method === 'DELETE'
        ? new Response(null, { status: 204 })
        : jsonResponse({ id: '1', displayName: 'e' }, 201)
    );
    const client = new VertexClient({ serverSettings: settings });
    await client.createEndpoint({ displayName: 'e' });
    let request: Request = fetch.mock.calls[0][0];
    expect(request.method).toBe('POST');
    expect(pathOf(request)).toBe(BASE + 'endpoints');
    expect(await request.json()).toEqual({ displayName: 'e' });

    await client.updateEndpoint('1', { description: 'd' });
    request = fetch.mock.calls[1][0];
    expect(request.method).toBe('PATCH');
    expect(pathOf(request)).toBe(BASE + 'endpoints/1');

    await expect(client.deleteEndpoint('1')).resolves.toBeUndefined();
    expect(fetch.mock.calls[2][0].method).toBe('DELETE');
  });

  it('rejects with the server error', async () => {
    const { settings } = fakeServer(() =>
      jsonResponse(
        { message: 'Endpoint 7 not found.', reason: 'NOT_FOUND', hint: '' },
        404
      )
    );
    const client = new VertexClient({ serverSettings: settings });
    const error = await client.getEndpoint('7').catch(e => e);
    expect(error).toBeInstanceOf(VertexAPIError);
    expect(error.message).toBe('Endpoint 7 not found.');
  });
});

describe('listAll', () => {
  it('follows page tokens', async () => {
    const pages: Record<string, { items: number[]; nextPageToken?: string }> = {
      first: { items: [1, 2], nextPageToken: 'b' },
      b: { items: [3, 4], nextPageToken: 'c' },
      c: { items: [5] }
    };
    const fetchPage = jest.fn(
      async (token?: string) => pages[token ?? 'first']
    );
    await expect(listAll(fetchPage, 100)).resolves.toEqual({
      items: [1, 2, 3, 4, 5],
      truncated: false
    });
    expect(fetchPage).toHaveBeenCalledTimes(3);
  });

  it('stops at maxItems and says so', async () => {
    const fetchPage = jest.fn(async (token?: string) => ({
      items: [1, 2, 3],
      nextPageToken: 'more'
    }));
    await expect(listAll(fetchPage, 5)).resolves.toEqual({
      items: [1, 2, 3, 1, 2],
      truncated: true
    });
    expect(fetchPage).toHaveBeenCalledTimes(2);
  });
});
