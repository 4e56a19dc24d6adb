"""Predict and RawPredict: follow the endpoint's traffic split to a model server.

``:predict`` takes ``{"instances": [...], "parameters": ...}`` and answers Vertex's
PredictResponse (``predictions``, ``deployedModelId``, ``model``, ``modelDisplayName``,
``modelVersionId``); ``:rawPredict`` passes the body and content type through and answers the
server's bytes. Bodies over Vertex's online limit (1.5 MB) are INVALID_ARGUMENT; an endpoint
with nothing deployed is FAILED_PRECONDITION. A model server's own error (bad instances,
wrong number of features) is answered as INVALID_ARGUMENT with the server's message.
"""

from __future__ import annotations

import json
import random
from typing import Any

from .deploy import serving_of
from .deployments import ENDPOINT_KIND
from .errors import failed_precondition, invalid_argument, not_found
from .models import KIND_MODEL
from .resources import parse_resource_name
from .routing import Call, RawReply, Route
from .store import Tx

MAX_ONLINE_BODY = 1_572_864  # 1.5 MiB, Vertex's online prediction request limit


def _target(tx: Tx, path: str) -> dict[str, Any]:
    endpoint = tx.get(path, ENDPOINT_KIND)
    if endpoint is None:
        raise not_found(f"Endpoint {path} not found.")
    deployed = endpoint.get("deployedModels") or []
    if not deployed:
        raise failed_precondition(
            f"Endpoint {path} has no deployed model: deploy a model before sending predictions."
        )
    split = {k: int(v) for k, v in (endpoint.get("trafficSplit") or {}).items() if int(v) > 0}
    if not split:
        raise failed_precondition(
            f"Endpoint {path} sends no traffic to any deployed model (its traffic_split is "
            "empty or all 0)."
        )
    chosen = random.choices(list(split), weights=list(split.values()))[0]  # noqa: S311
    record = next(d for d in deployed if str(d["id"]) == chosen)
    model = tx.get(str(record["model"]).partition("@")[0], KIND_MODEL) or {}
    return {
        "deployedModelId": chosen,
        "model": str(record["model"]).partition("@")[0],
        "modelDisplayName": model.get("displayName", ""),
        "modelVersionId": str(record.get("modelVersionId", "")),
    }


def _check_size(body: bytes) -> None:
    if len(body) > MAX_ONLINE_BODY:
        raise invalid_argument(
            f"Request payload size is {len(body)} bytes, over the online prediction limit of "
            f"{MAX_ONLINE_BODY} bytes (1.5 MB); send fewer instances per request or use batch "
            "prediction."
        )


def _server_error(status: int, body: bytes) -> Exception:
    text = body.decode("utf-8", "replace")
    try:
        detail = json.loads(text).get("detail", text)
    except (ValueError, AttributeError):
        detail = text
    return invalid_argument(f"The model server answered {status}: {detail}")


async def _predict(call: Call) -> RawReply:
    body: bytes = call.request["_body"]
    _check_size(body)
    name = parse_resource_name(call.request.get("endpoint", ""), "endpoints", "endpoint")
    try:
        parsed = json.loads(body or b"{}")
    except ValueError as exc:
        raise invalid_argument(f"Invalid JSON payload received. {exc}.") from None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("instances"), list):
        raise invalid_argument('"instances" must be a list of instances.')
    if not parsed["instances"]:
        raise invalid_argument('"instances" must not be empty.')
    target = await call.ctx.store.read(lambda tx: _target(tx, name.path))
    forward = {"instances": parsed["instances"]}
    if parsed.get("parameters") is not None:
        forward["parameters"] = parsed["parameters"]
    status, _, answer = await serving_of(call.ctx).forward(
        target["deployedModelId"], json.dumps(forward).encode(), "application/json"
    )
    if status != 200:
        raise _server_error(status, answer)
    try:
        predictions = json.loads(answer)["predictions"]
    except (ValueError, KeyError, TypeError):
        raise invalid_argument("The model server's answer has no predictions.") from None
    out = {"predictions": predictions, **target}
    return RawReply("", {}, body=json.dumps(out).encode())


async def _raw_predict(call: Call) -> RawReply:
    body: bytes = call.request["_body"]
    _check_size(body)
    name = parse_resource_name(call.request.get("endpoint", ""), "endpoints", "endpoint")
    target = await call.ctx.store.read(lambda tx: _target(tx, name.path))
    status, content_type, answer = await serving_of(call.ctx).forward(
        target["deployedModelId"], body, call.request.get("_contentType") or "application/json"
    )
    endpoint_id = name.resource_id
    return RawReply(
        "",
        {},
        body=answer,
        status=status,
        content_type=content_type,
        headers={
            "X-Vertex-AI-Endpoint-Id": endpoint_id,
            "X-Vertex-AI-Deployed-Model-Id": target["deployedModelId"],
        },
    )


def routes() -> list[Route]:
    endpoint = "projects/*/locations/*/endpoints/*"
    return [
        Route("POST", f"/v1/{{endpoint={endpoint}}}:predict", "-", _predict, "*", raw=True),
        Route("POST", f"/v1/{{endpoint={endpoint}}}:rawPredict", "-", _raw_predict, "*", raw=True),
    ]
