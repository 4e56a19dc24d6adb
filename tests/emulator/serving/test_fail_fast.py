"""Model servers are reachable only through the embedded Vertex (a private unix socket, no
TCP port); a predict with no ready server answers UNAVAILABLE at once saying why; the
deployed model's status (available replicas, lastUpdateTime) moves with its servers."""

from __future__ import annotations

import os
import signal
from typing import Any

import pytest
import requests
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from jupyter_vertex.emulator.serving.health import failure, last_error

from ..emulator_api import Api
from ..serving_helpers import (
    answering,
    listening,
    server_pids,
    server_ports,
    server_sockets,
    sklearn_model,
    wait_for,
)

FEATURES, TARGET = load_digits(return_X_y=True)
RESOURCES = {"machineSpec": {"machineType": "n1-standard-2"}, "minReplicaCount": 1}
MODEL_FILES = "One of the following model files must be provided"


@pytest.fixture(scope="module")
def classifier() -> LogisticRegression:
    return LogisticRegression(max_iter=200).fit(FEATURES[:300], TARGET[:300])


def _deployed(api: Api, classifier: LogisticRegression) -> tuple[dict[str, Any], dict[str, Any]]:
    """(endpoint, model) with the model deployed on one server."""
    endpoint = api.create_endpoint()
    model = sklearn_model(api, classifier)
    body = {"deployedModel": {"model": model["name"], "dedicatedResources": RESOURCES}}
    operation = api.ok("POST", f"v1/{endpoint['name']}:deployModel", body)
    done = wait_for(
        "the deploy", lambda: (op := api.ok("GET", f"v1/{operation['name']}")).get("done") and op
    )
    assert "error" not in done, done
    return api.ok("GET", f"v1/{endpoint['name']}"), model


def _status(api: Api, endpoint: dict[str, Any]) -> dict[str, Any]:
    shown = api.ok("GET", f"v1/{endpoint['name']}")["deployedModels"][0]["status"]
    return {"availableReplicaCount": 0, **shown}  # proto3 JSON leaves a 0 out


def _predict(api: Api, endpoint: dict[str, Any]) -> requests.Response:
    return api.session.post(
        f"{api.emu.url}/v1/{endpoint['name']}:predict",
        json={"instances": FEATURES[:2].tolist()},
        headers={"Authorization": f"Bearer {api.emu.token}"},
        timeout=10,  # the bound: no ready server must not mean waiting for one
    )


def test_model_servers_listen_on_their_private_socket_only(
    api: Api, classifier: LogisticRegression
) -> None:
    endpoint, _ = _deployed(api, classifier)
    deployed_id = endpoint["deployedModels"][0]["id"]
    (port,) = server_ports(deployed_id)
    (path,) = server_sockets(deployed_id)
    assert not listening(port)  # the SDK's app is given AIP_HTTP_PORT; nothing binds it
    assert answering(path) and oct(os.stat(os.path.dirname(path)).st_mode & 0o777) == "0o700"
    response = _predict(api, endpoint)
    assert response.status_code == 200, response.text
    assert response.json()["predictions"] == classifier.predict(FEATURES[:2]).tolist()
    assert _status(api, endpoint)["availableReplicaCount"] == 1  # health checks over the socket


def test_a_predict_without_a_server_that_can_come_back_says_why_at_once(
    api: Api, classifier: LogisticRegression
) -> None:
    endpoint, model = _deployed(api, classifier)
    deployed_id = endpoint["deployedModels"][0]["id"]
    bucket, prefix = model["artifactUri"][len("gs://") :].rstrip("/").split("/", 1)
    gone = requests.delete(
        f"{api.emu.storage_url}/storage/v1/b/{bucket}/o/{prefix}%2Fmodel.joblib",
        headers=api.emu.storage_headers,
        timeout=10,
    )
    assert gone.status_code in (200, 204), gone.text  # GCS answers 204
    (pid,) = server_pids(deployed_id)
    os.kill(pid, signal.SIGKILL)
    wait_for("a restart to fail", lambda: MODEL_FILES in _status(api, endpoint).get("message", ""))

    response = _predict(api, endpoint)
    error = response.json()["error"]
    assert (response.status_code, error["code"], error["status"]) == (503, 503, "UNAVAILABLE")
    message = error["message"]
    assert message.startswith(f"No model server of deployed model {deployed_id} is ready: ")
    # the cause: the server's real error, not a library's warning
    assert "crashed (exited with status 1): ValueError: " + MODEL_FILES in message, message
    assert "restarting it (starting for " in message and "Warning" not in message


def test_status_moves_with_the_servers(api: Api, classifier: LogisticRegression) -> None:
    endpoint, _ = _deployed(api, classifier)
    deployed_id = endpoint["deployedModels"][0]["id"]
    serving = _status(api, endpoint)
    assert serving["availableReplicaCount"] == 1
    (pid,) = server_pids(deployed_id)
    os.kill(pid, signal.SIGKILL)
    down = wait_for(
        "no available replica",
        lambda: (s := _status(api, endpoint))["availableReplicaCount"] == 0 and s,
    )
    assert down["lastUpdateTime"] > serving["lastUpdateTime"]
    assert "was killed (SIGKILL); restarting it (restart 1)" in down["message"]
    back = wait_for(
        "the restarted replica",
        lambda: (s := _status(api, endpoint))["availableReplicaCount"] == 1 and s,
    )
    assert back["lastUpdateTime"] > down["lastUpdateTime"]
    assert back["message"] == "Deployed model is serving."


def test_the_cause_is_the_error_line_not_a_warning() -> None:
    output = [
        "/x/predictor.py:59: UserWarning: No 'allowed_extensions' provided.",
        "  warnings.warn(",
        "Traceback (most recent call last):",
        '  File "/x/predictor.py", line 90, in load',
        "    raise ValueError(",
        "ValueError: One of the following model files must be provided",
        "/x/other.py:3: RuntimeWarning: something",
    ]
    assert last_error(output) == "ValueError: One of the following model files must be provided"
    assert last_error(["a UserWarning: x", "Killed"]) == "Killed"
    assert last_error([]) == ""
    refused = (
        "requests.exceptions.ConnectionError: HTTPConnectionPool(host='127.0.0.1', "
        "port=9): Max retries exceeded with url: /b (Caused by NewConnectionError("
        "'Failed to establish a new connection: [Errno 111] Connection refused'))"
    )
    assert failure("crashed (exited with status 1)", ["Traceback", refused], "http://s:9") == (
        "cannot reach storage at http://s:9 to download the model's artifacts (" + refused + ")"
    )
