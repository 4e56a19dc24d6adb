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
import {
  chartConfig,
  formatNumber,
  formatTime,
  formatValue,
  hasData,
  latestPoint,
  readChartColors,
  seriesColor,
  timeTicks
} from '../../components/charts';
import { IChart, IEndpointMetrics } from '../../api/types';
import { EndpointMetrics } from '../EndpointMetrics';
import { FakeAPI, makeEndpoint } from '../../__tests__/fakes';

// jsdom has no canvas: record what would be drawn instead.
const drawn: Array<{ canvas: HTMLCanvasElement; config: any }> = [];
const destroyed: any[] = [];
// Chart.js comes from ../../components/chartjs, loaded on first use.
jest.mock('../../components/chartjs', () => {
  class FakeChart {
    constructor(canvas: HTMLCanvasElement, config: any) {
      this.config = config;
      drawn.push({ canvas, config });
    }
    config: any;
    destroy() {
      destroyed.push(this);
    }
  }
  return { Chart: FakeChart };
});

const trans = nullTranslator.load('jupyter_vertex');
const T0 = Date.UTC(2024, 4, 1, 10, 0, 0);
const MINUTE = 60_000;

function points(values: Array<number | null>): Array<[number, number | null]> {
  return values.map((value, i) => [T0 + i * MINUTE, value]);
}

function makeMetrics(traffic: boolean): IEndpointMetrics {
  const v = (values: Array<number | null>) =>
    traffic ? values : values.map(() => null);
  const charts: IChart[] = [
    {
      id: 'predictions',
      title: 'Predictions/s',
      unit: 'predictions/s',
      series: [{ label: 'digits-1', points: points(v([null, 0.05, 0.1])) }]
    },
    {
      id: 'requests',
      title: 'Requests/s',
      unit: 'requests/s',
      series: [{ label: 'requests', points: points(v([null, 0.0333, 0.05])) }]
    },
    {
      id: 'errors',
      title: 'Errors',
      unit: '%',
      series: [{ label: 'errors', points: points(v([null, 0, 12.5])) }]
    },
    {
      id: 'latencyTotal',
      title: 'Latency (total)',
      unit: 'ms',
      series: ['p50', 'p95', 'p99'].map((label, i) => ({
        label,
        points: points(v([null, 2 + i, 3.25 + i]))
      }))
    },
    {
      id: 'latencyModel',
      title: 'Latency (model)',
      unit: 'ms',
      series: ['p50', 'p95', 'p99'].map((label, i) => ({
        label,
        points: points(v([null, 1 + i, 1.5 + i]))
      }))
    },
    {
      id: 'responseCodes',
      title: 'Response codes',
      unit: 'requests/s',
      series: [
        { label: '200', points: points(v([null, 0.0333, 0.0417])) },
        { label: '400', points: points(v([null, null, 0.00833])) }
      ]
    },
    {
      id: 'replicas',
      title: 'Replicas',
      unit: 'replicas',
      series: [{ label: 'digits-1', points: points([1, 1, 1]) }]
    }
  ];
  return {
    endpointId: '5678',
    window: '1h',
    startTime: new Date(T0 - 57 * MINUTE).toISOString(),
    endTime: new Date(T0 + 3 * MINUTE).toISOString(),
    alignmentSeconds: 60,
    charts
  };
}

describe('chart helpers', () => {
  it('formats numbers and units for people', () => {
    expect(formatNumber(0.033333)).toBe('0.0333');
    expect(formatNumber(12.5)).toBe('12.5');
    expect(formatNumber(123456.7)).toBe('123,457');
    expect(formatNumber(0)).toBe('0');
    expect(formatValue(12.5, '%')).toBe('12.5%');
    expect(formatValue(3.25, 'ms')).toBe('3.25 ms');
    expect(formatValue(2, 'count')).toBe('2');
    expect(formatValue(null, 'ms')).toBe('–');
  });

  it('finds the latest value and whether there is traffic', () => {
    const series = { label: 'a', points: points([1, 2, null]) };
    expect(latestPoint(series)).toEqual([T0 + MINUTE, 2]);
    expect(latestPoint({ label: 'b', points: points([null]) })).toBeNull();
    const metrics = makeMetrics(false);
    expect(hasData(metrics.charts[0])).toBe(false);
    expect(hasData(makeMetrics(true).charts[0])).toBe(true);
  });

  it('colours series by meaning, then by the palette', () => {
    const colors = readChartColors();
    colors.series = ['c0', 'c1', 'c2'];
    colors.success = 'ok';
    colors.warn = 'warn';
    colors.error = 'bad';
    expect(seriesColor('responseCodes', '200', 0, colors)).toBe('ok');
    expect(seriesColor('responseCodes', '404', 1, colors)).toBe('warn');
    expect(seriesColor('responseCodes', '503', 2, colors)).toBe('bad');
    expect(seriesColor('errors', 'errors', 0, colors)).toBe('bad');
    expect(seriesColor('latencyTotal', 'p99', 2, colors)).toBe('c2');
    expect(seriesColor('predictions', 'x', 4, colors)).toBe('c1');
  });

  it('puts time ticks on round local times', () => {
    const start = new Date(2024, 4, 1, 9, 3, 20).getTime();
    const end = new Date(2024, 4, 1, 10, 3, 20).getTime();
    expect(
      timeTicks(start, end, '1h').map(t => {
        const d = new Date(t);
        return `${d.getHours()}:${String(d.getMinutes()).padStart(2, '0')}`;
      })
    ).toEqual(['9:10', '9:20', '9:30', '9:40', '9:50', '10:00']);
    const week = timeTicks(
      new Date(2024, 4, 1, 9).getTime(),
      new Date(2024, 4, 8, 9).getTime(),
      '7d'
    ).map(t => new Date(t).getDate());
    expect(week).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(formatTime(new Date(2024, 4, 1, 14, 5).getTime(), '1h')).toBe(
      '14:05'
    );
  });

  it('reads the theme colours from CSS variables', () => {
    document.body.style.setProperty('--jp-ui-font-color1', '#010203');
    document.body.style.setProperty('--jp-Vertex-chart-color-0', '#0a0b0c');
    try {
      const colors = readChartColors(document.body);
      expect(colors.text).toBe('#010203');
      expect(colors.series[0]).toBe('#0a0b0c');
    } finally {
      document.body.style.removeProperty('--jp-ui-font-color1');
      document.body.style.removeProperty('--jp-Vertex-chart-color-0');
    }
  });

  it('builds a line chart on a linear time axis with the window bounds', () => {
    const metrics = makeMetrics(true);
    const colors = readChartColors();
    const config = chartConfig(metrics.charts[3], {
      window: '1h',
      startTime: 1,
      endTime: 2,
      colors
    });
    expect(config.type).toBe('line');
    expect(config.data.datasets.map(d => d.label)).toEqual([
      'p50',
      'p95',
      'p99'
    ]);
    expect(config.data.datasets[0].data[2]).toEqual({
      x: T0 + 2 * MINUTE,
      y: 3.25
    });
    const x = config.options?.scales?.x as any;
    expect([x.type, x.min, x.max]).toEqual(['linear', 1, 2]);
    expect(config.options?.plugins?.legend?.display).toBe(true);
  });
});

describe('EndpointMetrics', () => {
  beforeEach(() => {
    drawn.length = 0;
    destroyed.length = 0;
  });

  it('draws the seven charts with titles, labels and hidden tables', async () => {
    const api = new FakeAPI();
    api.metrics = makeMetrics(true);
    const view = render(
      <EndpointMetrics api={api} endpointId="5678" trans={trans} />
    );
    await waitFor(() => expect(drawn.length).toBe(7));
    expect(api.endpointMetrics).toHaveBeenCalledWith('5678', {
      window: '1h',
      deployedModelId: undefined
    });
    const titles = Array.from(
      view.container.querySelectorAll('figcaption')
    ).map(node => node.textContent);
    expect(titles).toEqual([
      'Predictions per second (predictions/s)',
      'Requests per second (requests/s)',
      'Error rate (%)',
      'Latency, total (ms)',
      'Latency, model (ms)',
      'Response codes (requests/s)',
      'Replicas'
    ]);
    const latency = view.container.querySelector(
      'figure[data-chart-id="latencyTotal"]'
    ) as HTMLElement;
    const rows = within(latency)
      .getAllByRole('row')
      .slice(1)
      .map(row =>
        Array.from(row.children)
          .slice(0, 2)
          .map(cell => cell.textContent)
      );
    expect(rows).toEqual([
      ['p50', '3.25 ms'],
      ['p95', '4.25 ms'],
      ['p99', '5.25 ms']
    ]);
    expect(
      screen.getByRole('img', { name: /^Error rate\. errors: latest 12\.5%$/ })
    ).toBeTruthy();
    const codes = drawn.find(d => d.config.data.datasets[0].label === '200');
    expect(codes?.config.data.datasets.map((d: any) => d.label)).toEqual([
      '200',
      '400'
    ]);
    view.unmount();
    expect(destroyed.length).toBe(7);
  });

  it('names deployed models by their display names', async () => {
    const api = new FakeAPI();
    api.metrics = makeMetrics(true);
    api.endpoints = [
      makeEndpoint({
        id: '5678',
        deployedModels: [
          {
            id: 'digits-1',
            model: 'projects/p/locations/l/models/1',
            displayName: 'digits v1'
          }
        ]
      })
    ];
    const view = render(
      <EndpointMetrics api={api} endpointId="5678" trans={trans} />
    );
    const header = () =>
      view.container.querySelector(
        'figure[data-chart-id="predictions"] tbody th'
      )?.textContent;
    await waitFor(() => expect(header()).toBe('digits v1'));
    expect(api.getEndpoint).toHaveBeenCalledWith('5678');
    const drawsBefore = drawn.length;
    // A new answer is drawn again (the same answer would not be).
    api.metrics = makeMetrics(true);
    fireEvent.click(screen.getByRole('button', { name: 'Refresh metrics' }));
    await waitFor(() => expect(api.endpointMetrics).toHaveBeenCalledTimes(2));
    await waitFor(() => expect(drawn.length).toBe(drawsBefore + 7));
    view.unmount();
  });

  it('says when the window has no traffic', async () => {
    const api = new FakeAPI();
    api.metrics = makeMetrics(false);
    render(<EndpointMetrics api={api} endpointId="5678" trans={trans} />);
    expect(await screen.findByText('No traffic in this window')).toBeTruthy();
    expect(drawn.length).toBe(0);
  });

  it('asks again for the window the user picks, by mouse and keyboard', async () => {
    const api = new FakeAPI();
    api.metrics = makeMetrics(true);
    render(
      <EndpointMetrics
        api={api}
        endpointId="5678"
        deployedModelId="42"
        trans={trans}
      />
    );
    await waitFor(() => expect(api.endpointMetrics).toHaveBeenCalledTimes(1));
    fireEvent.click(screen.getByRole('radio', { name: '7d' }));
    await waitFor(() =>
      expect(api.endpointMetrics).toHaveBeenLastCalledWith('5678', {
        window: '7d',
        deployedModelId: '42'
      })
    );
    expect(
      screen.getByRole('radio', { name: '7d' }).getAttribute('aria-checked')
    ).toBe('true');
    fireEvent.keyDown(screen.getByRole('radio', { name: '7d' }), {
      key: 'ArrowRight'
    });
    await waitFor(() =>
      expect(api.endpointMetrics).toHaveBeenLastCalledWith('5678', {
        window: '30d',
        deployedModelId: '42'
      })
    );
    expect(document.activeElement?.textContent).toBe('30d');
  });

  it('refreshes on its own only while active', async () => {
    jest.useFakeTimers();
    try {
      const api = new FakeAPI();
      api.metrics = makeMetrics(true);
      let active = false;
      render(
        <EndpointMetrics
          api={api}
          endpointId="5678"
          trans={trans}
          refreshSeconds={5}
          isActive={() => active}
        />
      );
      await act(async () => {
        await Promise.resolve();
      });
      expect(api.endpointMetrics).toHaveBeenCalledTimes(1);
      await act(async () => {
        jest.advanceTimersByTime(15_000);
      });
      expect(api.endpointMetrics).toHaveBeenCalledTimes(1);
      active = true;
      await act(async () => {
        jest.advanceTimersByTime(5_000);
      });
      expect(api.endpointMetrics).toHaveBeenCalledTimes(2);
    } finally {
      jest.useRealTimers();
    }
  });

  it('redraws with the new colours when the theme changes', async () => {
    const api = new FakeAPI();
    api.metrics = makeMetrics(true);
    render(<EndpointMetrics api={api} endpointId="5678" trans={trans} />);
    await waitFor(() => expect(drawn.length).toBe(7));
    document.body.style.setProperty('--jp-error-color1', '#ff0001');
    document.body.dataset.jpThemeLight = 'false';
    try {
      await waitFor(() => expect(drawn.length).toBe(14));
      const errors = drawn
        .slice(7)
        .find(d => d.config.data.datasets[0].label === 'errors');
      expect(errors?.config.data.datasets[0].borderColor).toBe('#ff0001');
    } finally {
      document.body.style.removeProperty('--jp-error-color1');
      delete document.body.dataset.jpThemeLight;
    }
  });

  it('shows the server error with its hint, and retries', async () => {
    const api = new FakeAPI();
    render(<EndpointMetrics api={api} endpointId="5678" trans={trans} />);
    expect(await screen.findByRole('alert')).toBeTruthy();
    expect(screen.getByText('no metrics')).toBeTruthy();
    api.metrics = makeMetrics(true);
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(drawn.length).toBe(7));
  });
});
