// Endpoint metrics: the charts of the endpoint view.
export type MetricsWindow = '1h' | '6h' | '12h' | '1d' | '7d' | '30d';

export type ChartId =
  | 'predictions'
  | 'requests'
  | 'errors'
  | 'latencyTotal'
  | 'latencyModel'
  | 'responseCodes'
  | 'replicas';

export interface IChartSeries {
  label: string;
  /**
   * `[epochMillis, value]`; `null` where there is no data.
   */
  points: Array<[number, number | null]>;
}

export interface IChart {
  id: ChartId;
  title: string;
  unit: string;
  series: IChartSeries[];
}

export interface IEndpointMetrics {
  endpointId: string;
  window: MetricsWindow;
  startTime: string;
  endTime: string;
  alignmentSeconds: number;
  charts: IChart[];
}
