import {
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip
} from 'chart.js';

// Loaded only through `chartJs` in ./charts (a chunk of its own, fetched when
// an endpoint's metrics are first shown). Tree-shaken: only what a line chart
// on a linear (time) axis needs.
Chart.register(
  LineController,
  LineElement,
  PointElement,
  LinearScale,
  Legend,
  Tooltip
);

export { Chart };
