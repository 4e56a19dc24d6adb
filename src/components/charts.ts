import type { ChartConfiguration } from 'chart.js';
import { IChart, IChartSeries, MetricsWindow } from '../api/types';
import { LazyModule } from './lazy';

/**
 * Chart.js, registered for line charts: fetched when an endpoint's metrics
 * are first shown, not with the extension's entry (JupyterLab stays light).
 */
export const chartJs = new LazyModule(() => import('./chartjs'));

/**
 * The colours of a chart, read from the JupyterLab theme.
 */
export interface IChartColors {
  text: string;
  mutedText: string;
  grid: string;
  background: string;
  /**
   * Series colours, in order (`--jp-Vertex-chart-color-N` in style/charts.css).
   */
  series: string[];
  success: string;
  warn: string;
  error: string;
}

const SERIES_COLOR_COUNT = 6;

/**
 * Read the chart colours from the theme's CSS variables now (the theme may
 * have changed since the last call).
 */
export function readChartColors(
  element: Element = document.body
): IChartColors {
  const style = getComputedStyle(element);
  const read = (name: string, fallback: string): string =>
    style.getPropertyValue(name).trim() || fallback;
  const series: string[] = [];
  for (let i = 0; i < SERIES_COLOR_COUNT; i++) {
    series.push(read(`--jp-Vertex-chart-color-${i}`, FALLBACK_SERIES[i]));
  }
  return {
    text: read('--jp-ui-font-color1', '#212121'),
    mutedText: read('--jp-ui-font-color2', '#616161'),
    grid: read('--jp-border-color2', '#e0e0e0'),
    background: read('--jp-layout-color1', '#ffffff'),
    series,
    success: read('--jp-success-color1', '#388e3c'),
    warn: read('--jp-warn-color1', '#f57c00'),
    error: read('--jp-error-color1', '#d32f2f')
  };
}

// Only used when the theme's variables are missing (e.g. in unit tests).
const FALLBACK_SERIES = [
  '#1976d2',
  '#388e3c',
  '#f57c00',
  '#7b1fa2',
  '#00838f',
  '#c2185b'
];

/**
 * The colour of one series: meaning first (errors red, 2xx green, 4xx
 * orange, 5xx red), else the palette in order.
 */
export function seriesColor(
  chartId: string,
  label: string,
  index: number,
  colors: IChartColors
): string {
  if (chartId === 'errors') {
    return colors.error;
  }
  if (chartId === 'responseCodes') {
    if (/^2/.test(label)) {
      return colors.success;
    }
    if (/^4/.test(label)) {
      return colors.warn;
    }
    if (/^5/.test(label)) {
      return colors.error;
    }
  }
  return colors.series[index % colors.series.length];
}

/**
 * A number for people: at most 3 significant digits, no exponent.
 */
export function formatNumber(value: number): string {
  if (!isFinite(value)) {
    return String(value);
  }
  const abs = Math.abs(value);
  if (abs === 0) {
    return '0';
  }
  if (abs >= 1000) {
    return Math.round(value).toLocaleString('en-US');
  }
  return String(Number(value.toPrecision(3)));
}

/**
 * Units that need no word after the number (replicas are a count).
 */
export function isCountUnit(unit: string): boolean {
  return !unit || unit === 'count' || unit === '1' || unit === 'replicas';
}

/**
 * A value with its unit: `12.5%`, `3.2 ms`, `0.5 requests/s`, `2`.
 */
export function formatValue(value: number | null, unit: string): string {
  if (value === null) {
    return '–';
  }
  const number = formatNumber(value);
  if (isCountUnit(unit)) {
    return number;
  }
  if (unit === '%') {
    return `${number}%`;
  }
  return `${number} ${unit}`;
}

/**
 * A tick label: the time of day (24 h) for windows up to a day, the date
 * beyond.
 */
export function formatTime(epochMillis: number, window: MetricsWindow): string {
  const date = new Date(epochMillis);
  return window === '7d' || window === '30d'
    ? date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })
    : date.toLocaleTimeString(undefined, {
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23'
      });
}

/**
 * A tooltip time: date and time of day.
 */
export function formatDateTime(epochMillis: number): string {
  return new Date(epochMillis).toLocaleString(undefined, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23'
  });
}

/**
 * Tick spacing per window: minutes, or days for the long windows.
 */
const TICK_STEP: Record<MetricsWindow, { minutes?: number; days?: number }> = {
  '1h': { minutes: 10 },
  '6h': { minutes: 60 },
  '12h': { minutes: 120 },
  '1d': { minutes: 240 },
  '7d': { days: 1 },
  '30d': { days: 5 }
};

/**
 * Tick times between `start` and `end` on round local times (every 10
 * minutes for an hour, every day for a week, …).
 */
export function timeTicks(
  start: number,
  end: number,
  window: MetricsWindow
): number[] {
  const step = TICK_STEP[window];
  const ticks: number[] = [];
  const date = new Date(start);
  date.setSeconds(0, 0);
  if (step.minutes) {
    const minutes = step.minutes;
    // Round up to the next multiple of the step in local time of day.
    const ofDay = date.getHours() * 60 + date.getMinutes();
    const next = Math.ceil(ofDay / minutes) * minutes;
    date.setHours(0, next, 0, 0);
    for (let t = date.getTime(); t <= end; t += minutes * 60_000) {
      if (t >= start) {
        ticks.push(t);
      }
    }
  } else {
    const days = step.days ?? 1;
    date.setHours(0, 0, 0, 0);
    if (date.getTime() < start) {
      date.setDate(date.getDate() + 1);
    }
    while (date.getTime() <= end) {
      ticks.push(date.getTime());
      date.setDate(date.getDate() + days);
    }
  }
  return ticks;
}

/**
 * The narrowest span the x axis shows (a history of one point still gets
 * an axis with times on it).
 */
const MIN_DOMAIN = 2 * 60_000;

/**
 * The x domain of a chart: the whole window once the history fills it, else
 * from the chart's first value to the window's end (now), so that the
 * points of a young endpoint fill the chart instead of its last pixels.
 */
export function chartDomain(
  chart: IChart,
  startTime: number,
  endTime: number
): { min: number; max: number } {
  let first: number | null = null;
  let full = false;
  for (const series of chart.series) {
    series.points.some(([time, value], index) => {
      if (value === null || value === undefined || time < startTime) {
        return false;
      }
      // A value on the grid's first point: the history fills the window.
      full = full || index === 0;
      first = first === null ? time : Math.min(first, time);
      return true;
    });
  }
  if (first === null || full || first > endTime) {
    return { min: startTime, max: endTime };
  }
  return {
    min: Math.max(startTime, Math.min(first, endTime - MIN_DOMAIN)),
    max: endTime
  };
}

/**
 * Tick steps for a span shorter than its window, in minutes.
 */
const SPAN_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 240, 360, 720];

/**
 * Ticks of a domain: the window's round times when it spans the window,
 * else the smallest round step giving at most six ticks.
 */
export function domainTicks(
  min: number,
  max: number,
  window: MetricsWindow
): number[] {
  const full = timeTicks(min, max, window);
  if (full.length >= 3) {
    return full;
  }
  const minutes =
    SPAN_STEPS.find(step => (max - min) / (step * 60_000) <= 6) ?? 720;
  const date = new Date(min);
  date.setSeconds(0, 0);
  const ofDay = date.getHours() * 60 + date.getMinutes();
  date.setHours(0, Math.ceil(ofDay / minutes) * minutes, 0, 0);
  const ticks: number[] = [];
  for (let t = date.getTime(); t <= max; t += minutes * 60_000) {
    if (t >= min) {
      ticks.push(t);
    }
  }
  return ticks;
}

/**
 * The last point of a series that has a value.
 */
export function latestPoint(series: IChartSeries): [number, number] | null {
  for (let i = series.points.length - 1; i >= 0; i--) {
    const [time, value] = series.points[i];
    if (value !== null && value !== undefined) {
      return [time, value];
    }
  }
  return null;
}

/**
 * The largest value of a series, or `null` without any.
 */
export function maxValue(series: IChartSeries): number | null {
  let max: number | null = null;
  for (const [, value] of series.points) {
    if (
      value !== null &&
      value !== undefined &&
      (max === null || value > max)
    ) {
      max = value;
    }
  }
  return max;
}

/**
 * Whether a chart has any non-zero value.
 */
export function hasData(chart: IChart): boolean {
  return chart.series.some(series =>
    series.points.some(([, value]) => value !== null && value !== 0)
  );
}

/**
 * Series with at most this many values get a dot on each.
 */
const SPARSE_POINTS = 20;

/**
 * The Chart.js configuration of one metrics chart.
 */
export function chartConfig(
  chart: IChart,
  options: {
    window: MetricsWindow;
    startTime: number;
    endTime: number;
    colors: IChartColors;
  }
): ChartConfiguration<'line', Array<{ x: number; y: number | null }>> {
  const { colors, window } = options;
  const domain = chartDomain(chart, options.startTime, options.endTime);
  // Within a day, times of day label the ticks even in a week's window.
  const labelWindow: MetricsWindow =
    domain.max - domain.min <= 86_400_000 ? '1d' : window;
  const datasets = chart.series.map((series, index) => {
    const color = seriesColor(chart.id, series.label, index, colors);
    // Dots where a line alone would not show: on every point of a sparse
    // series, else on isolated points (a value between two gaps).
    const values = series.points.map(([, value]) => value);
    const sparse = values.filter(v => v !== null).length <= SPARSE_POINTS;
    const dots = values.map((value, i) => {
      if (value === null) {
        return 0;
      }
      const before = values[i - 1];
      const after = values[i + 1];
      const lonely =
        (before === null || before === undefined) &&
        (after === null || after === undefined);
      return sparse || lonely ? 2.5 : 0;
    });
    return {
      label: series.label,
      data: series.points.map(([x, y]) => ({ x, y })),
      borderColor: color,
      backgroundColor: color,
      borderWidth: 2,
      pointRadius: dots,
      pointHoverRadius: 4,
      spanGaps: false,
      tension: 0
    };
  });
  return {
    type: 'line',
    data: { datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      normalized: true,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      // Room for the dot of a point on the domain's edges.
      layout: { padding: { top: 4, right: 8, left: 4 } },
      scales: {
        x: {
          type: 'linear',
          min: domain.min,
          max: domain.max,
          grid: { color: colors.grid },
          border: { color: colors.grid },
          // Round times (not Chart.js's round numbers of milliseconds).
          afterBuildTicks: axis => {
            axis.ticks = domainTicks(domain.min, domain.max, window).map(
              value => ({ value })
            );
          },
          ticks: {
            color: colors.mutedText,
            autoSkip: true,
            autoSkipPadding: 12,
            maxRotation: 0,
            callback: value => formatTime(Number(value), labelWindow)
          }
        },
        y: {
          type: 'linear',
          beginAtZero: true,
          suggestedMax: chart.id === 'errors' ? 1 : undefined,
          grid: { color: colors.grid },
          border: { color: colors.grid },
          ticks: {
            color: colors.mutedText,
            maxTicksLimit: 5,
            precision: chart.id === 'replicas' ? 0 : undefined,
            callback: value => formatNumber(Number(value))
          }
        }
      },
      plugins: {
        legend: {
          display: chart.series.length > 1,
          position: 'bottom',
          labels: {
            color: colors.text,
            boxWidth: 12,
            boxHeight: 2
          }
        },
        tooltip: {
          backgroundColor: colors.background,
          titleColor: colors.text,
          bodyColor: colors.text,
          borderColor: colors.grid,
          borderWidth: 1,
          callbacks: {
            title: items =>
              items.length ? formatDateTime(items[0].parsed.x ?? 0) : '',
            label: item =>
              `${item.dataset.label}: ${formatValue(item.parsed.y, chart.unit)}`
          }
        }
      }
    }
  };
}

/**
 * Call `onChange` whenever the JupyterLab theme changes (the body's
 * `data-jp-theme-*` attributes), until the returned function is called.
 */
export function observeTheme(onChange: () => void): () => void {
  const observer = new MutationObserver(() => onChange());
  observer.observe(document.body, {
    attributes: true,
    attributeFilter: ['data-jp-theme-light', 'data-jp-theme-name']
  });
  return () => observer.disconnect();
}
