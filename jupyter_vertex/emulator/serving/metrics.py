"""Endpoint metrics as Vertex AI reports them to Cloud Monitoring: what is measured, the
distribution math, and the in-memory per-minute aggregate the predict route adds to.

Metric types are ``aiplatform.googleapis.com/prediction/online/<name>`` on the monitored
resource ``aiplatform.googleapis.com/Endpoint`` (labels ``resource_container`` = project
number, ``location``, ``endpoint_id``); every metric carries ``deployed_model_id``.

Latency distributions use Cloud Monitoring's exponential buckets with growth factor 1.2 and
scale 0.01 ms over 100 finite buckets (upper bound ~828 s): bucket 0 is [0, 0.01 ms), bucket
``i`` in 1..100 is [0.01·1.2^(i-1), 0.01·1.2^i) ms, bucket 101 is everything above. Percentiles
are read from the buckets by interpolating inside the bucket where the rank falls, so an
estimate is never off by more than one bucket's width (20 %).
"""

from __future__ import annotations

import bisect
import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

PREFIX = "aiplatform.googleapis.com/prediction/online/"
RESOURCE_TYPE = "aiplatform.googleapis.com/Endpoint"
GROWTH_FACTOR = 1.2
SCALE_MS = 0.01
FINITE_BUCKETS = 100
MINUTE = 60


@dataclass(frozen=True)
class MetricInfo:
    kind: str  # DELTA | GAUGE
    value_type: str  # INT64 | DOUBLE | DISTRIBUTION
    label: str  # the metric's own label besides deployed_model_id ("" if none)
    unit: str


METRICS: dict[str, MetricInfo] = {
    "prediction_count": MetricInfo("DELTA", "INT64", "", "1"),
    "error_count": MetricInfo("DELTA", "INT64", "", "1"),
    "response_count": MetricInfo("DELTA", "INT64", "response_code", "1"),
    "prediction_latencies": MetricInfo("DELTA", "DISTRIBUTION", "latency_type", "ms"),
    "replicas": MetricInfo("GAUGE", "INT64", "", "1"),
    "cpu/utilization": MetricInfo("GAUGE", "DOUBLE", "", "1"),
    "memory/bytes_used": MetricInfo("GAUGE", "INT64", "", "By"),
}


def bucket_index(value: float) -> int:
    """The exponential bucket a (non-negative) value falls in: one binary search of the
    buckets' exact bounds (on every predict request, so no logarithms)."""
    return bisect.bisect_right(_UPPER_BOUNDS, value)


def bucket_bounds(index: int) -> tuple[float, float]:
    """[lower, upper) of a bucket; the overflow bucket's upper bound is infinity."""
    if index == 0:
        return 0.0, SCALE_MS
    lower = SCALE_MS * GROWTH_FACTOR ** (index - 1)
    upper = SCALE_MS * GROWTH_FACTOR**index if index <= FINITE_BUCKETS else math.inf
    return lower, upper


# The upper bound of buckets 0..FINITE_BUCKETS, computed as bucket_bounds computes them.
_UPPER_BOUNDS = [SCALE_MS] + [SCALE_MS * GROWTH_FACTOR**i for i in range(1, FINITE_BUCKETS + 1)]


@dataclass
class Distribution:
    """count, mean, sum of squared deviations and sparse bucket counts of some values."""

    count: int = 0
    mean: float = 0.0
    m2: float = 0.0  # sum of squared deviations from the mean
    buckets: dict[int, int] = field(default_factory=dict)

    def add(self, value: float) -> None:
        self.count += 1
        delta = value - self.mean
        self.mean += delta / self.count
        self.m2 += delta * (value - self.mean)
        index = bucket_index(value)
        self.buckets[index] = self.buckets.get(index, 0) + 1

    def merge(self, other: Distribution) -> None:
        """Add another distribution's values (Chan et al.'s parallel variance)."""
        if other.count == 0:
            return
        total = self.count + other.count
        delta = other.mean - self.mean
        self.m2 += other.m2 + delta * delta * self.count * other.count / total
        self.mean += delta * other.count / total
        self.count = total
        for index, n in other.buckets.items():
            self.buckets[index] = self.buckets.get(index, 0) + n

    def copy(self) -> Distribution:
        return Distribution(self.count, self.mean, self.m2, dict(self.buckets))

    def percentile(self, percent: float) -> float | None:
        """The ``percent`` (0..100) percentile estimated from the buckets."""
        if self.count == 0:
            return None
        rank = percent / 100.0 * self.count
        seen = 0
        for index in sorted(self.buckets):
            n = self.buckets[index]
            if seen + n >= rank and n:
                lower, upper = bucket_bounds(index)
                if math.isinf(upper):
                    return lower
                return lower + (upper - lower) * max(0.0, rank - seen) / n
            seen += n
        return bucket_bounds(max(self.buckets))[0]  # pragma: no cover - rank <= count

    def to_json(self) -> dict[str, Any]:
        """Cloud Monitoring's ``Distribution`` (proto3 JSON)."""
        last = max(self.buckets, default=-1)
        return {
            "count": str(self.count),
            "mean": self.mean,
            "sumOfSquaredDeviation": self.m2,
            "bucketOptions": {
                "exponentialBuckets": {
                    "numFiniteBuckets": FINITE_BUCKETS,
                    "growthFactor": GROWTH_FACTOR,
                    "scale": SCALE_MS,
                }
            },
            "bucketCounts": [str(self.buckets.get(i, 0)) for i in range(last + 1)],
        }

    def to_row(self) -> list[Any]:
        return [self.count, self.mean, self.m2, sorted(self.buckets.items())]

    @classmethod
    def from_row(cls, row: list[Any]) -> Distribution:
        count, mean, m2, buckets = row
        return cls(int(count), float(mean), float(m2), {int(i): int(n) for i, n in buckets})


@dataclass(frozen=True)
class SeriesKey:
    """One time series: where it was measured and its metric labels."""

    project: str  # the project number
    location: str
    endpoint_id: str
    metric: str  # the short name, a key of METRICS
    deployed_model_id: str
    label: str = ""  # the value of the metric's own label (response_code / latency_type)


@dataclass
class Cell:
    """One series' minute: a sum and a sample count (GAUGE: mean = total / samples), or a
    distribution."""

    total: float = 0.0
    samples: int = 0
    distribution: Distribution | None = None

    def merge(self, other: Cell) -> None:
        self.total += other.total
        self.samples += other.samples
        if other.distribution is not None:
            if self.distribution is None:
                self.distribution = Distribution()
            self.distribution.merge(other.distribution)

    def copy(self) -> Cell:
        dist = self.distribution.copy() if self.distribution is not None else None
        return Cell(self.total, self.samples, dist)


Cells = dict[tuple[SeriesKey, int], Cell]


def minute_of(seconds: float) -> int:
    return int(seconds // MINUTE) * MINUTE


class Aggregate:
    """Measurements not yet written to SQLite, summed per series and minute."""

    def __init__(self) -> None:
        self.cells: Cells = {}

    def _cell(self, key: SeriesKey, minute: int) -> Cell:
        cell = self.cells.get((key, minute))
        if cell is None:
            cell = self.cells[(key, minute)] = Cell()
        return cell

    def count(self, key: SeriesKey, minute: int, n: int) -> None:
        cell = self._cell(key, minute)
        cell.total += n
        cell.samples += 1

    def observe(self, key: SeriesKey, minute: int, value: float) -> None:
        cell = self._cell(key, minute)
        if cell.distribution is None:
            cell.distribution = Distribution()
        cell.distribution.add(value)

    def sample(self, key: SeriesKey, minute: int, value: float) -> None:
        cell = self._cell(key, minute)
        cell.total += value
        cell.samples += 1

    def take(self) -> Cells:
        """Hand over everything measured so far and start empty."""
        cells, self.cells = self.cells, {}
        return cells

    def snapshot(self) -> Cells:
        return {key: cell.copy() for key, cell in self.cells.items()}


@dataclass(frozen=True)
class Where:
    """The endpoint a request was addressed to."""

    project: str
    location: str
    endpoint_id: str


def record_request(
    aggregate: Aggregate,
    where: Where,
    *,
    deployed_model_id: str,
    instances: int,
    status: int,
    total_ms: float,
    model_ms: float | None,
    now: float,
) -> None:
    """Add one predict request to the aggregate: its predictions, response code, error and
    latencies (model: inside the model server; overhead: the rest; total)."""
    minute = minute_of(now)
    keys = _series_keys(where, deployed_model_id, status)
    if deployed_model_id:
        aggregate.count(keys[0], minute, instances)
    aggregate.count(keys[1], minute, 1)
    aggregate.count(keys[2], minute, 1 if status >= 400 else 0)
    if deployed_model_id:
        aggregate.observe(keys[3], minute, total_ms)
        if model_ms is not None:
            aggregate.observe(keys[4], minute, model_ms)
            aggregate.observe(keys[5], minute, max(0.0, total_ms - model_ms))


@functools.lru_cache(maxsize=4096)
def _series_keys(where: Where, deployed_model_id: str, status: int) -> tuple[SeriesKey, ...]:
    """The series one request adds to, made once per endpoint, deployed model and status:
    prediction, response and error counts; total, model and overhead latencies."""
    place = (where.project, where.location, where.endpoint_id)
    return (
        SeriesKey(*place, "prediction_count", deployed_model_id),
        SeriesKey(*place, "response_count", deployed_model_id, str(status)),
        SeriesKey(*place, "error_count", deployed_model_id),
        SeriesKey(*place, "prediction_latencies", deployed_model_id, "total"),
        SeriesKey(*place, "prediction_latencies", deployed_model_id, "model"),
        SeriesKey(*place, "prediction_latencies", deployed_model_id, "overhead"),
    )


def merge_cells(parts: Iterable[Cells]) -> Cells:
    out: Cells = {}
    for cells in parts:
        for key, cell in cells.items():
            found = out.get(key)
            if found is None:
                out[key] = cell.copy()
            else:
                found.merge(cell)
    return out
