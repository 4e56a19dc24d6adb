"""Endpoint metrics measured at the embedded Vertex's predict route, read back through the
real Cloud Monitoring client library (``MetricServiceClient.list_time_series``)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from google.api import metric_pb2
from google.api_core import exceptions
from google.cloud import monitoring_v3
from google.oauth2.credentials import Credentials
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from jupyter_vertex.backend.monitoring_rest import register
from jupyter_vertex.emulator.testing import EmulatorProcess

from ..emulator_api import Api
from ..serving_helpers import sklearn_model, wait_for

PREFIX = "aiplatform.googleapis.com/prediction/online/"
Aligner = monitoring_v3.Aggregation.Aligner
Reducer = monitoring_v3.Aggregation.Reducer
FEATURES, TARGET = load_digits(return_X_y=True)


@pytest.fixture(scope="module")
def classifier() -> LogisticRegression:
    return LogisticRegression(max_iter=300).fit(FEATURES[:500], TARGET[:500])


def _deploy_digits(
    api: Api, endpoint: dict[str, Any], classifier: Any, traffic: dict[str, int] | None = None
) -> str:
    """Upload the classifier (model.joblib in local storage), deploy it; its deployed id."""
    model = sklearn_model(api, classifier)
    resources = {"machineSpec": {"machineType": "n1-standard-2"}, "minReplicaCount": 1}
    body: dict[str, Any] = {
        "deployedModel": {"model": model["name"], "dedicatedResources": resources}
    }
    if traffic is not None:
        body["trafficSplit"] = traffic
    operation = api.ok("POST", f"v1/{endpoint['name']}:deployModel", body)
    done = wait_for(
        "the deploy operation",
        lambda: (op := api.ok("GET", f"v1/{operation['name']}")).get("done") and op,
    )
    assert "error" not in done, done
    return str(done["response"]["deployedModel"]["id"])


@pytest.fixture
def monitoring(emulator: EmulatorProcess) -> Iterator[monitoring_v3.MetricServiceClient]:
    register()
    client = monitoring_v3.MetricServiceClient(
        transport="rest",
        client_options={"api_endpoint": emulator.url},
        credentials=Credentials(token=emulator.token),
    )
    yield client
    client.transport.close()


def _series(
    client: monitoring_v3.MetricServiceClient,
    project: str,
    metric: str,
    endpoint_id: str,
    aligner: Any = Aligner.ALIGN_NONE,
    reducer: Any = Reducer.REDUCE_NONE,
    group_by: tuple[str, ...] = (),
    extra_filter: str = "",
    period: int = 3600,
    **request: Any,
) -> list[Any]:
    now = int(time.time()) + 1
    aggregation: dict[str, Any] = {
        "per_series_aligner": aligner,
        "cross_series_reducer": reducer,
        "group_by_fields": list(group_by),
    }
    if aligner != Aligner.ALIGN_NONE:
        aggregation["alignment_period"] = {"seconds": period}
    pager = client.list_time_series(
        request={
            "name": f"projects/{project}",
            "filter": f'metric.type = "{PREFIX}{metric}" AND '
            f'resource.labels.endpoint_id = "{endpoint_id}"{extra_filter}',
            "interval": {"start_time": {"seconds": now - 3600}, "end_time": {"seconds": now}},
            "aggregation": aggregation,
            **request,
        }
    )
    return list(pager)


def _int_sum(series: list[Any]) -> int:
    return sum(p.value.int64_value for s in series for p in s.points)


def test_every_request_is_counted_and_timed(
    api: Api,
    monitoring: monitoring_v3.MetricServiceClient,
    classifier: Any,
) -> None:
    endpoint = api.create_endpoint()
    endpoint_id = endpoint["name"].rsplit("/", 1)[1]
    deployed_id = _deploy_digits(api, endpoint, classifier)
    sent, failures, client_ms = 0, 0, []
    for index in range(40):
        rows = FEATURES[index : index + 1 + index % 3].tolist()
        if index % 8 == 3:  # the wrong number of features: the model's own 400
            rows = [row[:5] for row in rows]
        sent += len(rows)
        started = time.perf_counter()
        response = api.call("POST", f"v1/{endpoint['name']}:predict", {"instances": rows})
        client_ms.append((time.perf_counter() - started) * 1000)
        if index % 8 == 3:
            assert response.status_code == 400, response.text
            failures += 1
        else:
            assert response.status_code == 200, response.text
    assert failures == 5

    counts = _series(monitoring, api.project, "prediction_count", endpoint_id)
    assert [dict(s.metric.labels) for s in counts] == [{"deployed_model_id": deployed_id}]
    assert dict(counts[0].resource.labels) == {
        "resource_container": endpoint["name"].split("/")[1],
        "location": "us-central1",
        "endpoint_id": endpoint_id,
    }
    kinds = (counts[0].metric_kind, counts[0].value_type)
    assert kinds == (metric_pb2.MetricDescriptor.DELTA, metric_pb2.MetricDescriptor.INT64)
    assert _int_sum(counts) == sent
    summed = _series(
        monitoring,
        api.project,
        "prediction_count",
        endpoint_id,
        Aligner.ALIGN_SUM,
        Reducer.REDUCE_SUM,
    )
    assert [len(s.points) for s in summed] == [1] and _int_sum(summed) == sent
    rate = _series(
        monitoring, api.project, "prediction_count", endpoint_id, Aligner.ALIGN_RATE, period=60
    )
    assert round(sum(p.value.double_value for s in rate for p in s.points) * 60) == sent

    errors = _series(
        monitoring, api.project, "error_count", endpoint_id, Aligner.ALIGN_DELTA, Reducer.REDUCE_SUM
    )
    assert _int_sum(errors) == failures
    codes = _series(
        monitoring,
        api.project,
        "response_count",
        endpoint_id,
        Aligner.ALIGN_DELTA,
        Reducer.REDUCE_SUM,
        ("metric.label.response_code",),
    )
    assert {s.metric.labels["response_code"]: _int_sum([s]) for s in codes} == {
        "200": 40 - failures,
        "400": failures,
    }

    def p50(latency_type: str) -> float:
        found = _series(
            monitoring,
            api.project,
            "prediction_latencies",
            endpoint_id,
            Aligner.ALIGN_PERCENTILE_50,
            extra_filter=f' AND metric.labels.latency_type = "{latency_type}"',
        )
        assert len(found) == 1 and len(found[0].points) == 1
        return float(found[0].points[0].value.double_value)

    total, model, overhead = p50("total"), p50("model"), p50("overhead")
    # a bucket estimate is below the upper bound of the true value's bucket (x1.2), and the
    # true p50 inside the emulator is at most the p50 the client saw
    assert 0 < model <= total <= 1.2 * statistics.median(client_ms)
    assert 0 < overhead <= total
    raw = _series(
        monitoring,
        api.project,
        "prediction_latencies",
        endpoint_id,
        extra_filter=' AND metric.labels.latency_type = "total"',
    )
    assert sum(p.value.distribution_value.count for p in raw[0].points) == 40

    # the model servers are sampled: one replica, its memory, then its CPU
    def gauges() -> dict[str, Any] | None:
        found = {
            name: _series(monitoring, api.project, name, endpoint_id, Aligner.ALIGN_MAX, period=60)
            for name in ("replicas", "memory/bytes_used", "cpu/utilization")
        }
        return found if all(found.values()) else None

    sampled = wait_for("replicas, memory and CPU samples", gauges, timeout=45)
    assert sampled["replicas"][0].points[0].value.int64_value == 1
    assert sampled["memory/bytes_used"][0].points[0].value.int64_value > 20_000_000
    assert 0.0 <= sampled["cpu/utilization"][0].points[0].value.double_value <= 1.0


def test_failures_before_a_model_and_paging(
    api: Api, monitoring: monitoring_v3.MetricServiceClient
) -> None:
    endpoint = api.create_endpoint()
    endpoint_id = endpoint["name"].rsplit("/", 1)[1]
    for _ in range(3):
        api.error(
            "POST",
            f"v1/{endpoint['name']}:predict",
            {"instances": [[1]]},
            status="FAILED_PRECONDITION",
        )
    api.error("POST", f"v1/{endpoint['name']}:predict", {"instances": 3}, status="INVALID_ARGUMENT")
    codes = _series(monitoring, api.project, "response_count", endpoint_id)
    assert [(dict(s.metric.labels), _int_sum([s])) for s in codes] == [
        ({"deployed_model_id": "", "response_code": "400"}, 4)
    ]
    assert _series(monitoring, api.project, "prediction_count", endpoint_id) == []
    errors = _series(
        monitoring, api.project, "error_count", endpoint_id, Aligner.ALIGN_SUM, period=60
    )
    assert _int_sum(errors) == 4
    # HEADERS: the series without points; page size 1 pages through the client's pager
    other = api.create_endpoint()
    api.error(
        "POST", f"v1/{other['name']}:predict", {"instances": [[1]]}, status="FAILED_PRECONDITION"
    )
    now = int(time.time()) + 1
    pager = monitoring.list_time_series(
        request={
            "name": f"projects/{api.project}",
            "filter": f'metric.type = "{PREFIX}error_count"',
            "interval": {"start_time": {"seconds": now - 600}, "end_time": {"seconds": now}},
            "view": monitoring_v3.ListTimeSeriesRequest.TimeSeriesView.HEADERS,
            "page_size": 1,
        }
    )
    pages = list(pager.pages)
    assert [len(p.time_series) for p in pages] == [1, 1]
    assert sorted(s.resource.labels["endpoint_id"] for p in pages for s in p.time_series) == sorted(
        [endpoint_id, other["name"].rsplit("/", 1)[1]]
    )
    assert all(not s.points for p in pages for s in p.time_series)


def test_bad_requests_name_the_parameter(
    api: Api, monitoring: monitoring_v3.MetricServiceClient
) -> None:
    endpoint_id = "123"
    with pytest.raises(exceptions.BadRequest) as caught:
        _series(
            monitoring,
            api.project,
            "prediction_latencies",
            endpoint_id,
            Aligner.ALIGN_RATE,
        )
    assert "Invalid aggregation.perSeriesAligner: ALIGN_RATE does not apply to the " in str(
        caught.value
    )
    with pytest.raises(exceptions.BadRequest) as caught:
        _series(monitoring, api.project, "nothing", endpoint_id)
    assert f"unknown metric type '{PREFIX}nothing'" in str(caught.value)
    with pytest.raises(exceptions.BadRequest) as caught:
        _series(monitoring, api.project, "replicas", endpoint_id, Aligner.ALIGN_DELTA)
    assert "ALIGN_DELTA applies to DELTA and CUMULATIVE metrics" in str(caught.value)
    with pytest.raises(exceptions.BadRequest) as caught:
        _series(
            monitoring,
            api.project,
            "error_count",
            endpoint_id,
            Aligner.ALIGN_SUM,
            Reducer.REDUCE_SUM,
            ("metric.label.nope",),
        )
    assert "Invalid aggregation.groupByFields: 'metric.label.nope'" in str(caught.value)
    with pytest.raises(exceptions.BadRequest) as caught:
        _series(monitoring, api.project, "error_count", endpoint_id, Aligner.ALIGN_SUM, period=30)
    assert "Invalid aggregation.alignmentPeriod: 30s" in str(caught.value)
    response = api.call(
        "GET",
        f"v3/projects/{api.project}/timeSeries",
        params={"filter": f'metric.type = "{PREFIX}error_count"'},
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Invalid interval.endTime: it is required."


def test_metrics_are_kept_across_a_restart(tmp_path: Path) -> None:
    register()
    with EmulatorProcess(tmp_path / "vertex") as emu:
        api = Api(emu, "kept")
        endpoint = api.create_endpoint()
        endpoint_id = endpoint["name"].rsplit("/", 1)[1]
        for _ in range(2):
            api.error(
                "POST",
                f"v1/{endpoint['name']}:predict",
                {"instances": [[1]]},
                status="FAILED_PRECONDITION",
            )
        emu.restart()
        client = monitoring_v3.MetricServiceClient(
            transport="rest",
            client_options={"api_endpoint": emu.url},
            credentials=Credentials(token=emu.token),
        )
        errors = _series(client, "kept", "error_count", endpoint_id, Aligner.ALIGN_SUM, period=3600)
        assert _int_sum(errors) == 2


def test_routing_follows_deploys_and_traffic_changes_at_once(
    api: Api, monitoring: monitoring_v3.MetricServiceClient, classifier: Any
) -> None:
    """The predict route keeps each endpoint's routing in memory: every committed change
    (deploy, traffic split, undeploy) is followed by the very next request."""
    endpoint = api.create_endpoint()
    endpoint_id = endpoint["name"].rsplit("/", 1)[1]
    first = _deploy_digits(api, endpoint, classifier)
    rows = {"instances": FEATURES[:2].tolist()}

    def served_by() -> set[str]:
        found = set()
        for _ in range(6):
            response = api.call("POST", f"v1/{endpoint['name']}:predict", rows)
            assert response.status_code == 200, response.text
            found.add(response.json()["deployedModelId"])
        return found

    assert served_by() == {first}
    second = _deploy_digits(api, endpoint, classifier, traffic={"0": 100, first: 0})
    assert served_by() == {second}
    api.ok(
        "PATCH",
        f"v1/{endpoint['name']}",
        {"name": endpoint["name"], "trafficSplit": {first: 100, second: 0}},
        params={"updateMask": "traffic_split"},
    )
    assert served_by() == {first}
    raw = api.call(
        "POST",
        f"v1/{endpoint['name']}:rawPredict",
        data=b'{"instances": [[1, 2]]}',
        headers={"Content-Type": "application/json"},
    )
    assert raw.status_code == 500 and raw.headers["X-Vertex-AI-Deployed-Model-Id"] == first
    undeploy = api.ok("POST", f"v1/{endpoint['name']}:undeployModel", {"deployedModelId": second})
    assert undeploy["done"] is True and "error" not in undeploy, undeploy
    assert served_by() == {first}

    per_model = _series(
        monitoring,
        api.project,
        "prediction_count",
        endpoint_id,
        Aligner.ALIGN_SUM,
        Reducer.REDUCE_SUM,
        ("metric.label.deployed_model_id",),
    )
    assert {s.metric.labels["deployed_model_id"]: _int_sum([s]) for s in per_model} == {
        first: 6 * 2 * 3 + 1,  # three rounds of six 2-row requests, one raw instance
        second: 6 * 2,
    }
    codes = _series(
        monitoring,
        api.project,
        "response_count",
        endpoint_id,
        Aligner.ALIGN_SUM,
        Reducer.REDUCE_SUM,
        ("metric.label.response_code", "metric.label.deployed_model_id"),
    )
    assert sorted(
        (s.metric.labels["deployed_model_id"], s.metric.labels["response_code"], _int_sum([s]))
        for s in codes
    ) == sorted([(first, "200", 18), (first, "500", 1), (second, "200", 6)])
