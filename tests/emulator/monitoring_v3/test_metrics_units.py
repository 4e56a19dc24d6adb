"""The metrics arithmetic: exponential buckets, distribution merging and percentiles,
per-minute aggregation, alignment windows and cross-series reduction."""

from __future__ import annotations

import asyncio
import random
import statistics
from types import SimpleNamespace
from typing import Any

import pytest

from jupyter_vertex.emulator.aiplatform_v1.predict import RoutingCache
from jupyter_vertex.emulator.core.errors import ApiError
from jupyter_vertex.emulator.monitoring_v3.timeseries import align, raw_series, reduce
from jupyter_vertex.emulator.serving.metrics import (
    METRICS,
    Aggregate,
    Distribution,
    Where,
    bucket_bounds,
    bucket_index,
    record_request,
)


def test_bucket_bounds_hold_their_values() -> None:
    assert bucket_index(0.0) == 0 and bucket_index(0.00999) == 0
    assert bucket_index(0.01) == 1 and bucket_index(0.012) == 2
    assert bucket_index(1e9) == 101
    for value in (0.013, 0.5, 1.0, 2.07, 33.3, 999.0):
        lower, upper = bucket_bounds(bucket_index(value))
        assert lower <= value < upper


def test_merged_distributions_equal_one_of_all_values() -> None:
    rng = random.Random(7)  # noqa: S311 - test data
    values = [rng.uniform(0.1, 50) for _ in range(500)]
    one, left, right = Distribution(), Distribution(), Distribution()
    for index, value in enumerate(values):
        one.add(value)
        (left if index % 3 else right).add(value)
    left.merge(right)
    assert left.count == one.count == 500
    assert left.mean == pytest.approx(statistics.fmean(values))
    assert left.m2 == pytest.approx(statistics.pvariance(values) * 500)
    assert left.buckets == one.buckets
    for percent in (50, 95, 99):
        exact = statistics.quantiles(values, n=100)[percent - 1]
        lower, upper = bucket_bounds(bucket_index(exact))
        assert lower * 0.999 <= one.percentile(percent) <= upper * 1.2  # type: ignore[operator]
    assert Distribution().percentile(50) is None


def test_requests_aggregate_per_minute_and_align_and_reduce() -> None:
    aggregate = Aggregate()
    where = Where("123", "us-central1", "9")
    for second, (deployed, status, n) in enumerate(
        [("1", 200, 2), ("1", 400, 1), ("2", 200, 3), ("", 400, 0)]
    ):
        record_request(
            aggregate,
            where,
            deployed_model_id=deployed,
            instances=n,
            status=status,
            total_ms=2.0,
            model_ms=1.0 if deployed else None,
            now=600 + second * 30,  # minutes 600 and 660
        )
    info = METRICS["prediction_count"]
    cells = {k: c for k, c in aggregate.cells.items() if k[0].metric == "prediction_count"}
    series = raw_series(cells, info, 600, 720)
    assert [
        (s.metric_labels["deployed_model_id"], [p.value for p in s.points]) for s in series
    ] == [
        ("1", [3]),
        ("2", [3]),
    ]
    aligned = align(series, "ALIGN_RATE", 60, 600, 720, "prediction_count", info)
    assert [[(p.end, p.value) for p in s.points] for s in aligned] == [[(660, 0.05)], [(720, 0.05)]]
    summed = reduce(
        align(series, "ALIGN_DELTA", 120, 600, 720, "prediction_count", info),
        "REDUCE_SUM",
        [],
        info,
    )
    assert [(s.metric_labels, [(p.start, p.end, p.value) for p in s.points]) for s in summed] == [
        ({}, [(600, 720, 6)])
    ]
    codes = {k: c for k, c in aggregate.cells.items() if k[0].metric == "response_count"}
    by_code = reduce(
        align(
            raw_series(codes, METRICS["response_count"], 600, 720),
            "ALIGN_SUM",
            120,
            600,
            720,
            "response_count",
            METRICS["response_count"],
        ),
        "REDUCE_SUM",
        ["metric.label.response_code"],
        METRICS["response_count"],
    )
    assert {s.metric_labels["response_code"]: s.points[0].value for s in by_code} == {
        "200": 2,
        "400": 2,
    }
    with pytest.raises(ApiError, match="ALIGN_RATE does not apply to the DISTRIBUTION"):
        align([], "ALIGN_RATE", 60, 0, 60, "x", METRICS["prediction_latencies"])


def test_routing_is_read_once_per_store_generation() -> None:
    """The predict route's routing cache reads the store only after a write."""
    reads: list[str] = []

    class Store:
        generation = 0

        async def read(self, fn: Any) -> Any:
            reads.append("read")
            return f"routing@{self.generation}"

    ctx: Any = SimpleNamespace(store=Store())
    cache = RoutingCache()

    async def three() -> list[Any]:
        return [await cache.get(ctx, "projects/1/locations/l/endpoints/9") for _ in range(3)]

    assert asyncio.run(three()) == ["routing@0"] * 3 and len(reads) == 1
    ctx.store.generation = 1  # a deploy, undeploy or traffic change committed
    assert asyncio.run(three()) == ["routing@1"] * 3 and len(reads) == 2
