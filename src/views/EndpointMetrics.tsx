import { TranslationBundle } from '@jupyterlab/translation';
import { refreshIcon } from '@jupyterlab/ui-components';
import * as React from 'react';
import { IVertexAPI } from '../api/vertexAPI';
import {
  chartConfig,
  chartJs,
  formatDateTime,
  formatValue,
  hasData,
  isCountUnit,
  latestPoint,
  maxValue,
  observeTheme,
  readChartColors
} from '../components/charts';
import { VertexAPIError } from '../api/request';
import { ChartId, IChart, IEndpointMetrics, MetricsWindow } from '../api/types';
import type { Chart } from '../components/chartjs';
import { Banner } from '../components/Banner';
import { IconButton } from '../components/IconButton';
import { useLazyModule } from '../components/lazy';

/**
 * The windows users can pick, in order.
 */
export const METRICS_WINDOWS: MetricsWindow[] = [
  '1h',
  '6h',
  '12h',
  '1d',
  '7d',
  '30d'
];

/**
 * Seconds between refreshes when the caller does not say.
 */
const DEFAULT_REFRESH_SECONDS = 30;

/**
 * Charts whose values mean the endpoint served requests in the window.
 */
const TRAFFIC_CHARTS: ReadonlySet<ChartId> = new Set<ChartId>([
  'predictions',
  'requests',
  'responseCodes',
  'errors'
]);

/**
 * An endpoint's serving metrics as charts: predictions/s, requests/s,
 * error %, latency percentiles (total and model), response codes and
 * replicas, for a window the user picks, refreshed while visible.
 */
export function EndpointMetrics(props: EndpointMetrics.IProps): JSX.Element {
  const { api, endpointId, deployedModelId, trans, isActive } = props;
  const refreshSeconds = props.refreshSeconds ?? DEFAULT_REFRESH_SECONDS;
  const [window, setWindow] = React.useState<MetricsWindow>('1h');
  const [metrics, setMetrics] = React.useState<IEndpointMetrics | null>(null);
  const [error, setError] = React.useState<VertexAPIError | null>(null);
  const [loading, setLoading] = React.useState(false);
  const [updated, setUpdated] = React.useState<Date | null>(null);
  const themeVersion = useThemeVersion();
  const modelNames = useDeployedModelNames(api, endpointId);
  // Answers to older requests (another window, endpoint) are dropped.
  const requestSeq = React.useRef(0);
  const isActiveRef = React.useRef(isActive);
  isActiveRef.current = isActive;

  const load = React.useCallback(async () => {
    const seq = ++requestSeq.current;
    setLoading(true);
    try {
      const answer = await api.endpointMetrics(endpointId, {
        window,
        deployedModelId
      });
      if (seq === requestSeq.current) {
        setMetrics(answer);
        setError(null);
        setUpdated(new Date());
      }
    } catch (reason) {
      if (seq === requestSeq.current) {
        setError(VertexAPIError.from(reason));
      }
    } finally {
      if (seq === requestSeq.current) {
        setLoading(false);
      }
    }
  }, [api, endpointId, deployedModelId, window]);

  // A new endpoint or window: clear and fetch now, then every refreshSeconds
  // while the view is active and the browser tab visible.
  React.useEffect(() => {
    setMetrics(null);
    setError(null);
    void load();
    if (!(refreshSeconds > 0)) {
      return;
    }
    const timer = setInterval(() => {
      const active = isActiveRef.current ? isActiveRef.current() : true;
      if (active && document.visibilityState !== 'hidden') {
        void load();
      }
    }, refreshSeconds * 1000);
    return () => {
      clearInterval(timer);
      requestSeq.current++;
    };
  }, [load, refreshSeconds]);

  const charts = React.useMemo(
    () => (metrics?.charts ?? []).map(c => withModelNames(c, modelNames)),
    [metrics, modelNames]
  );
  const traffic = charts.some(
    chart => TRAFFIC_CHARTS.has(chart.id) && hasData(chart)
  );
  const windowLabel = windowText(window, trans);
  // Fetched as soon as the metrics are shown, so it is there by the time
  // they have loaded; an endpoint without traffic needs it no sooner.
  const chartModule = useLazyModule(chartJs);

  let body: React.ReactNode;
  if (error && !metrics) {
    body = <Banner error={error} trans={trans} onRetry={() => void load()} />;
  } else if (!metrics) {
    body = (
      <div className="jp-Vertex-placeholder">
        {trans.__('Loading metrics…')}
      </div>
    );
  } else if (!traffic) {
    body = (
      <div className="jp-Vertex-empty jp-Vertex-MetricsEmpty" role="status">
        <strong>{trans.__('No traffic in this window')}</strong>
        <div>
          {trans.__(
            'Predictions sent to this endpoint in the %1 show here within a minute.',
            windowLabel
          )}
        </div>
      </div>
    );
  } else {
    const start = Date.parse(metrics.startTime);
    const end = Date.parse(metrics.endTime);
    body = (
      <div className="jp-Vertex-MetricsGrid">
        {chartModule.error ? (
          <div className="jp-Vertex-lazyPlaceholder jp-mod-error" role="alert">
            {chartModule.error.message}
          </div>
        ) : null}
        {charts.map(chart => (
          <MetricChart
            key={chart.id}
            chart={chart}
            window={metrics.window}
            startTime={start}
            endTime={end}
            themeVersion={themeVersion}
            Chart={chartModule.value?.Chart ?? null}
            trans={trans}
          />
        ))}
      </div>
    );
  }

  return (
    <section
      className="jp-Vertex-EndpointMetrics"
      aria-label={trans.__('Endpoint metrics')}
      aria-busy={loading}
      data-window={window}
    >
      <div className="jp-Vertex-MetricsToolbar">
        <h4 className="jp-Vertex-MetricsTitle">{trans.__('Metrics')}</h4>
        <div
          className="jp-Vertex-MetricsWindows"
          role="radiogroup"
          aria-label={trans.__('Time window')}
        >
          {METRICS_WINDOWS.map(value => (
            <button
              key={value}
              type="button"
              role="radio"
              aria-checked={value === window}
              title={trans.__('Show the %1', windowText(value, trans))}
              className={
                'jp-Vertex-MetricsWindow' +
                (value === window ? ' jp-mod-active' : '')
              }
              tabIndex={value === window ? 0 : -1}
              onClick={() => setWindow(value)}
              onKeyDown={event => {
                const index = METRICS_WINDOWS.indexOf(window);
                let next: number | null = null;
                if (event.key === 'ArrowRight' || event.key === 'ArrowDown') {
                  next = (index + 1) % METRICS_WINDOWS.length;
                } else if (
                  event.key === 'ArrowLeft' ||
                  event.key === 'ArrowUp'
                ) {
                  next =
                    (index - 1 + METRICS_WINDOWS.length) %
                    METRICS_WINDOWS.length;
                }
                if (next !== null) {
                  event.preventDefault();
                  setWindow(METRICS_WINDOWS[next]);
                  const group = event.currentTarget.parentElement;
                  const target = group?.children[next] as
                    HTMLElement | undefined;
                  target?.focus();
                }
              }}
            >
              {value}
            </button>
          ))}
        </div>
        <span className="jp-Vertex-MetricsUpdated" aria-live="polite">
          {updated ? trans.__('Updated %1', updated.toLocaleTimeString()) : ''}
        </span>
        <IconButton
          icon={refreshIcon}
          label={trans.__('Refresh metrics')}
          onClick={() => void load()}
        />
      </div>
      {error && metrics ? (
        <Banner error={error} trans={trans} compact onRetry={() => load()} />
      ) : null}
      {body}
    </section>
  );
}

export namespace EndpointMetrics {
  export interface IProps {
    api: IVertexAPI;
    endpointId: string;
    trans: TranslationBundle;
    /**
     * Only this deployed model's series, when set.
     */
    deployedModelId?: string;
    /**
     * Seconds between refreshes (default 30; 0 turns refreshing off).
     */
    refreshSeconds?: number;
    /**
     * Whether the view is visible; refreshing pauses while it is not.
     */
    isActive?: () => boolean;
  }
}

/**
 * The translated title of a chart (the server's title for unknown ids).
 */
export function chartTitle(chart: IChart, trans: TranslationBundle): string {
  switch (chart.id) {
    case 'predictions':
      return trans.__('Predictions per second');
    case 'requests':
      return trans.__('Requests per second');
    case 'errors':
      return trans.__('Error rate');
    case 'latencyTotal':
      return trans.__('Latency, total');
    case 'latencyModel':
      return trans.__('Latency, model');
    case 'responseCodes':
      return trans.__('Response codes');
    case 'replicas':
      return trans.__('Replicas');
    default:
      return chart.title;
  }
}

/**
 * `last hour`, `last 6 hours`, …
 */
export function windowText(
  window: MetricsWindow,
  trans: TranslationBundle
): string {
  switch (window) {
    case '1h':
      return trans.__('last hour');
    case '6h':
      return trans.__('last 6 hours');
    case '12h':
      return trans.__('last 12 hours');
    case '1d':
      return trans.__('last day');
    case '7d':
      return trans.__('last 7 days');
    case '30d':
      return trans.__('last 30 days');
  }
}

/**
 * One chart: title, canvas (an image for assistive technology, with a
 * summary as its label) and a visually hidden table of the latest values.
 */
function MetricChart(props: {
  chart: IChart;
  window: MetricsWindow;
  startTime: number;
  endTime: number;
  themeVersion: number;
  /**
   * Chart.js's chart class, `null` until its chunk has loaded (title and
   * hidden table show meanwhile).
   */
  Chart: typeof Chart | null;
  trans: TranslationBundle;
}): JSX.Element {
  const { chart, window, startTime, endTime, themeVersion, Chart, trans } =
    props;
  const canvas = React.useRef<HTMLCanvasElement>(null);
  const title = chartTitle(chart, trans);
  const titleId = `jp-Vertex-chart-${chart.id}-title`;

  // Re-created on new data and on theme change, so the colours are read
  // from the theme as it is now.
  React.useEffect(() => {
    if (!canvas.current || !Chart) {
      return;
    }
    const instance = new Chart(
      canvas.current,
      chartConfig(chart, {
        window,
        startTime,
        endTime,
        colors: readChartColors(document.body)
      })
    );
    return () => instance.destroy();
  }, [Chart, chart, window, startTime, endTime, themeVersion]);

  const rows = chart.series.map(series => {
    const latest = latestPoint(series);
    return {
      label: series.label,
      latest: latest ? formatValue(latest[1], chart.unit) : '–',
      time: latest ? formatDateTime(latest[0]) : '–',
      max: formatValue(maxValue(series), chart.unit)
    };
  });
  const summary = rows
    .map(row => trans.__('%1: latest %2', row.label, row.latest))
    .join('; ');

  return (
    <figure
      className="jp-Vertex-MetricChart"
      data-chart-id={chart.id}
      aria-labelledby={titleId}
    >
      <figcaption className="jp-Vertex-MetricChart-title" id={titleId}>
        {title}
        {isCountUnit(chart.unit) ? null : (
          <span className="jp-Vertex-MetricChart-unit"> ({chart.unit})</span>
        )}
      </figcaption>
      <div className="jp-Vertex-MetricChart-canvas" aria-busy={!Chart}>
        <canvas
          ref={canvas}
          role="img"
          aria-label={trans.__('%1. %2', title, summary)}
        />
      </div>
      <table className="jp-Vertex-visuallyHidden">
        <caption>{trans.__('%1, latest values', title)}</caption>
        <thead>
          <tr>
            <th scope="col">{trans.__('Series')}</th>
            <th scope="col">{trans.__('Latest')}</th>
            <th scope="col">{trans.__('At')}</th>
            <th scope="col">{trans.__('Maximum')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(row => (
            <tr key={row.label} data-series={row.label}>
              <th scope="row">{row.label}</th>
              <td>{row.latest}</td>
              <td>{row.time}</td>
              <td>{row.max}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

/**
 * Charts whose series are deployed model ids.
 */
const PER_MODEL_CHARTS: ReadonlySet<ChartId> = new Set<ChartId>([
  'predictions',
  'replicas'
]);

/**
 * The chart with deployed model display names for ids (same object when
 * nothing changes, so the chart is not redrawn for nothing).
 */
export function withModelNames(
  chart: IChart,
  names: ReadonlyMap<string, string>
): IChart {
  if (!PER_MODEL_CHARTS.has(chart.id) || names.size === 0) {
    return chart;
  }
  return {
    ...chart,
    series: chart.series.map(series => ({
      ...series,
      label: names.get(series.label) ?? series.label
    }))
  };
}

/**
 * Deployed model id → display name, from the endpoint (empty until known or
 * if it cannot be read: ids are shown then).
 */
function useDeployedModelNames(
  api: IVertexAPI,
  endpointId: string
): ReadonlyMap<string, string> {
  const [names, setNames] = React.useState<ReadonlyMap<string, string>>(
    () => new Map()
  );
  React.useEffect(() => {
    let current = true;
    api
      .getEndpoint(endpointId)
      .then(endpoint => {
        if (current && endpoint) {
          setNames(
            new Map(
              (endpoint.deployedModels ?? [])
                .filter(d => d.displayName)
                .map(d => [d.id, d.displayName as string])
            )
          );
        }
      })
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [api, endpointId]);
  return names;
}

/**
 * A number that changes whenever the JupyterLab theme changes.
 */
function useThemeVersion(): number {
  const [version, setVersion] = React.useState(0);
  React.useEffect(
    () =>
      observeTheme(() => {
        // The new theme's stylesheet applies on the next frame.
        requestAnimationFrame(() => setVersion(v => v + 1));
      }),
    []
  );
  return version;
}
