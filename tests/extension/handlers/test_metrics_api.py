"""GET /endpoints/{id}/metrics through a real Jupyter server, over the session's embedded
Vertex, after real traffic at a deployed digits model."""

from __future__ import annotations

import asyncio
import io
import time
import uuid
from typing import Any

import joblib
import pytest
import requests
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from jupyter_vertex.emulator import ensure_bucket

from ..conftest import Api

IMAGE = "us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest"


@pytest.fixture
def vertex_config(emulated: dict[str, Any]) -> dict[str, Any]:
    return emulated


class Emulator:
    def __init__(self, emulator: Any, project: str) -> None:
        self.url, self.token, self.storage = emulator.url, emulator.token, emulator.storage_url
        self.project = project
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {emulator.token}"

    def ok(self, method: str, path: str, body: Any = None) -> Any:
        response = self.session.request(method, f"{self.url}/{path}", json=body, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    def deploy_digits(self) -> tuple[str, str]:
        """A new endpoint with the digits classifier deployed: (endpoint name, deployed id)."""
        features, target = load_digits(return_X_y=True)
        data = io.BytesIO()
        joblib.dump(LogisticRegression(max_iter=300).fit(features[:500], target[:500]), data)
        bucket = f"b-{uuid.uuid4().hex[:10]}"
        ensure_bucket(self.storage, bucket, self.project, token=self.token)
        requests.post(
            f"{self.storage}/upload/storage/v1/b/{bucket}/o",
            params={"uploadType": "media", "name": "m/model.joblib"},
            data=data.getvalue(),
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=10,
        ).raise_for_status()
        parent = f"v1/projects/{self.project}/locations/us-central1"
        upload = self.ok(
            "POST",
            f"{parent}/models:upload",
            {
                "model": {
                    "displayName": "digits",
                    "artifactUri": f"gs://{bucket}/m/",
                    "containerSpec": {"imageUri": IMAGE},
                }
            },
        )
        endpoint = self.ok("POST", f"{parent}/endpoints", {"displayName": "e"})["response"]
        resources = {"machineSpec": {"machineType": "n1-standard-2"}, "minReplicaCount": 1}
        operation = self.ok(
            "POST",
            f"v1/{endpoint['name']}:deployModel",
            {
                "deployedModel": {
                    "model": upload["response"]["model"],
                    "dedicatedResources": resources,
                }
            },
        )
        deadline = time.monotonic() + 120
        while not (done := self.ok("GET", f"v1/{operation['name']}")).get("done"):
            assert time.monotonic() < deadline, "the deploy did not finish"
            time.sleep(0.1)
        assert "error" not in done, done
        return endpoint["name"], str(done["response"]["deployedModel"]["id"])


def _total(chart: dict[str, Any], label: str, period: int) -> float:
    series = next(s for s in chart["series"] if s["label"] == label)
    return sum(v for _, v in series["points"] if v is not None) * period


async def test_metrics_after_real_traffic(
    api: Api, emulator: Any, emulated: dict[str, Any]
) -> None:
    vertex = Emulator(emulator, emulated["project"])
    endpoint_name, deployed_id = vertex.deploy_digits()
    endpoint_id = endpoint_name.rsplit("/", 1)[1]
    features, _ = load_digits(return_X_y=True)
    sent, failures = 0, 0
    for index in range(24):
        rows = features[index : index + 1 + index % 2].tolist()
        bad = index % 6 == 0
        if bad:
            rows = [row[:3] for row in rows]
        sent += len(rows)
        response = vertex.session.post(
            f"{vertex.url}/v1/{endpoint_name}:predict", json={"instances": rows}, timeout=30
        )
        assert response.status_code == (400 if bad else 200), response.text
        failures += bad

    status, body = await api("GET", "endpoints", endpoint_id, "metrics", params={"window": "1h"})
    assert status == 200, body
    assert (body["endpointId"], body["window"], body["alignmentSeconds"]) == (endpoint_id, "1h", 60)
    charts = {c["id"]: c for c in body["charts"]}
    assert list(charts) == [
        "predictions",
        "requests",
        "errors",
        "latencyTotal",
        "latencyModel",
        "responseCodes",
        "replicas",
    ]
    assert all(len(s["points"]) == 60 for c in body["charts"] for s in c["series"])
    assert [s["label"] for s in charts["predictions"]["series"]] == [deployed_id]
    assert round(_total(charts["predictions"], deployed_id, 60)) == sent
    assert round(_total(charts["requests"], "requests", 60)) == 24
    assert [s["label"] for s in charts["responseCodes"]["series"]] == ["200", "400"]
    assert round(_total(charts["responseCodes"], "200", 60)) == 24 - failures
    assert round(_total(charts["responseCodes"], "400", 60)) == failures
    requests_per_window = next(s for s in charts["requests"]["series"])["points"]
    errors = charts["errors"]["series"][0]["points"]
    failed = sum(
        (e or 0.0) / 100 * (r or 0.0) * 60
        for (_, e), (_, r) in zip(errors, requests_per_window, strict=True)
    )
    assert round(failed) == failures == 4
    for chart in ("latencyTotal", "latencyModel"):
        assert [s["label"] for s in charts[chart]["series"]] == ["p50", "p95", "p99"]
    totals = {s["label"]: s["points"] for s in charts["latencyTotal"]["series"]}
    models = {s["label"]: s["points"] for s in charts["latencyModel"]["series"]}
    for label in ("p50", "p95", "p99"):
        for (_, total), (_, model) in zip(totals[label], models[label], strict=True):
            assert (total is None) == (model is None)
            assert total is None or 0 < model <= total
    assert any(v is not None for _, v in totals["p50"])

    # a longer window: 300 s windows; one deployed model, or one that got no traffic
    status, body = await api(
        "GET",
        "endpoints",
        endpoint_id,
        "metrics",
        params={"window": "6h", "deployedModelId": deployed_id},
    )
    assert status == 200, body
    assert (body["alignmentSeconds"], len(body["charts"][0]["series"][0]["points"])) == (300, 72)
    assert round(_total(body["charts"][0], deployed_id, 300)) == sent
    status, body = await api(
        "GET", "endpoints", endpoint_id, "metrics", params={"deployedModelId": "999"}
    )
    assert status == 200, body
    charts = {c["id"]: c for c in body["charts"]}
    assert charts["predictions"]["series"] == charts["responseCodes"]["series"] == []
    assert {v for _, v in charts["requests"]["series"][0]["points"]} == {None}

    # replicas come from the sampler (every 10 s): poll until the first sample shows
    deadline = time.monotonic() + 30
    while True:
        status, body = await api("GET", "endpoints", endpoint_id, "metrics")
        replicas = next(c for c in body["charts"] if c["id"] == "replicas")["series"]
        if replicas:
            break
        assert time.monotonic() < deadline, "no replicas sample"
        await asyncio.sleep(0.5)
    assert [s["label"] for s in replicas] == [deployed_id]
    assert {v for _, v in replicas[0]["points"] if v is not None} == {1}


async def test_bad_window_and_unknown_endpoint(api: Api) -> None:
    status, body = await api("GET", "endpoints", "123", "metrics", params={"window": "2h"})
    assert status == 400
    assert "window" in body["message"]
    status, body = await api("GET", "endpoints", "123", "metrics", params={"window": "6h"})
    assert status == 404, body
    assert body["reason"] == "NOT_FOUND"
