"""Serving through the real, unchanged google-cloud-aiplatform SDK: deploy, predict,
raw predict, traffic split, undeploy, delete — with real model server processes."""

from __future__ import annotations

import collections
import json
import os
from pathlib import Path
from typing import Any

import joblib
import requests
from google.auth.transport.requests import AuthorizedSession
from google.cloud import aiplatform
from google.oauth2.credentials import Credentials
from sdk_helpers import SKLEARN_IMAGE, Sdk
from sklearn.datasets import load_digits

from jupyter_vertex.emulator.testing import DEPLOYED_MODEL_ENV, model_servers


def _upload(model_dir: Path, name: str) -> aiplatform.Model:
    return aiplatform.Model.upload(
        display_name=name, artifact_uri=str(model_dir), serving_container_image_uri=SKLEARN_IMAGE
    )


def _pids_of(deployed_ids: set[str]) -> set[int]:
    """Model server processes of these deployed models, found in /proc by their env."""
    return {
        pid
        for pid, environ in model_servers().items()
        if environ[DEPLOYED_MODEL_ENV] in deployed_ids
    }


class _ToEmulator(requests.adapters.HTTPAdapter):
    """The SDK's ``raw_predict`` always posts to ``https://{location}-aiplatform.googleapis.com``
    (it ignores ``api_endpoint``); send those requests to the embedded Vertex instead."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url

    def send(self, request: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        path = request.url.split(".googleapis.com", 1)[1]
        request.url = self.url + path
        return super().send(request, **kwargs)


def test_deploy_predict_raw_predict_split_undeploy_delete(sdk: Sdk, model_dir: Path) -> None:
    features, _ = load_digits(return_X_y=True)
    local = joblib.load(model_dir / "model.joblib")
    first = _upload(model_dir, "digits-a")
    second = _upload(model_dir, "digits-b")
    endpoint = aiplatform.Endpoint.create(display_name="serving")

    first.deploy(
        endpoint=endpoint,
        machine_type="n1-standard-2",
        min_replica_count=1,
        max_replica_count=1,
        traffic_split={"0": 100},
    )
    (deployed,) = endpoint.list_models()
    assert deployed.model == first.resource_name
    assert deployed.model_version_id == "1"
    assert deployed.display_name == "digits-a"
    assert deployed.dedicated_resources.machine_spec.machine_type == "n1-standard-2"
    assert deployed.dedicated_resources.min_replica_count == 1
    assert deployed.create_time is not None
    assert endpoint.traffic_split == {deployed.id: 100}
    refs = aiplatform.Model(first.resource_name).gca_resource.deployed_models
    assert [ref.deployed_model_id for ref in refs] == [deployed.id]

    prediction = endpoint.predict(instances=features[:5].tolist())
    assert prediction.predictions == local.predict(features[:5]).tolist()
    assert prediction.deployed_model_id == deployed.id
    assert prediction.model_resource_name == first.resource_name
    assert prediction.model_version_id == "1"

    session = AuthorizedSession(Credentials(token=sdk.emu.token))
    session.mount("https://", _ToEmulator(sdk.emu.url))
    endpoint.authorized_session = session
    body = json.dumps({"instances": features[5:8].tolist()}).encode()
    raw = endpoint.raw_predict(body=body, headers={"Content-Type": "application/json"})
    assert raw.status_code == 200, raw.text
    assert raw.json()["predictions"] == local.predict(features[5:8]).tolist()
    assert raw.headers["X-Vertex-AI-Deployed-Model-Id"] == deployed.id

    second.deploy(
        endpoint=endpoint,
        machine_type="n1-standard-2",
        min_replica_count=1,
        max_replica_count=1,
        traffic_split={deployed.id: 50, "0": 50},
    )
    ids = {d.id for d in endpoint.list_models()}
    assert len(ids) == 2 and sum(endpoint.traffic_split.values()) == 100
    assert set(endpoint.traffic_split.values()) == {50}
    counts = collections.Counter(
        endpoint.predict(instances=features[:1].tolist()).deployed_model_id for _ in range(60)
    )
    assert set(counts) == ids and all(n > 0 for n in counts.values()), counts

    pids = _pids_of(ids)
    assert len(pids) >= 2
    endpoint.undeploy_all()
    assert endpoint.list_models() == []
    assert _pids_of(ids) == set()
    for pid in pids:
        assert not os.path.exists(f"/proc/{pid}") or "Z" in Path(f"/proc/{pid}/stat").read_text()
    endpoint.delete()
