"""Endpoint metrics for a time window as chart-ready series (``EndpointMetrics``), read
with Cloud Monitoring's ``MetricServiceClient.list_time_series`` on both backends.

Six queries run concurrently (plus a get of the endpoint, for a clear 404): predictions
(ALIGN_RATE, summed per deployed model), responses per code and errors (ALIGN_DELTA, summed),
total and model latency (ALIGN_DELTA, distributions summed over deployed models, so
p50/p95/p99 are read from one merged distribution per window) and replicas (ALIGN_MAX per
deployed model). Every series has one point per alignment window, ``null`` where there was
no data.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from typing import Any

from ..backend.clients import ClientFactory
from ..errors import InvalidArgument

MONITORING = "google.cloud.monitoring_v3"
PREFIX = "aiplatform.googleapis.com/prediction/online/"
# window -> (seconds, alignment period in seconds)
WINDOWS: dict[str, tuple[int, int]] = {
    "1h": (3600, 60),
    "6h": (6 * 3600, 300),
    "12h": (12 * 3600, 600),
    "1d": (86400, 1800),
    "7d": (7 * 86400, 10800),
    "30d": (30 * 86400, 43200),
}
PERCENTILES = (50, 95, 99)
_LATENCY = ' AND metric.labels.latency_type = "{}"'


def _list_all(client: Any, request: dict[str, Any], timeout: float) -> list[Any]:
    """Every series of a query, all pages (blocking: run off the loop)."""
    return list(client.list_time_series(request=request, timeout=timeout))


def _seconds(stamp: Any) -> int:
    return int(round(stamp.timestamp()))


def _bounds(options: Any) -> Callable[[int], tuple[float, float]]:
    """[lower, upper) of bucket ``i`` for a distribution's bucket options."""
    if "exponential_buckets" in options:
        exp = options.exponential_buckets
        n, growth, scale = exp.num_finite_buckets, exp.growth_factor, exp.scale

        def exponential(i: int) -> tuple[float, float]:
            lower = 0.0 if i == 0 else scale * growth ** (i - 1)
            return lower, (scale * growth**i if i <= n else math.inf)

        return exponential
    if "linear_buckets" in options:
        lin = options.linear_buckets

        def linear(i: int) -> tuple[float, float]:
            lower = -math.inf if i == 0 else lin.offset + lin.width * (i - 1)
            upper = lin.offset + lin.width * i if i <= lin.num_finite_buckets else math.inf
            return lower, upper

        return linear
    edges = list(options.explicit_buckets.bounds)

    def explicit(i: int) -> tuple[float, float]:
        lower = -math.inf if i == 0 else edges[i - 1]
        return lower, (edges[i] if i < len(edges) else math.inf)

    return explicit


def percentile(distribution: Any, percent: float) -> float | None:
    """A percentile read from a Monitoring distribution's buckets (interpolated inside the
    bucket where the rank falls)."""
    count = int(distribution.count)
    if count == 0:
        return None
    bounds = _bounds(distribution.bucket_options)
    rank, seen = percent / 100.0 * count, 0
    for index, n in enumerate(distribution.bucket_counts):
        n = int(n)
        if n and seen + n >= rank:
            lower, upper = bounds(index)
            if math.isinf(upper) or math.isinf(lower):
                return float(distribution.mean) if math.isinf(lower) else lower
            return lower + (upper - lower) * max(0.0, rank - seen) / n
        seen += n
    return float(distribution.mean)


class MetricsService:
    def __init__(self, clients: ClientFactory, clock: Callable[[], float] = time.time) -> None:
        self.clients = clients
        self.clock = clock

    async def endpoint_metrics(
        self, endpoint_id: str, window: str = "1h", deployed_model_id: str | None = None
    ) -> dict[str, Any]:
        if window not in WINDOWS:
            raise InvalidArgument(
                f"Invalid window: {window!r}; use one of {', '.join(WINDOWS)}.",
                hint="window is the time range of the charts.",
            )
        span, period = WINDOWS[window]
        end = int(math.ceil(self.clock() / 60.0)) * 60
        start = end - span
        location = await self.clients.location()
        monitoring = await self.clients.client(MONITORING, "MetricServiceClient")
        endpoints = await self.clients.endpoint_service()
        extra = f' AND metric.labels.deployed_model_id = "{deployed_model_id}"' * bool(
            deployed_model_id
        )

        async def query(
            metric: str,
            aligner: str,
            group_by: tuple[str, ...] = (),
            more: str = "",
        ) -> list[Any]:
            request = {
                "name": f"projects/{location.project}",
                "filter": f'metric.type = "{PREFIX}{metric}" AND '
                f'resource.labels.endpoint_id = "{endpoint_id}"{extra}{more}',
                "interval": {"start_time": {"seconds": start}, "end_time": {"seconds": end}},
                "aggregation": {
                    "alignment_period": {"seconds": period},
                    "per_series_aligner": aligner,
                    "cross_series_reducer": "REDUCE_SUM",
                    "group_by_fields": list(group_by),
                },
            }
            found: list[Any] = await self.clients.call(
                _list_all, client=monitoring, request=request
            )
            return found

        by_model = ("metric.label.deployed_model_id",)
        # all at once; the endpoint's own error (e.g. 404) first, whichever fails
        answers = await asyncio.gather(
            self.clients.call(
                endpoints.get_endpoint, name=f"{location.parent}/endpoints/{endpoint_id}"
            ),
            query("prediction_count", "ALIGN_RATE", by_model),
            query("response_count", "ALIGN_DELTA", ("metric.label.response_code",)),
            query("error_count", "ALIGN_DELTA"),
            query("prediction_latencies", "ALIGN_DELTA", (), _LATENCY.format("total")),
            query("prediction_latencies", "ALIGN_DELTA", (), _LATENCY.format("model")),
            query("replicas", "ALIGN_MAX", by_model),
            return_exceptions=True,
        )
        found: list[Any] = []
        for answer in answers:
            if isinstance(answer, BaseException):
                raise answer
            found.append(answer)
        _, predictions, responses, errors, total, model, replicas = found
        times = [end - span + period * (k + 1) for k in range(span // period)]
        grid = _Grid(times)
        request_counts = grid.sum_int(responses)
        error_counts = grid.sum_int(errors)
        charts = [
            _chart(
                "predictions",
                "Predictions",
                "predictions/s",
                [
                    grid.series(s.metric.labels.get("deployed_model_id", ""), s, _double)
                    for s in predictions
                ],
            ),
            _chart(
                "requests",
                "Requests",
                "requests/s",
                [grid.points("requests", {t: n / period for t, n in request_counts.items()})],
            ),
            _chart(
                "errors",
                "Errors",
                "%",
                [
                    grid.points(
                        "errors",
                        {
                            t: 100.0 * error_counts.get(t, 0) / n
                            for t, n in request_counts.items()
                            if n
                        },
                    )
                ],
            ),
            _chart("latencyTotal", "Latency (total)", "ms", grid.latency(total)),
            _chart("latencyModel", "Latency (model)", "ms", grid.latency(model)),
            _chart(
                "responseCodes",
                "Response codes",
                "requests/s",
                sorted(
                    (
                        grid.series(
                            s.metric.labels.get("response_code", ""),
                            s,
                            lambda p: int(p.value.int64_value) / period,
                        )
                        for s in responses
                    ),
                    key=lambda s: str(s["label"]),
                ),
            ),
            _chart(
                "replicas",
                "Replicas",
                "replicas",
                [
                    grid.series(
                        s.metric.labels.get("deployed_model_id", ""),
                        s,
                        lambda p: int(p.value.int64_value),
                    )
                    for s in replicas
                ],
            ),
        ]
        return {
            "endpointId": endpoint_id,
            "window": window,
            "startTime": _rfc3339(start),
            "endTime": _rfc3339(end),
            "alignmentSeconds": period,
            "charts": charts,
        }


def _double(point: Any) -> float:
    return float(point.value.double_value)


def _rfc3339(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def _chart(chart_id: str, title: str, unit: str, series: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": chart_id, "title": title, "unit": unit, "series": series}


class _Grid:
    """The windows' end times; series as one ``[epochMillis, value|null]`` per window."""

    def __init__(self, times: list[int]) -> None:
        self.times = times

    def points(self, label: str, values: dict[int, float]) -> dict[str, Any]:
        return {"label": label, "points": [[t * 1000, values.get(t)] for t in self.times]}

    def series(self, label: str, series: Any, value: Callable[[Any], float]) -> dict[str, Any]:
        return self.points(label, {_seconds(p.interval.end_time): value(p) for p in series.points})

    def sum_int(self, found: list[Any]) -> dict[int, int]:
        out: dict[int, int] = {}
        for series in found:
            for point in series.points:
                t = _seconds(point.interval.end_time)
                out[t] = out.get(t, 0) + int(point.value.int64_value)
        return out

    def latency(self, found: list[Any]) -> list[dict[str, Any]]:
        by_time = {
            _seconds(p.interval.end_time): p.value.distribution_value
            for s in found
            for p in s.points
        }
        return [
            self.points(
                f"p{n}",
                {t: value for t, d in by_time.items() if (value := percentile(d, n)) is not None},
            )
            for n in PERCENTILES
        ]
