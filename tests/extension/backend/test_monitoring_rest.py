"""The Monitoring REST transport: every request field becomes a query parameter."""

from __future__ import annotations

from google.cloud.monitoring_v3.types import metric_service

from jupyter_vertex.backend.monitoring_rest import query_params


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
    assert sorted(query_params(request)) == sorted(
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
