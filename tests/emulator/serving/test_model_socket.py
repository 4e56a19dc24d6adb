"""Model servers answer predictions on a unix socket in a private folder (the embedded
Vertex's hot path), besides their loopback port; the socket goes with the server."""

from __future__ import annotations

import asyncio
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from jupyter_vertex.emulator.serving.modelserver import SOCKET_ENV
from jupyter_vertex.emulator.testing import model_servers
from jupyter_vertex.http_client import ConnectError, HttpClient

from ..emulator_api import Api
from ..serving_helpers import sklearn_model, wait_for

FEATURES, TARGET = load_digits(return_X_y=True)
RESOURCES = {"machineSpec": {"machineType": "n1-standard-2"}, "minReplicaCount": 1}


def _socket_of(deployed_id: str) -> str:
    """The unix socket the model server of a deployed model was given."""
    for environ in model_servers(deployed_id).values():
        if SOCKET_ENV in environ:
            return environ[SOCKET_ENV]
    raise AssertionError(f"no model server for {deployed_id}")


async def test_the_client_posts_over_a_unix_socket(tmp_path: Path) -> None:
    path = str(tmp_path / "s.sock")
    seen: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while head := await reader.readuntil(b"\r\n\r\n"):
            length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
            seen.append(head.split(b"\r\n")[0] + b" " + await reader.readexactly(length))
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            await writer.drain()
            if reader.at_eof():
                break

    server = await asyncio.start_unix_server(handle, path)
    client = HttpClient()
    try:
        for n in range(2):
            answer = await client.post(
                "http://localhost/predict", content=f"{n}".encode(), headers={}, unix_socket=path
            )
            assert (answer.status_code, answer.content) == (200, b"ok")
        assert seen == [b"POST /predict HTTP/1.1 0", b"POST /predict HTTP/1.1 1"]
        assert len(client._idle[("localhost", path, False)]) == 1  # one kept-alive connection
    finally:
        await client.aclose()
        server.close()
        await server.wait_closed()
    with pytest.raises(ConnectError, match="cannot connect to localhost:"):
        await HttpClient().post(
            "http://localhost/p", content=b"", headers={}, unix_socket=str(tmp_path / "none")
        )


def test_the_model_server_serves_predictions_on_a_private_unix_socket(api: Api) -> None:
    classifier = LogisticRegression(max_iter=300).fit(FEATURES[:500], TARGET[:500])
    endpoint = api.create_endpoint()
    model = sklearn_model(api, classifier)
    body = {"deployedModel": {"model": model["name"], "dedicatedResources": RESOURCES}}
    operation = api.ok("POST", f"v1/{endpoint['name']}:deployModel", body)
    done = wait_for(
        "the deploy", lambda: (op := api.ok("GET", f"v1/{operation['name']}")).get("done") and op
    )
    deployed_id = done["response"]["deployedModel"]["id"]
    path = _socket_of(deployed_id)
    folder = os.path.dirname(path)
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700  # this user only
    assert stat.S_ISSOCK(os.stat(path).st_mode)

    async def direct() -> Any:
        client = HttpClient()
        try:
            answer = await client.post(
                "http://localhost/predict",
                content=json.dumps({"instances": FEATURES[:3].tolist()}).encode(),
                headers={"Content-Type": "application/json"},
                unix_socket=path,
            )
        finally:
            await client.aclose()
        return json.loads(answer.content)

    expected = classifier.predict(FEATURES[:3]).tolist()
    assert asyncio.run(direct()) == {"predictions": expected}
    through = api.call(
        "POST", f"v1/{endpoint['name']}:predict", {"instances": FEATURES[:3].tolist()}
    )
    assert through.json()["predictions"] == expected

    undeploy = api.ok(
        "POST", f"v1/{endpoint['name']}:undeployModel", {"deployedModelId": deployed_id}
    )
    assert undeploy["done"] is True and "error" not in undeploy
    assert not os.path.exists(path)
