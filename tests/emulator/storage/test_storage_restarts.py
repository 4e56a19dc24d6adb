"""Local storage across restarts: objects and deployed models keep working when the storage
comes back on another port (stored objects' links name the address they were created at)."""

from __future__ import annotations

import io
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import joblib
import pytest
from google.cloud import storage  # type: ignore[attr-defined]
from google.oauth2.credentials import Credentials
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from jupyter_vertex.emulator.testing import EmulatorProcess

from ..emulator_api import IMAGE, Api
from ..serving_helpers import artifacts, wait_for, wait_serving

FEATURES, TARGET = load_digits(return_X_y=True)
# an object whose content looks like an object resource: downloads must pass it unchanged
LOOKALIKE = json.dumps({"mediaLink": "http://127.0.0.1:1/download/x"}).encode()


def _free_port(avoid: int) -> int:
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port != avoid:
            return port


def _restart_on_another_storage_port(emu: EmulatorProcess) -> None:
    before = emu.storage_port
    emu.stop()
    emu.storage_port = _free_port(avoid=before)
    emu.start()
    assert emu.storage_port != before


def _client(emu: EmulatorProcess, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", emu.storage_url)
    return storage.Client(project="p-storage", credentials=Credentials(token=emu.token))


@pytest.fixture
def emu(tmp_path: Path) -> Iterator[EmulatorProcess]:
    with EmulatorProcess(tmp_path / "vertex") as process:
        yield process


def test_objects_download_after_a_restart_on_another_storage_port(
    emu: EmulatorProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    bucket = _client(emu, monkeypatch).create_bucket("restart-bucket")
    bucket.blob("model/model.txt").upload_from_string(b"weights")
    bucket.blob("model/lookalike.json").upload_from_string(LOOKALIKE)
    _restart_on_another_storage_port(emu)
    client = _client(emu, monkeypatch)  # a fresh client: it lists, so it has mediaLinks
    blobs = {blob.name: blob for blob in client.list_blobs("restart-bucket")}
    assert sorted(blobs) == ["model/lookalike.json", "model/model.txt"]
    assert blobs["model/model.txt"].download_as_bytes() == b"weights"
    assert blobs["model/lookalike.json"].download_as_bytes() == LOOKALIKE
    for blob in blobs.values():
        assert blob.media_link.startswith(f"{emu.storage_url}/download/storage/v1/b/")
    fetched = client.bucket("restart-bucket").get_blob("model/model.txt")
    assert fetched.download_as_bytes() == b"weights"


def test_a_deployed_model_predicts_after_a_restart_on_another_storage_port(
    emu: EmulatorProcess,
) -> None:
    classifier = LogisticRegression(max_iter=300).fit(FEATURES[:300], TARGET[:300])
    api = Api(emu, "p-storage-serving")
    data = io.BytesIO()
    joblib.dump(classifier, data)
    folder = artifacts(api, {"model.joblib": data.getvalue()})
    model = api.upload("digits", artifactUri=folder, containerSpec={"imageUri": IMAGE})
    endpoint = api.create_endpoint()
    resources = {"machineSpec": {"machineType": "n1-standard-2"}, "minReplicaCount": 1}
    body = {"deployedModel": {"model": model["name"], "dedicatedResources": resources}}
    started = api.ok("POST", f"v1/{endpoint['name']}:deployModel", body)
    operation = wait_for(
        "the deploy", lambda: (op := api.ok("GET", f"v1/{started['name']}")).get("done") and op
    )
    assert "error" not in operation, operation
    _restart_on_another_storage_port(emu)  # the model server fetches its artifacts again
    wait_serving(api, endpoint)
    response = api.call(
        "POST", f"v1/{endpoint['name']}:predict", {"instances": FEATURES[:4].tolist()}
    )
    assert response.status_code == 200, response.text
    assert response.json()["predictions"] == classifier.predict(FEATURES[:4]).tolist()
