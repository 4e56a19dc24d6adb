import {
  Chart,
  ChartConfiguration,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip
} from 'chart.js';
import { IChart, IChartSeries, MetricsWindow } from './tokens';

// Tree-shaken: only what a line chart on a linear (time) axis needs.
Chart.register(
  LineController,
  LineElement,
  PointElement,
  LinearScale,
  Legend,
  Tooltip
);

export { Chart };

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
 * A tick or tooltip time: the time of day for windows up to a day, the
 * date and hour beyond.
 */
export function formatTime(epochMillis: number, window: MetricsWindow): string {
  const date = new Date(epochMillis);
  const long = window === '7d' || window === '30d';
  return long
    ? date.toLocaleString(undefined, {
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit'
      })
    : date.toLocaleTimeString(undefined, {
        hour: '2-digit',
        minute: '2-digit'
      });
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
  const datasets = chart.series.map((series, index) => {
    const color = seriesColor(chart.id, series.label, index, colors);
    // Isolated points (a value between two gaps) need a dot to be seen.
    const lonely = series.points.map(([, value], i) => {
      const before = series.points[i - 1]?.[1];
      const after = series.points[i + 1]?.[1];
      return (
        value !== null &&
        (before === null || before === undefined) &&
        (after === null || after === undefined)
      );
    });
    return {
      label: series.label,
      data: series.points.map(([x, y]) => ({ x, y })),
      borderColor: color,
      backgroundColor: color,
      borderWidth: 2,
      pointRadius: lonely.map(isLonely => (isLonely ? 3 : 0)),
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
      scales: {
        x: {
          type: 'linear',
          min: options.startTime,
          max: options.endTime,
          grid: { color: colors.grid },
          border: { color: colors.grid },
          ticks: {
            color: colors.mutedText,
            maxTicksLimit: 6,
            maxRotation: 0,
            callback: value => formatTime(Number(value), window)
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
              items.length ? formatTime(items[0].parsed.x ?? 0, window) : '',
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
