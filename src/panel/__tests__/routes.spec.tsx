import { fireEvent, render, screen, within } from '@testing-library/react';
import * as React from 'react';
import { VertexAPIError } from '../../api/request';
import { FakeAPI, makeModel, trans } from '../../__tests__/fakes';
import { MACHINES, resetServingMocks } from '../../__tests__/serving';

jest.mock('@jupyterlab/apputils', () =>
  jest.requireActual('../../__tests__/apputils').withNotifications()
);

afterEach(resetServingMocks);

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
