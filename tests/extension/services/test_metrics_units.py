"""Units of the extension's metrics: percentiles from Monitoring distributions (every bucket
layout)."""

from __future__ import annotations

from google.api import distribution_pb2

from jupyter_vertex.services.metrics import percentile


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
