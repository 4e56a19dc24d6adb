import { VertexModel } from '../VertexModel';
import { VertexAPIError } from '../../api/request';
import {
  CONFIGURATION_ERROR,
  FakeAPI,
  LOCAL_STATUS,
  makeEndpoint,
  makeModel
} from '../../__tests__/fakes';

describe('VertexModel', () => {
  let api: FakeAPI;
  let model: VertexModel;

  beforeEach(() => {
    api = new FakeAPI();
  });

  afterEach(() => {
    model?.dispose();
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  describe('refresh()', () => {
    it('fetches status, models and endpoints, newest first', async () => {
      model = new VertexModel({ api, autoStart: false });
      api.models = [
        makeModel({ id: '1', createTime: '2024-01-01T00:00:00Z' }),
        makeModel({ id: '2', createTime: '2024-03-01T00:00:00Z' })
      ];
      api.endpoints = [makeEndpoint()];
      const changed = jest.fn();
      model.stateChanged.connect(changed);

      expect(model.models.items).toBeNull();
      await model.refresh();

      expect(model.status).toEqual(LOCAL_STATUS);
      expect(model.statusError).toBeNull();
      expect(model.models.items?.map(m => m.id)).toEqual(['2', '1']);
      expect(model.models.loading).toBe(false);
      expect(model.models.updated).toBeInstanceOf(Date);
      expect(model.endpoints.items).toHaveLength(1);
      expect(changed).toHaveBeenCalled();
    });

    it('keeps the failure of /status with its message and hint', async () => {
      model = new VertexModel({ api, autoStart: false });
      api.statusAnswer = CONFIGURATION_ERROR;
      api.listError = CONFIGURATION_ERROR;
      await expect(model.refresh()).resolves.toBeUndefined();
      expect(model.status).toBeNull();
      expect(model.statusError).toBe(CONFIGURATION_ERROR);
      expect(model.models.error?.reason).toBe('CONFIGURATION');
      expect(model.endpoints.error?.hint).toContain('GOOGLE_CLOUD_PROJECT');
    });

    it('keeps the last items when a later fetch fails, and clears the error when it works again', async () => {
      model = new VertexModel({ api, autoStart: false });
      api.models = [makeModel()];
      await model.refresh();
      api.listError = new VertexAPIError({
        message: 'Vertex is unavailable.',
        reason: 'UNAVAILABLE',
        status: 503
      });
      await model.refreshModels();
      expect(model.models.items).toHaveLength(1);
      expect(model.models.error?.reason).toBe('UNAVAILABLE');
      api.listError = null;
      await model.refreshModels();
      expect(model.models.error).toBeNull();
    });

    it('does not send a second request while one is under way', async () => {
      model = new VertexModel({ api, autoStart: false });
      await Promise.all([
        model.refresh(),
        model.refresh(),
        model.refreshModels()
      ]);
      expect(api.status).toHaveBeenCalledTimes(1);
      expect(api.listModels).toHaveBeenCalledTimes(1);
    });

    it('reuses the items array when nothing changed', async () => {
      model = new VertexModel({ api, autoStart: false });
      api.models = [makeModel()];
      await model.refresh();
      const first = model.models.items;
      await model.refresh();
      expect(model.models.items).toBe(first);
    });

    it('follows pages up to maxItems', async () => {
      model = new VertexModel({ api, autoStart: false, maxItems: 3 });
      api.listModels.mockImplementation(async () => ({
        models: [makeModel({ id: String(Math.random()) })],
        nextPageToken: 'more'
      }));
      await model.refresh();
      expect(api.listModels).toHaveBeenCalledTimes(3);
      expect(api.listModels).toHaveBeenCalledWith({
        pageSize: 3,
        pageToken: 'more'
      });
      expect(model.models.items).toHaveLength(3);
      expect(model.models.truncated).toBe(true);
    });
  });

  describe('polling', () => {
    beforeEach(() => {
      jest.useFakeTimers();
    });

    it('stands by while the panel is hidden and polls while it is shown', async () => {
      model = new VertexModel({ api, pollInterval: 5 });
      await jest.advanceTimersByTimeAsync(30_000);
      expect(api.status).not.toHaveBeenCalled();

      model.active = true; // shown: fetch at once
      await jest.advanceTimersByTimeAsync(0);
      expect(api.status).toHaveBeenCalledTimes(1);

      await jest.advanceTimersByTimeAsync(5_000);
      expect(api.status).toHaveBeenCalledTimes(2);
      await jest.advanceTimersByTimeAsync(5_000);
      expect(api.status).toHaveBeenCalledTimes(3);

      model.active = false; // hidden: paused
      await jest.advanceTimersByTimeAsync(60_000);
      expect(api.status).toHaveBeenCalledTimes(3);

      model.active = true;
      await jest.advanceTimersByTimeAsync(0);
      expect(api.status).toHaveBeenCalledTimes(4);
    });

    it('backs off on errors (×2, capped) and returns to the interval once it works', async () => {
      api.statusAnswer = CONFIGURATION_ERROR;
      model = new VertexModel({ api, pollInterval: 5 });
      model.active = true;
      await jest.advanceTimersByTimeAsync(0);
      expect(api.status).toHaveBeenCalledTimes(1);
      expect(model.failures).toBe(1);
      expect(model.poll.state.interval).toBe(10_000);

      await jest.advanceTimersByTimeAsync(9_999);
      expect(api.status).toHaveBeenCalledTimes(1); // backing off
      await jest.advanceTimersByTimeAsync(1);
      expect(api.status).toHaveBeenCalledTimes(2);
      expect(model.poll.state.interval).toBe(20_000);

      await jest.advanceTimersByTimeAsync(20_000);
      await jest.advanceTimersByTimeAsync(40_000);
      expect(api.status).toHaveBeenCalledTimes(4);
      expect(model.poll.state.interval).toBe(60_000); // capped at 1 min

      api.statusAnswer = LOCAL_STATUS;
      await jest.advanceTimersByTimeAsync(60_000);
      expect(api.status).toHaveBeenCalledTimes(5);
      expect(model.failures).toBe(0);
      expect(model.statusError).toBeNull();
      expect(model.poll.state.interval).toBe(5_000);
      await jest.advanceTimersByTimeAsync(5_000);
      expect(api.status).toHaveBeenCalledTimes(6);
    });

    it('does not retry at once when shown while failing', async () => {
      api.statusAnswer = CONFIGURATION_ERROR;
      model = new VertexModel({ api, pollInterval: 5 });
      model.active = true;
      await jest.advanceTimersByTimeAsync(0);
      model.active = false;
      model.active = true; // shown again: one immediate fetch, then back-off
      await jest.advanceTimersByTimeAsync(0);
      expect(api.status).toHaveBeenCalledTimes(2);
      await jest.advanceTimersByTimeAsync(19_999);
      expect(api.status).toHaveBeenCalledTimes(2);
    });

    it('leaves the back-off after a manual refresh that works', async () => {
      api.statusAnswer = CONFIGURATION_ERROR;
      model = new VertexModel({ api, pollInterval: 5 });
      model.active = true;
      await jest.advanceTimersByTimeAsync(0);
      await jest.advanceTimersByTimeAsync(10_000);
      expect(model.poll.state.interval).toBe(20_000);
      api.statusAnswer = LOCAL_STATUS;
      await model.refresh();
      expect(model.failures).toBe(0);
      expect(model.poll.state.interval).toBe(5_000);
      await jest.advanceTimersByTimeAsync(5_000);
      expect(api.status).toHaveBeenCalledTimes(4);
    });

    it('takes a new interval from the settings, at least 2 seconds', async () => {
      model = new VertexModel({ api, pollInterval: 5 });
      model.pollInterval = 20;
      expect(model.pollInterval).toBe(20);
      expect(model.poll.frequency.interval).toBe(20_000);
      model.pollInterval = 0.5;
      expect(model.pollInterval).toBe(2);
      expect(model.poll.frequency.interval).toBe(2_000);
      model.pollInterval = NaN;
      expect(model.pollInterval).toBe(VertexModel.DEFAULT_POLL_INTERVAL);
    });

    it('stops polling when disposed', async () => {
      model = new VertexModel({ api, pollInterval: 5 });
      model.active = true;
      await jest.advanceTimersByTimeAsync(0);
      model.dispose();
      await jest.advanceTimersByTimeAsync(60_000);
      expect(api.status).toHaveBeenCalledTimes(1);
      expect(model.isDisposed).toBe(true);
    });
  });
});
