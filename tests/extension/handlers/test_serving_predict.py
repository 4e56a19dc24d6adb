"""Predict and bulk predict through the extension's HTTP API, against one real deployment on
the embedded Vertex (shared by the module): exact predictions, every bad input of the issue
answered with a 4xx naming what is wrong, and the endpoint serving on afterwards."""

from __future__ import annotations

import asyncio
import gc
import json
import math
import uuid
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from sklearn.datasets import load_digits

from jupyter_vertex.services.serving.bulk_parse import PROCESS_BODY

from ..seed import Seeder
from .serving_helpers import FIRST_WAIT, deploy_blocking, digits_model_dir, poll, upload_digits

FEATURES, _ = load_digits(return_X_y=True)


@pytest.fixture(scope="module")
def module_project() -> str:
    return f"predict-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def project_id(module_project: str) -> str:
    return module_project


@pytest.fixture
def vertex_config(emulated: dict[str, Any]) -> dict[str, Any]:
    return emulated


@pytest.fixture(scope="module")
def deployment(
    emulator: Any, module_project: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """The digits classifier deployed once (with Google's client) for the whole module."""
    classifier, folder = digits_model_dir(tmp_path_factory.mktemp("digits"))
    seeder = Seeder(emulator, module_project)
    model = upload_digits(seeder, folder, "digits")
    endpoint = seeder.create_endpoint("digits-ep")
    deployed_id = deploy_blocking(seeder, endpoint, model)
    yield {
        "classifier": classifier,
        "endpoint_id": endpoint.name.rsplit("/", 1)[1],
        "deployed_id": deployed_id,
        "model": model.name.partition("@")[0],
    }
    seeder.endpoints.undeploy_model(endpoint=endpoint.name, deployed_model_id=deployed_id).result(
        timeout=FIRST_WAIT
    )
    seeder.endpoints.delete_endpoint(name=endpoint.name).result(timeout=FIRST_WAIT)


async def _predict_ok(api: Any, deployment: dict[str, Any], rows: np.ndarray) -> None:
    status, answer = await api(
        "POST", "endpoints", deployment["endpoint_id"], "predict", body={"instances": rows.tolist()}
    )
    assert status == 200, answer
    assert answer == {
        "predictions": deployment["classifier"].predict(rows).tolist(),
        "deployedModelId": deployment["deployed_id"],
        "model": deployment["model"],
        "modelDisplayName": "digits",
        "modelVersionId": "1",
    }


def _raw(body: str | bytes) -> bytes:
    return body.encode() if isinstance(body, str) else body


async def test_bad_instances_are_4xx_naming_what_is_wrong(
    api: Any, deployment: dict[str, Any]
) -> None:
    eid = deployment["endpoint_id"]
    row = FEATURES[0].tolist()
    string_row = list(row)
    string_row[5] = "3.5"
    cases: list[tuple[str | bytes, int, str, str]] = [
        (
            json.dumps({"instances": {"a": 1}}),
            400,
            "INVALID_ARGUMENT",
            "Field 'instances' must be a list (one item per instance), not an object.",
        ),
        (
            json.dumps({"instances": []}),
            400,
            "INVALID_ARGUMENT",
            "Field 'instances' must not be empty: send at least one instance.",
        ),
        (
            json.dumps({"parameters": {}}),
            400,
            "INVALID_ARGUMENT",
            "Field 'instances' is required.",
        ),
        (
            json.dumps({"instances": [row, row[:10]]}),
            400,
            "INVALID_ARGUMENT",
            "Field 'instances[1]' has 10 values but 'instances[0]' has 64: a ragged array "
            "(every instance needs the same number of features).",
        ),
        (
            json.dumps({"instances": [[[1, 2], [3]]]}),
            400,
            "INVALID_ARGUMENT",
            "Field 'instances[0][1]' has 1 values where 'instances[0][0]' has 2: a ragged "
            "array (all rows need the same length).",
        ),
        (
            '{"instances": [[1.0, NaN]]}',
            400,
            "INVALID_ARGUMENT",
            "Field 'instances[0]': NaN is not a number JSON allows (nor are NaN, Infinity and "
            "-Infinity); send finite numbers, or null for a missing value.",
        ),
        (
            '{"instances": [[1.0, 2.0], [-Infinity, 1.0]]}',
            400,
            "INVALID_ARGUMENT",
            "Field 'instances[1]': -Infinity is not a number JSON allows (nor are NaN, Infinity "
            "and -Infinity); send finite numbers, or null for a missing value.",
        ),
        (
            json.dumps({"instances": [row, string_row]}),
            400,
            "INVALID_ARGUMENT",
            "Field 'instances[1][5]' is the string '3.5' where 'instances[0][5]' is a number: "
            "send numbers, not strings.",
        ),
        (
            json.dumps({"instances": [row], "extra": 1}),
            400,
            "INVALID_ARGUMENT",
            "Unknown field 'extra'; allowed: instances, parameters.",
        ),
        (
            '{"instances": [[1, 2]',
            400,
            "INVALID_ARGUMENT",
            "The request body is not valid JSON: expected ',' or ']' after an instance, found "
            "the end of the body.",
        ),
        (
            b'{"instances": [' + b"1.0," * 400_000 + b"1.0]}",
            400,
            "INVALID_ARGUMENT",
            "The request body is too large (1600020 bytes; the limit of online prediction is "
            "1572864 bytes).",
        ),
    ]
    for body, code, reason, message in cases:
        status, error = await api("POST", "endpoints", eid, "predict", raw_body=_raw(body))
        assert (status, error["reason"], error["message"]) == (code, reason, message), body[:80]

    # What only the model knows: its own message, as a 400.
    status, error = await api(
        "POST", "endpoints", eid, "predict", body={"instances": [[1.0, 2.0, 3.0]]}
    )
    # One message in the model's words: no wrapper, no model server status inside the 400.
    assert (status, error["reason"], error["message"]) == (
        400,
        "INVALID_ARGUMENT",
        "The model refused the instances: X has 3 features, but LogisticRegression is "
        "expecting 64 features as input (ValueError).",
    )
    status, error = await api(
        "POST", "endpoints", eid, "predict", body={"instances": [[str(v) for v in row]]}
    )
    assert (status, error["reason"]) == (400, "INVALID_ARGUMENT")
    assert error["message"].startswith("The model refused the instances: ")
    assert error["message"].endswith(" (ValueError).")
    assert "string" in error["message"] and "500" not in error["message"]

    status, error = await api("POST", "endpoints", "424242", "predict", body={"instances": [row]})
    assert (status, error["reason"]) == (404, "NOT_FOUND")

    # The endpoint serves everyone else as before.
    await _predict_ok(api, deployment, FEATURES[:7])


async def test_long_lived_objects_are_frozen_after_the_first_predict(
    api: Any, deployment: dict[str, Any]
) -> None:
    # Full garbage collections then skip Google's libraries (~215 ms each otherwise).
    await _predict_ok(api, deployment, FEATURES[:1])
    assert gc.get_freeze_count() > 100_000


async def test_predict_at_the_online_limit(api: Any, deployment: dict[str, Any]) -> None:
    rows = np.tile(FEATURES, (3, 1))[:4500]
    body = json.dumps({"instances": rows.tolist()}).encode()
    assert 1_000_000 < len(body) <= 1_572_864
    status, answer = await api(
        "POST", "endpoints", deployment["endpoint_id"], "predict", raw_body=body
    )
    assert status == 200, answer
    assert answer["predictions"] == deployment["classifier"].predict(rows).tolist()


async def _bulk_until(api: Any, bulk_id: str, states: set[str]) -> list[dict[str, Any]]:
    async def fetch() -> dict[str, Any]:
        status, body = await api("GET", "bulkPredictions", bulk_id)
        assert status == 200, body
        return body  # type: ignore[no-any-return]

    return await poll("the bulk prediction", fetch, lambda b: b["state"] in states, FIRST_WAIT)


async def test_bulk_predict_100000_rows_in_order(api: Any, deployment: dict[str, Any]) -> None:
    rows = np.tile(FEATURES, (math.ceil(100_000 / len(FEATURES)), 1))[:100_000]
    body = json.dumps({"instances": rows.tolist(), "concurrency": 4}).encode()
    expected_requests = _expected_requests(rows, 1_400_000, 10_000)
    status, started = await api(
        "POST", "endpoints", deployment["endpoint_id"], "bulkPredictions", raw_body=body
    )
    assert status == 202, started
    assert (started["state"], started["total"], started["done"]) == ("RUNNING", 100_000, 0)
    assert (started["requests"], started["requestsDone"]) == (expected_requests, 0)
    assert started["predictions"] is None and started["error"] is None

    seen = await _bulk_until(api, started["id"], {"SUCCEEDED", "FAILED"})
    final = seen[-1]
    assert final["error"] is None and final["state"] == "SUCCEEDED"
    assert (final["done"], final["requestsDone"]) == (100_000, expected_requests)
    assert final["deployedModelIds"] == [deployment["deployed_id"]]
    assert final["predictions"] == deployment["classifier"].predict(rows).tolist()
    progress = [b["done"] for b in seen]
    assert progress == sorted(progress)
    assert all(b["predictions"] is None for b in seen[:-1])

    assert (await api("DELETE", "bulkPredictions", started["id"]))[0] == 204
    status, error = await api("GET", "bulkPredictions", started["id"])
    assert (status, error["reason"]) == (404, "NOT_FOUND")


def _expected_requests(rows: np.ndarray, max_bytes: int, max_instances: int) -> int:
    """Requests the documented rule makes: greedy, in order, under both limits."""
    sizes = [len(json.dumps(r)) for r in rows.tolist()]
    overhead = len('{"instances":[') + len("]}")
    count, size, n = 1, 0, 0
    for s in sizes:
        grown = size + (2 if n else 0) + s  # json.dumps separates items with ", "
        if n and (n >= max_instances or grown + overhead > max_bytes):
            count, size, n = count + 1, s, 1
        else:
            size, n = grown, n + 1
    return count


async def test_bulk_fails_with_the_first_error_and_cancels(
    api: Any, deployment: dict[str, Any]
) -> None:
    eid = deployment["endpoint_id"]
    rows = [[1.0, 2.0, 3.0]] * 50
    status, started = await api(
        "POST",
        "endpoints",
        eid,
        "bulkPredictions",
        body={"instances": rows, "maxInstancesPerRequest": 10, "concurrency": 2},
    )
    assert status == 202 and started["requests"] == 5
    final = (await _bulk_until(api, started["id"], {"SUCCEEDED", "FAILED"}))[-1]
    assert final["state"] == "FAILED" and final["predictions"] is None
    assert final["error"]["reason"] == "INVALID_ARGUMENT"
    assert (
        "X has 3 features, but LogisticRegression is expecting 64 features"
        in (final["error"]["message"])
    )
    assert final["endTime"] is not None

    # Cancel: a long one (one instance per request, one at a time) is stopped and forgotten.
    status, long = await api(
        "POST",
        "endpoints",
        eid,
        "bulkPredictions",
        body={
            "instances": FEATURES[:1].tolist() * 3000,
            "maxInstancesPerRequest": 1,
            "concurrency": 1,
        },
    )
    assert (status, long["requests"]) == (202, 3000)
    assert (await api("DELETE", "bulkPredictions", long["id"]))[0] == 204
    status, error = await api("GET", "bulkPredictions", long["id"])
    assert (status, error["reason"]) == (404, "NOT_FOUND")

    # Bad bulk input is refused before anything is sent.
    status, error = await api(
        "POST", "endpoints", eid, "bulkPredictions", body={"instances": [[1.0], [1.0, 2.0]]}
    )
    assert (status, error["message"]) == (
        400,
        "Field 'instances[1]' has 2 values but 'instances[0]' has 1: a ragged array "
        "(every instance needs the same number of features).",
    )
    # A big body is read in the helper process: its errors come back the same.
    big = FEATURES.tolist() * 10 + [[1.0, "x"] + [0.0] * 62]
    assert len(json.dumps(big)) > PROCESS_BODY
    status, error = await api("POST", "endpoints", eid, "bulkPredictions", body={"instances": big})
    assert (status, error["message"]) == (
        400,
        f"Field 'instances[{len(big) - 1}][1]' is the string 'x' where 'instances[0][1]' is a "
        "number: send numbers, not strings.",
    )
    status, error = await api(
        "POST", "endpoints", eid, "bulkPredictions", body={"instances": [[1.0]], "concurrency": 99}
    )
    assert (status, error["message"]) == (
        400,
        "Field 'concurrency' is out of range: 99 is greater than the maximum of 32.",
    )
    await _predict_ok(api, deployment, FEATURES[:3])


async def test_at_most_8_bulk_predictions_run(api: Any, deployment: dict[str, Any]) -> None:
    eid = deployment["endpoint_id"]
    slow = {
        "instances": FEATURES[:1].tolist() * 5000,
        "maxInstancesPerRequest": 1,
        "concurrency": 1,
    }
    ids = []
    for _ in range(8):
        status, started = await api("POST", "endpoints", eid, "bulkPredictions", body=slow)
        assert status == 202, started
        ids.append(started["id"])
    status, error = await api("POST", "endpoints", eid, "bulkPredictions", body=slow)
    assert (status, error["reason"]) == (429, "RESOURCE_EXHAUSTED")
    assert error["message"] == "8 bulk predictions are running already, the most at once."
    for bulk_id in ids:
        assert (await api("DELETE", "bulkPredictions", bulk_id))[0] == 204
    status, started = await api(
        "POST", "endpoints", eid, "bulkPredictions", body={"instances": FEATURES[:2].tolist()}
    )
    assert status == 202
    final = (await _bulk_until(api, started["id"], {"SUCCEEDED"}))[-1]
    assert final["predictions"] == deployment["classifier"].predict(FEATURES[:2]).tolist()
    await asyncio.sleep(0)


async def _raw_request(port: int, head: str) -> tuple[int, dict[str, Any]]:
    """Send only a request's head (no body) and read the answer: what the server says
    before reading a body."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(head.encode())
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), FIRST_WAIT)
        headers: dict[str, str] = {}
        while (line := await reader.readline()) not in (b"\r\n", b""):
            key, _, value = line.decode().partition(":")
            headers[key.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers["content-length"]))
        return int(status_line.split()[1]), json.loads(body)
    finally:
        writer.close()


async def test_bulk_bodies_are_refused_before_they_are_read(
    api: Any,
    jp_serverapp: Any,
    http_server_client: Any,  # the server listens only once this fixture exists
    jp_http_port: int,
    jp_base_url: str,
) -> None:
    path = f"{jp_base_url}jupyter-vertex/api/endpoints/123/bulkPredictions"
    token = jp_serverapp.identity_provider.token
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{jp_http_port}\r\n"
        "Content-Type: application/json\r\nContent-Length: 600000000\r\n"
    )
    status, error = await _raw_request(jp_http_port, head + f"Authorization: token {token}\r\n\r\n")
    assert (status, error["reason"]) == (400, "INVALID_ARGUMENT")
    assert error["message"] == (
        "The request body is too large (600000000 bytes; the limit of bulk prediction is "
        "536870912 bytes)."
    )
    status, error = await _raw_request(jp_http_port, head + "\r\n")
    assert (status, error["reason"]) == (403, "PERMISSION_DENIED")


async def test_a_preflight_with_a_body_is_answered_without_data(
    jp_serverapp: Any, http_server_client: Any, jp_base_url: str
) -> None:
    """CORS preflight is jupyter_server's, unauthenticated and bodiless, even when a client
    sends a body with it (schemathesis did; the connection used to drop)."""
    response = await http_server_client.fetch(
        f"{jp_base_url}jupyter-vertex/api/endpoints/123/bulkPredictions",
        method="OPTIONS",
        body=b'{"instances": [null]}',
        headers={"Content-Type": "application/json"},
        allow_nonstandard_methods=True,
        raise_error=False,
    )
    assert (response.code, response.body) == (200, b"")


async def test_stopping_cancels_running_bulk_predictions(
    api: Any, vertex_app: Any, deployment: dict[str, Any]
) -> None:
    slow = {"instances": FEATURES[:1].tolist() * 3000, "maxInstancesPerRequest": 1}
    status, started = await api(
        "POST", "endpoints", deployment["endpoint_id"], "bulkPredictions", body=slow
    )
    assert status == 202
    job = vertex_app.services.serving.bulk.get(started["id"])
    await vertex_app.services.serving.close()
    assert job.state == "CANCELLED" and job.end_time is not None
    assert job.task is not None and job.task.cancelled()
