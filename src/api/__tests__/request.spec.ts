import { ClientReasons, requestAPI, VertexAPIError } from '../request';
import { fakeServer, jsonResponse, pathOf } from '../../__tests__/fakes';

/**
 * The error a promise rejected with, typed for the assertions.
 */
async function rejection(promise: Promise<unknown>): Promise<VertexAPIError> {
  try {
    await promise;
  } catch (error) {
    return error as VertexAPIError;
  }
  throw new Error('The request did not fail.');
}

describe('requestAPI', () => {
  it('calls /jupyter-vertex/api/<path> below the base URL and decodes JSON', async () => {
    const { settings, fetch } = fakeServer(() =>
      jsonResponse({ backend: 'local' })
    );
    const answer = await requestAPI<{ backend: string }>(
      'status',
      {},
      {
        serverSettings: settings
      }
    );
    expect(answer).toEqual({ backend: 'local' });
    const request: Request = fetch.mock.calls[0][0];
    expect(pathOf(request)).toBe('/lab-base/jupyter-vertex/api/status');
    expect(request.url).toMatch(/^http:\/\/localhost:8899\//);
    expect(request.method).toBe('GET');
  });

  it('turns the error JSON {message, reason, hint} into a VertexAPIError', async () => {
    const { settings } = fakeServer(() =>
      jsonResponse(
        {
          message: 'No Google Cloud project is set.',
          reason: 'CONFIGURATION',
          hint: 'Set c.VertexApp.project.'
        },
        503
      )
    );
    const error = await rejection(
      requestAPI(
        'status',
        {},
        {
          serverSettings: settings
        }
      )
    );
    expect(error).toBeInstanceOf(VertexAPIError);
    expect(error).toMatchObject({
      message: 'No Google Cloud project is set.',
      reason: 'CONFIGURATION',
      hint: 'Set c.VertexApp.project.',
      status: 503
    });
  });

  it('keeps the server message and infers the reason from the status when it is missing', async () => {
    const { settings } = fakeServer(() =>
      jsonResponse({ message: 'Model 9 not found.' }, 404)
    );
    const error = await rejection(
      requestAPI(
        'models/9',
        {},
        {
          serverSettings: settings
        }
      )
    );
    expect(error).toMatchObject({
      message: 'Model 9 not found.',
      reason: 'NOT_FOUND',
      hint: null,
      status: 404
    });
  });

  it('explains a 404 that is not the API (server extension missing)', async () => {
    const { settings } = fakeServer(
      () =>
        new Response('<html>404: Not Found</html>', {
          status: 404,
          statusText: 'Not Found'
        })
    );
    const error = await rejection(
      requestAPI(
        'status',
        {},
        {
          serverSettings: settings
        }
      )
    );
    expect(error).toBeInstanceOf(VertexAPIError);
    expect(error.reason).toBe('NOT_FOUND');
    expect(error.message).toBe('The server answered 404 Not Found.');
    expect(error.hint).toContain('jupyter server extension list');
  });

  it('maps 5xx without JSON to INTERNAL', async () => {
    const { settings } = fakeServer(
      () => new Response('oops', { status: 500, statusText: 'Server Error' })
    );
    const error = await rejection(
      requestAPI(
        'status',
        {},
        {
          serverSettings: settings
        }
      )
    );
    expect(error).toMatchObject({ reason: 'INTERNAL', status: 500 });
  });

  it('returns undefined for 204 No Content', async () => {
    const { settings } = fakeServer(() => new Response(null, { status: 204 }));
    const answer = await requestAPI(
      'endpoints/1',
      { method: 'DELETE' },
      {
        serverSettings: settings
      }
    );
    expect(answer).toBeUndefined();
  });

  it('reports a server that cannot be reached as NETWORK_ERROR', async () => {
    const { settings } = fakeServer(() => {
      throw new TypeError('Failed to fetch');
    });
    const error = await rejection(
      requestAPI(
        'status',
        {},
        {
          serverSettings: settings
        }
      )
    );
    expect(error).toBeInstanceOf(VertexAPIError);
    expect(error.reason).toBe(ClientReasons.network);
    expect(error.status).toBe(0);
    expect(error.hint).toContain('Failed to fetch');
  });

  it('reports a 200 that is not JSON as INVALID_RESPONSE', async () => {
    const { settings } = fakeServer(
      () => new Response('<html>login</html>', { status: 200 })
    );
    const error = await rejection(
      requestAPI(
        'status',
        {},
        {
          serverSettings: settings
        }
      )
    );
    expect(error.reason).toBe(ClientReasons.invalidResponse);
  });

  it('lets an abort through untouched', async () => {
    const controller = new AbortController();
    const { settings } = fakeServer(() => {
      throw new DOMException('aborted', 'AbortError');
    });
    controller.abort();
    const error = await rejection(
      requestAPI(
        'status',
        { signal: controller.signal },
        {
          serverSettings: settings
        }
      )
    );
    expect(error).not.toBeInstanceOf(VertexAPIError);
  });
});

describe('VertexAPIError.from', () => {
  it('wraps anything thrown', () => {
    const error = VertexAPIError.from(new Error('boom'));
    expect(error).toBeInstanceOf(VertexAPIError);
    expect(error.message).toBe('boom');
    expect(error.reason).toBe('UNKNOWN');
    const same = new VertexAPIError({ message: 'x', reason: 'NOT_FOUND' });
    expect(VertexAPIError.from(same)).toBe(same);
    expect(VertexAPIError.isInstance(same)).toBe(true);
  });
});
