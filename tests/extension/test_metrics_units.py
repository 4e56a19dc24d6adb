"""Units of the extension's metrics: percentiles from Monitoring distributions (every bucket
layout), and the Monitoring REST transport's query parameters."""

from __future__ import annotations

from google.api import distribution_pb2
from google.cloud.monitoring_v3.types import metric_service

from jupyter_vertex.services.metrics import percentile
from jupyter_vertex.services.monitoring_rest import _query


def _distribution(options: dict[str, object], counts: list[int]) -> distribution_pb2.Distribution:
    value = distribution_pb2.Distribution(count=sum(counts), mean=1.0, bucket_counts=counts)
    value.bucket_options.MergeFrom(distribution_pb2.Distribution.BucketOptions(**options))
    return value


def test_percentiles_interpolate_inside_the_bucket() -> None:
    exponential = distribution_pb2.Distribution.BucketOptions.Exponential(
        num_finite_buckets=3, growth_factor=2.0, scale=1.0
    )  # [0,1) [1,2) [2,4) [4,8) [8,inf)
    value = _distribution({"exponential_buckets": exponential}, [0, 2, 2, 0, 0])
    assert percentile(value, 50) == 2.0
    assert percentile(value, 75) == 3.0
    assert percentile(value, 25) == 1.5
    linear = distribution_pb2.Distribution.BucketOptions.Linear(
        num_finite_buckets=2, width=10.0, offset=0.0
    )  # (-inf,0) [0,10) [10,20) [20,inf)
    assert percentile(_distribution({"linear_buckets": linear}, [0, 0, 4]), 50) == 15.0
    explicit = distribution_pb2.Distribution.BucketOptions.Explicit(bounds=[5.0, 7.0])
    assert percentile(_distribution({"explicit_buckets": explicit}, [0, 1, 1]), 50) == 7.0
    assert percentile(distribution_pb2.Distribution(), 50) is None


def test_the_rest_transport_sends_every_field_as_a_query_parameter() -> None:
    request = metric_service.ListTimeSeriesRequest(
        name="projects/p",
        filter='metric.type = "x"',
        interval={"start_time": {"seconds": 60}, "end_time": {"seconds": 120}},
        aggregation={
            "alignment_period": {"seconds": 60},
            "per_series_aligner": "ALIGN_RATE",
            "cross_series_reducer": "REDUCE_SUM",
            "group_by_fields": ["metric.label.a", "resource.label.b"],
        },
        page_size=5,
    )
    assert sorted(_query(request)) == sorted(
        [
            ("filter", 'metric.type = "x"'),
            ("interval.startTime", "1970-01-01T00:01:00Z"),
            ("interval.endTime", "1970-01-01T00:02:00Z"),
            ("aggregation.alignmentPeriod", "60s"),
            ("aggregation.perSeriesAligner", "ALIGN_RATE"),
            ("aggregation.crossSeriesReducer", "REDUCE_SUM"),
            ("aggregation.groupByFields", "metric.label.a"),
            ("aggregation.groupByFields", "resource.label.b"),
            ("pageSize", "5"),
        ]
    )
