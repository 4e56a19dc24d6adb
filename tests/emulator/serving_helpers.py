"""Helpers of the serving tests: artifacts in local storage, model server processes."""

from __future__ import annotations

import io
import socket
import time
import uuid
from collections.abc import Callable
from typing import Any

import joblib
import requests
from sklearn.base import BaseEstimator

from jupyter_vertex.emulator import ensure_bucket
from jupyter_vertex.emulator.serving.modelserver import SOCKET_ENV
from jupyter_vertex.emulator.testing import model_servers

from .emulator_api import IMAGE, Api


def wait_for(what: str, check: Callable[[], Any], timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def wait_serving(api: Api, endpoint: dict[str, Any], replicas: int = 1) -> None:
    """Until the endpoint's first deployed model has ``replicas`` ready servers (after a
    restart a predict answers UNAVAILABLE at once while they start)."""

    def ready() -> bool:
        shown = api.ok("GET", f"v1/{endpoint['name']}")["deployedModels"][0]
        return bool(shown["status"].get("availableReplicaCount") == replicas)

    wait_for("the model server to be up", ready)


def artifacts(api: Api, files: dict[str, bytes]) -> str:
    """Put files in a new bucket of local storage; answer their folder's gs:// URI."""
    bucket = f"b-{uuid.uuid4().hex[:10]}"
    ensure_bucket(api.emu.storage_url, bucket, api.project, token=api.emu.token)
    for name, content in files.items():
        response = requests.post(
            f"{api.emu.storage_url}/upload/storage/v1/b/{bucket}/o",
            params={"uploadType": "media", "name": f"model/{name}"},
            data=content,
            headers=api.emu.storage_headers,
            timeout=10,
        )
        assert response.status_code == 200, response.text
    return f"gs://{bucket}/model/"


def sklearn_model(
    api: Api,
    classifier: BaseEstimator,
    image: str = IMAGE,
    env: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    data = io.BytesIO()
    joblib.dump(classifier, data)
    folder = artifacts(api, {"model.joblib": data.getvalue()})
    spec: dict[str, Any] = {"imageUri": image, **({"env": env} if env else {})}
    return api.upload("digits", artifactUri=folder, containerSpec=spec)


def server_pids(deployed_id: str) -> list[int]:
    return list(model_servers(deployed_id))


def server_ports(deployed_id: str) -> set[int]:
    """The ports the model servers of a deployed model were given (AIP_HTTP_PORT; the SDK's
    app needs one, and nothing listens on it)."""
    return {int(environ["AIP_HTTP_PORT"]) for environ in model_servers(deployed_id).values()}


def server_sockets(deployed_id: str) -> set[str]:
    """The unix sockets the model servers of a deployed model listen on (their address)."""
    return {environ[SOCKET_ENV] for environ in model_servers(deployed_id).values()}


def answering(path: str) -> bool:
    """Whether something accepts connections on the unix socket ``path``."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(path) == 0


def listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0
