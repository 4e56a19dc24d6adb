"""Cloud Monitoring's time-series arithmetic over per-minute cells: raw series, per-series
alignment (ALIGN_NONE, DELTA, RATE, SUM, MEAN, MAX, PERCENTILE_50/95/99) and cross-series
reduction (REDUCE_NONE, SUM, MEAN, MAX with group-by fields), as ``timeSeries.list`` does.

Alignment windows end at the request's end time and step back by the alignment period:
window ``k`` is [end - (k+1)·P, end - k·P); a minute belongs to the window holding its start.
Windows without data have no point, as in Cloud Monitoring.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..core.errors import invalid_argument
from ..serving.metrics import MINUTE, Cells, Distribution, MetricInfo, SeriesKey

Value = int | float | Distribution

ALIGNERS = (
    "ALIGN_NONE",
    "ALIGN_DELTA",
    "ALIGN_RATE",
    "ALIGN_SUM",
    "ALIGN_MEAN",
    "ALIGN_MAX",
    "ALIGN_PERCENTILE_50",
    "ALIGN_PERCENTILE_95",
    "ALIGN_PERCENTILE_99",
)
REDUCERS = ("REDUCE_NONE", "REDUCE_SUM", "REDUCE_MEAN", "REDUCE_MAX")


@dataclass
class Point:
    start: int  # unix seconds
    end: int
    value: Value


@dataclass
class Series:
    metric_labels: dict[str, str]
    resource_labels: dict[str, str]
    kind: str
    value_type: str
    points: list[Point] = field(default_factory=list)  # newest first

    def sort_key(self) -> tuple[tuple[str, str], ...]:
        return tuple(sorted({**self.resource_labels, **self.metric_labels}.items()))


def _labels(key: SeriesKey, info: MetricInfo) -> tuple[dict[str, str], dict[str, str]]:
    metric = {"deployed_model_id": key.deployed_model_id}
    if info.label:
        metric[info.label] = key.label
    resource = {
        "resource_container": key.project,
        "location": key.location,
        "endpoint_id": key.endpoint_id,
    }
    return metric, resource


def raw_series(cells: Cells, info: MetricInfo, start: int, end: int) -> list[Series]:
    """One series per key with one point per minute overlapping [start, end)."""
    by_key: dict[SeriesKey, list[Point]] = defaultdict(list)
    for (key, minute), cell in cells.items():
        if not (minute < end and minute + MINUTE > start):
            continue
        value: Value
        if info.value_type == "DISTRIBUTION":
            value = cell.distribution or Distribution()
        elif info.kind == "GAUGE":
            mean = cell.total / cell.samples if cell.samples else 0.0
            value = round(mean) if info.value_type == "INT64" else mean
        else:
            value = int(cell.total)
        if info.kind == "GAUGE":
            by_key[key].append(Point(minute + MINUTE, minute + MINUTE, value))
        else:
            by_key[key].append(Point(minute, minute + MINUTE, value))
    out = []
    for key, points in by_key.items():
        metric, resource = _labels(key, info)
        points.sort(key=lambda p: p.end, reverse=True)
        out.append(Series(metric, resource, info.kind, info.value_type, points))
    out.sort(key=Series.sort_key)
    return out


def _percentile(values: list[float], percent: float) -> float:
    ordered = sorted(values)
    position = percent / 100.0 * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _merged(values: list[Value]) -> Distribution:
    total = Distribution()
    for value in values:
        assert isinstance(value, Distribution)
        total.merge(value)
    return total


def check_aligner(aligner: str, info: MetricInfo, name: str) -> tuple[str, str]:
    """(kind, value type) of the aligned series; INVALID_ARGUMENT if it does not apply."""
    distribution = info.value_type == "DISTRIBUTION"
    if aligner in ("ALIGN_DELTA", "ALIGN_RATE") and info.kind == "GAUGE":
        raise invalid_argument(
            f"Invalid aggregation.perSeriesAligner: {aligner} applies to DELTA and CUMULATIVE "
            f"metrics; {name} is a GAUGE metric."
        )
    if aligner in ("ALIGN_RATE", "ALIGN_MAX") and distribution:
        raise invalid_argument(
            f"Invalid aggregation.perSeriesAligner: {aligner} does not apply to the "
            f"DISTRIBUTION metric {name}; use ALIGN_DELTA, ALIGN_SUM, ALIGN_MEAN or "
            "ALIGN_PERCENTILE_50/95/99."
        )
    if aligner in ("ALIGN_DELTA", "ALIGN_SUM"):
        return info.kind, info.value_type
    if aligner == "ALIGN_MAX":
        return "GAUGE", info.value_type
    return "GAUGE", "DOUBLE"  # RATE, MEAN, PERCENTILE_*


def _align_value(aligner: str, values: list[Value], period: int) -> Value:
    numbers = [float(v) for v in values if not isinstance(v, Distribution)]
    if values and isinstance(values[0], Distribution):
        merged = _merged(values)
        if aligner in ("ALIGN_DELTA", "ALIGN_SUM"):
            return merged
        if aligner == "ALIGN_MEAN":
            return merged.mean
        percent = float(aligner.rsplit("_", 1)[1])
        found = merged.percentile(percent)
        return 0.0 if found is None else found
    if aligner in ("ALIGN_DELTA", "ALIGN_SUM"):
        total = sum(numbers)
        return int(total) if all(isinstance(v, int) for v in values) else total
    if aligner == "ALIGN_RATE":
        return sum(numbers) / period
    if aligner == "ALIGN_MEAN":
        return sum(numbers) / len(numbers)
    if aligner == "ALIGN_MAX":
        best = max(values, key=lambda v: float(v))  # type: ignore[arg-type]
        return best
    return _percentile(numbers, float(aligner.rsplit("_", 1)[1]))


def align(
    series: list[Series],
    aligner: str,
    period: int,
    start: int,
    end: int,
    name: str,
    info: MetricInfo,
) -> list[Series]:
    """Each series as one point per alignment window (newest first)."""
    if aligner == "ALIGN_NONE":
        return series
    kind, value_type = check_aligner(aligner, info, name)
    count = windows_in(start, end, period)
    out = []
    for one in series:
        windows: dict[int, list[Point]] = defaultdict(list)
        for point in one.points:
            minute = point.end - MINUTE if info.kind == "GAUGE" else point.start
            k = (end - 1 - minute) // period
            if minute < end and k < count:
                windows[k].append(point)
        points = []
        for k in sorted(windows):
            window_end = end - k * period
            value = _align_value(aligner, [p.value for p in windows[k]], period)
            begin = window_end - period if kind == "DELTA" else window_end
            points.append(Point(begin, window_end, value))
        if points:
            out.append(Series(one.metric_labels, one.resource_labels, kind, value_type, points))
    return out


def windows_in(start: int, end: int, period: int) -> int:
    """How many alignment windows cover [start, end) (at least one)."""
    return max(1, -(-(end - start) // period))


GROUPABLE_RESOURCE = ("resource_container", "location", "endpoint_id")


def group_label(field_name: str, info: MetricInfo) -> tuple[str, str]:
    """("metric"|"resource", label) for a group-by field, or INVALID_ARGUMENT."""
    for prefix in ("metric.label.", "metric.labels."):
        if field_name.startswith(prefix):
            label = field_name[len(prefix) :]
            if label in ("deployed_model_id", info.label) and label:
                return "metric", label
    for prefix in ("resource.label.", "resource.labels."):
        if field_name.startswith(prefix):
            label = field_name[len(prefix) :]
            if label in GROUPABLE_RESOURCE:
                return "resource", label
    raise invalid_argument(
        f"Invalid aggregation.groupByFields: {field_name!r} is not a label of this metric or "
        "of aiplatform.googleapis.com/Endpoint (use metric.label.NAME or resource.label.NAME)."
    )


def reduce(
    series: list[Series], reducer: str, group_by: list[str], info: MetricInfo
) -> list[Series]:
    """Combine aligned series point by point within groups of equal group-by labels."""
    if reducer == "REDUCE_NONE":
        return series
    fields = [group_label(f, info) for f in group_by]
    if series and series[0].value_type == "DISTRIBUTION" and reducer == "REDUCE_MAX":
        raise invalid_argument(
            "Invalid aggregation.crossSeriesReducer: REDUCE_MAX does not apply to "
            "DISTRIBUTION values; use REDUCE_SUM."
        )
    groups: dict[tuple[str, ...], list[Series]] = defaultdict(list)
    for one in series:
        values = tuple(
            (one.metric_labels if where == "metric" else one.resource_labels).get(label, "")
            for where, label in fields
        )
        groups[values].append(one)
    out = []
    for values, members in groups.items():
        pairs = list(zip(fields, values, strict=True))
        metric = {lab: v for (where, lab), v in pairs if where == "metric"}
        resource = {lab: v for (where, lab), v in pairs if where == "resource"}
        by_time: dict[tuple[int, int], list[Value]] = defaultdict(list)
        for one in members:
            for point in one.points:
                by_time[(point.start, point.end)].append(point.value)
        first = members[0]
        value_type = "DOUBLE" if reducer == "REDUCE_MEAN" else first.value_type
        points = []
        for (begin, finish), found in sorted(by_time.items(), key=lambda i: -i[0][1]):
            points.append(Point(begin, finish, _reduce_value(reducer, found)))
        out.append(Series(metric, resource, first.kind, value_type, points))
    out.sort(key=Series.sort_key)
    return out


def _numbers(values: list[Value]) -> list[float]:
    return [float(v) for v in values if not isinstance(v, Distribution)]


def _reduce_value(reducer: str, values: list[Value]) -> Value:
    if isinstance(values[0], Distribution):
        merged = _merged(values)
        return merged.mean if reducer == "REDUCE_MEAN" else merged
    numbers = _numbers(values)
    if reducer == "REDUCE_SUM":
        return int(sum(numbers)) if all(isinstance(v, int) for v in values) else sum(numbers)
    if reducer == "REDUCE_MEAN":
        return sum(numbers) / len(numbers)
    best = max(range(len(numbers)), key=numbers.__getitem__)
    return values[best]
