import { nullTranslator } from '@jupyterlab/translation';
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
import { FakeAPI, makeModel, trans } from '../../__tests__/fakes';
import {
  DEPLOYED_ENDPOINT,
  MACHINES,
  resetServingMocks
} from '../../__tests__/serving';

jest.mock('@jupyterlab/apputils', () =>
  jest.requireActual('../../__tests__/apputils').withNotifications()
);

afterEach(resetServingMocks);

describe('Panel routes', () => {
  it('opens a model, follows its link to the endpoint, and comes back the same way', async () => {
    const { VertexPanel } = await import('../../panel/Panel');
    const { VertexModel } = await import('../../model/VertexModel');
    const { Widget } = await import('@lumino/widgets');
    const api = new FakeAPI();
    api.models = [
      makeModel({
        deployedModels: [
          {
            endpoint: 'projects/123/locations/us-central1/endpoints/5678',
            deployedModelId: '111'
          }
        ]
      })
    ];
    api.endpoints = [DEPLOYED_ENDPOINT];
    api.getModel.mockImplementation(async () => api.models[0]);
    (api.listModelVersions as jest.Mock).mockResolvedValue({
      models: api.models
    });
    const model = new VertexModel({ api, autoStart: false });
    const panel = new VertexPanel({
      model,
      translator: nullTranslator,
      api,
      loadMachines: async () => MACHINES
    });
    act(() => {
      Widget.attach(panel, document.body);
    });
    await act(async () => {
      await model.refresh();
    });
    const row = await waitFor(() => {
      const found = panel.node.querySelector<HTMLElement>(
        '.jp-Vertex-ModelRow[data-model-id="1234"]'
      );
      expect(found).not.toBeNull();
      return found!;
    });
    // The row says where the model is deployed.
    expect(row.textContent).toContain('on digits-endpoint');
    fireEvent.keyDown(row, { key: 'Enter' });
    expect(panel.route).toEqual({ kind: 'model', id: '1234' });
    const link = await screen.findByRole('button', {
      name: 'Open endpoint digits-endpoint'
    });
    fireEvent.click(link);
    expect(panel.route).toEqual({ kind: 'endpoint', id: '5678' });
    await screen.findByRole('region', { name: 'Deployed models and traffic' });

    // Back: the model again, then the lists with the model's row focused.
    fireEvent.click(screen.getByRole('button', { name: 'Back to the list' }));
    expect(panel.route).toEqual({ kind: 'model', id: '1234' });
    fireEvent.keyDown(
      screen.getByRole('button', { name: 'Back to the list' }),
      { key: 'Escape' }
    );
    expect(panel.route).toBeNull();
    await waitFor(() =>
      expect(document.activeElement?.getAttribute('data-model-id')).toBe('1234')
    );
    act(() => {
      Widget.detach(panel);
    });
    panel.dispose();
    model.dispose();
  });
});

describe('Windowed model and endpoint lists', () => {
  it('render only the rows in view of 10,000 models, and scroll to the others', async () => {
    const { VertexPanelView } = await import('../../panel/Panel');
    const { VertexModel } = await import('../../model/VertexModel');
    const api = new FakeAPI();
    api.models = Array.from({ length: 10_000 }, (_, i) =>
      makeModel({
        id: String(i),
        displayName: `model-${i}`,
        // Newest first: model-0 is the newest.
        createTime: new Date(Date.UTC(2024, 0, 1) - i * 1000).toISOString()
      })
    );
    const model = new VertexModel({
      api,
      autoStart: false,
      maxItems: 10_000
    });
    await model.refresh();
    render(<VertexPanelView model={model} trans={trans} />);
    const region = screen.getByRole('region', { name: 'Models' });
    const ids = () =>
      within(region)
        .getAllByRole('listitem')
        .map(row => row.getAttribute('data-model-id'));
    // 12 rows in view and 4 more below.
    expect(ids()).toEqual(Array.from({ length: 16 }, (_, i) => String(i)));
    const scroller = region.querySelector('.jp-Vertex-VirtualList')!;
    fireEvent.scroll(scroller, { target: { scrollTop: 5000 * 52 } });
    expect(ids()[0]).toBe('4996');
    expect(ids()).toContain('5000');
    expect(ids().length).toBeLessThanOrEqual(20);
    model.dispose();
  });
});

describe('machineLoader', () => {
  it('fetches the machine table once, and again after a failure', async () => {
    const { machineLoader } = await import('../../panel/Panel');
    const trainingOptions = jest
      .fn()
      .mockRejectedValueOnce(
        new VertexAPIError({
          message: 'The embedded Vertex is starting.',
          reason: 'UNAVAILABLE',
          status: 503
        })
      )
      .mockResolvedValue({ machineTypes: MACHINES });
    const load = machineLoader({ trainingOptions });
    await expect(load()).rejects.toThrow('The embedded Vertex is starting.');
    expect(await load()).toEqual(MACHINES);
    expect(await load()).toEqual(MACHINES);
    expect(trainingOptions).toHaveBeenCalledTimes(2);
  });
});
