"""Cloud Monitoring v3 ``GET /v3/projects/{p}/timeSeries`` (``timeSeries.list``) over the
endpoint metrics the predict route measures.

Supported, as the panel and the SDK need it: ``filter`` with ``metric.type = "…"`` (one of
Vertex's ``aiplatform.googleapis.com/prediction/online/*`` types) joined by AND with
``resource.type``, ``resource.label(s).{resource_container,location,endpoint_id}`` and
``metric.label(s).{deployed_model_id,response_code,latency_type}`` equalities;
``interval``; ``aggregation`` (see :mod:`.timeseries`); ``view`` FULL or HEADERS;
``pageSize``/``pageToken`` over series. Anything else is INVALID_ARGUMENT naming it.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Any

from ..core import offset_pages
from ..core.errors import failed_precondition, invalid_argument
from ..core.filters import parse_terms
from ..core.protos import import_types
from ..core.resources import parse_timestamp, project_number
from ..core.routing import Call, Reply, Route
from ..serving.measurements import Metrics
from ..serving.metrics import (
    METRICS,
    MINUTE,
    PREFIX,
    RESOURCE_TYPE,
    Cells,
    Distribution,
    MetricInfo,
)
from .timeseries import ALIGNERS, REDUCERS, Series, align, raw_series, reduce, windows_in

REQUEST = "google.monitoring.v3.ListTimeSeriesRequest"
RESPONSE = "google.monitoring.v3.ListTimeSeriesResponse"
MAX_PAGE = 100_000
MAX_ALIGNMENT = 104 * 7 * 86400  # Cloud Monitoring's limit (104 weeks)


def load_types() -> None:
    """Register the Monitoring v3 request/response messages without importing every
    service of ``google.cloud.monitoring_v3`` (its ``__init__`` costs ~0.6 s)."""
    import_types("google.cloud.monitoring_v3", ["metric_service"], "google-cloud-monitoring")


# the request --------------------------------------------------------------------------


def _metric(filter_text: str) -> tuple[str, MetricInfo, dict[str, str], dict[str, str]]:
    """(short metric name, info, resource label equalities, metric label equalities)."""
    if not filter_text.strip():
        raise invalid_argument(
            'Invalid filter: it is required and must name one metric type, e.g. metric.type = "'
            f'{PREFIX}prediction_count".'
        )
    metric_type = None
    resource: dict[str, str] = {}
    labels: dict[str, str] = {}
    resource_type = RESOURCE_TYPE
    for field, op, value in parse_terms(filter_text):
        if op != "=":
            raise invalid_argument(
                f"Invalid filter: operator {op!r} on {field} is not supported by the embedded "
                "Vertex; use =."
            )
        if field == "metric.type":
            metric_type = value
        elif field == "resource.type":
            resource_type = value
        elif field.startswith(("resource.label.", "resource.labels.")):
            resource[field.split(".", 2)[2]] = value
        elif field.startswith(("metric.label.", "metric.labels.")):
            labels[field.split(".", 2)[2]] = value
        else:
            raise invalid_argument(
                f"Invalid filter: {field!r} is not supported; use metric.type, resource.type, "
                "resource.labels.NAME and metric.labels.NAME."
            )
    if metric_type is None:
        raise invalid_argument("Invalid filter: it must name a metric type (metric.type = ...).")
    short = metric_type[len(PREFIX) :] if metric_type.startswith(PREFIX) else ""
    info = METRICS.get(short)
    if info is None:
        raise invalid_argument(
            f"Invalid filter: unknown metric type {metric_type!r}; the embedded Vertex serves "
            + ", ".join(PREFIX + m for m in METRICS)
            + "."
        )
    if resource_type != RESOURCE_TYPE:
        resource["__type__"] = resource_type  # matches nothing
    for label in labels:
        if label not in ("deployed_model_id", info.label) or not label:
            raise invalid_argument(f"Invalid filter: {metric_type} has no metric label {label!r}.")
    for label in resource:
        if label not in ("resource_container", "location", "endpoint_id", "__type__"):
            raise invalid_argument(
                f"Invalid filter: {RESOURCE_TYPE} has no resource label {label!r}."
            )
    return short, info, resource, labels


def _seconds(text: str, field: str) -> tuple[int, int]:
    try:
        return parse_timestamp(text)
    except ValueError:
        raise invalid_argument(f"Invalid {field}: {text!r} is not an RFC 3339 timestamp.") from None


def _interval(request: dict[str, Any]) -> tuple[int, int]:
    """[start, end) in whole seconds (end rounded up)."""
    interval = request.get("interval") or {}
    if not interval.get("endTime"):
        raise invalid_argument("Invalid interval.endTime: it is required.")
    end_s, end_n = _seconds(interval["endTime"], "interval.endTime")
    end = end_s + (1 if end_n else 0)
    start = end
    if interval.get("startTime"):
        start = _seconds(interval["startTime"], "interval.startTime")[0]
        if start > end:
            raise invalid_argument(
                "Invalid interval: interval.startTime is later than interval.endTime."
            )
    return start, end


def _aggregation(request: dict[str, Any]) -> tuple[str, int, str, list[str]]:
    aggregation = request.get("aggregation") or {}
    aligner = str(aggregation.get("perSeriesAligner") or "ALIGN_NONE")
    reducer = str(aggregation.get("crossSeriesReducer") or "REDUCE_NONE")
    if aligner not in ALIGNERS:
        raise invalid_argument(
            f"Invalid aggregation.perSeriesAligner: {aligner} is not supported by the embedded "
            f"Vertex ({', '.join(ALIGNERS)})."
        )
    if reducer not in REDUCERS:
        raise invalid_argument(
            f"Invalid aggregation.crossSeriesReducer: {reducer} is not supported by the "
            f"embedded Vertex ({', '.join(REDUCERS)})."
        )
    period = 0
    text = aggregation.get("alignmentPeriod")
    if text:
        seconds = float(str(text).rstrip("s"))
        if seconds != int(seconds) or not MINUTE <= seconds <= MAX_ALIGNMENT:
            raise invalid_argument(
                f"Invalid aggregation.alignmentPeriod: {text}; it must be a whole number of "
                "seconds from 60s to 104 weeks."
            )
        period = int(seconds)
    if aligner != "ALIGN_NONE" and not period:
        raise invalid_argument(
            "Invalid aggregation.alignmentPeriod: it is required when "
            "aggregation.perSeriesAligner is set."
        )
    if reducer != "REDUCE_NONE" and aligner == "ALIGN_NONE":
        raise invalid_argument(
            "Invalid aggregation.perSeriesAligner: a crossSeriesReducer needs a per-series "
            "aligner other than ALIGN_NONE."
        )
    group_by = [str(f) for f in aggregation.get("groupByFields") or []]
    if group_by and reducer == "REDUCE_NONE":
        raise invalid_argument("Invalid aggregation.groupByFields: they need a crossSeriesReducer.")
    secondary = request.get("secondaryAggregation") or {}
    if any(secondary.get(k) for k in ("perSeriesAligner", "crossSeriesReducer", "groupByFields")):
        raise invalid_argument(
            "Invalid secondaryAggregation: not supported by the embedded Vertex."
        )
    return aligner, period, reducer, group_by


# answering ----------------------------------------------------------------------------


def _time(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _value(value: int | float | Distribution, value_type: str) -> dict[str, Any]:
    if isinstance(value, Distribution):
        return {"distributionValue": value.to_json()}
    if value_type == "INT64":
        return {"int64Value": str(int(value))}
    return {"doubleValue": float(value)}


def _render(series: Series, metric_type: str, unit: str, headers_only: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "metric": {"type": metric_type, "labels": series.metric_labels},
        "resource": {"type": RESOURCE_TYPE, "labels": series.resource_labels},
        "metricKind": series.kind,
        "valueType": series.value_type,
        "unit": unit,
    }
    if not headers_only:
        out["points"] = [
            {
                "interval": {"startTime": _time(p.start), "endTime": _time(p.end)},
                "value": _value(p.value, series.value_type),
            }
            for p in series.points
        ]
    return out


class _Page:
    """One query's series from its cells: filtered, aligned, reduced, paged, rendered."""

    def __init__(
        self,
        request: dict[str, Any],
        short: str,
        info: MetricInfo,
        resource: dict[str, str],
        labels: dict[str, str],
        times: tuple[int, int, int, int],
    ) -> None:
        self.request = request
        self.short, self.info = short, info
        self.resource, self.labels = resource, labels
        self.start, self.end, self.first, self.period = times

    def answer(
        self, cells: Cells, aligner: str, reducer: str, group_by: list[str]
    ) -> dict[str, Any]:
        request, info, name = self.request, self.info, PREFIX + self.short
        start, end, period = self.start, self.end, self.period
        series = [
            s
            for s in raw_series(cells, info, self.first if period else start, end)
            if all(s.resource_labels.get(k) == v for k, v in self.resource.items())
            and all(s.metric_labels.get(k) == v for k, v in self.labels.items())
        ]
        if period:
            series = align(series, aligner, period, start, end, name, info)
        series = reduce(series, reducer, group_by, info)
        series = [s for s in series if s.points]
        fingerprint = offset_pages.fingerprint(
            {k: v for k, v in request.items() if k not in ("pageToken", "pageSize")}
        )
        offset = offset_pages.offset(
            str(request.get("pageToken") or ""),
            fingerprint,
            field="pageToken",
            unreadable="Invalid pageToken: it is not a token this API gave.",
        )
        limit = min(int(request.get("pageSize") or 0) or MAX_PAGE, MAX_PAGE)
        headers_only = str(request.get("view") or "FULL") == "HEADERS"
        data: dict[str, Any] = {
            "timeSeries": [
                _render(s, name, info.unit, headers_only) for s in series[offset : offset + limit]
            ]
        }
        if offset + limit < len(series):
            data["nextPageToken"] = offset_pages.token(fingerprint, offset + limit)
        return data


async def list_time_series(call: Call) -> Reply:
    request = call.request
    parts = str(request.get("name", "")).split("/")
    if len(parts) != 2 or parts[0] != "projects":
        raise invalid_argument(f"Invalid name: {request.get('name')!r} is not projects/PROJECT.")
    project = project_number(parts[1])
    short, info, resource, labels = _metric(str(request.get("filter") or ""))
    start, end = _interval(request)
    aligner, period, reducer, group_by = _aggregation(request)
    if int(request.get("pageSize") or 0) < 0:
        raise invalid_argument("Invalid pageSize: it must not be negative.")
    metrics = call.ctx.get(Metrics)
    if metrics is None:  # pragma: no cover - always attached by the app
        raise failed_precondition("Metrics are not recorded by this embedded Vertex.")
    first = start - MINUTE
    if period:
        first = min(first, end - windows_in(start, end, period) * period)
    cells = await metrics.cells(
        project, short, first - first % MINUTE, end, resource.get("endpoint_id")
    )
    page = _Page(request, short, info, resource, labels, (start, end, first, period))
    # the arithmetic may cover many minutes (30 days): off the event loop
    data = await asyncio.to_thread(page.answer, cells, aligner, reducer, group_by)
    return Reply(RESPONSE, data)


def routes() -> list[Route]:
    load_types()
    return [Route("GET", "/v3/{name=projects/*}/timeSeries", REQUEST, list_time_series)]
