"""Predict and RawPredict: follow the endpoint's traffic split to a model server.

``:predict`` takes ``{"instances": [...], "parameters": ...}`` and answers Vertex's
PredictResponse (``predictions``, ``deployedModelId``, ``model``, ``modelDisplayName``,
``modelVersionId``); ``:rawPredict`` passes the body and content type through and answers the
server's bytes with Vertex's ``X-Vertex-AI-*`` headers (endpoint, deployed model, model, its
display name and version id). Bodies over Vertex's online limit (1.5 MB) are
INVALID_ARGUMENT; an endpoint with nothing deployed is FAILED_PRECONDITION. A model server's
own error (bad instances, wrong number of features) is answered as INVALID_ARGUMENT with the
server's message.

Every request is measured (instances, response code, latency inside the model server and
in total) into the endpoint metrics (:mod:`..serving.measurements`), in memory.

The hot path reads no SQLite: each endpoint's routing (deployed models, split, model names)
is kept in memory and read again only when the store has been written since
(``Store.generation``), i.e. after a deploy, undeploy, mutate or traffic change commits.
"""

from __future__ import annotations

import bisect
import functools
import json
import random
import time
from dataclasses import dataclass
from typing import Any

from ..core.errors import ApiError, failed_precondition, invalid_argument, not_found
from ..core.resources import ResourceName, parse_resource_name
from ..core.routing import Call, Context, RawReply, Route
from ..core.store import Tx
from ..serving.measurements import Metrics
from ..serving.metrics import Where
from ..serving.model_errors import model_error_message
from .deploy import serving_of
from .deployments import ENDPOINT_KIND
from .model_versions import KIND_MODEL

MAX_ONLINE_BODY = 1_572_864  # 1.5 MiB, Vertex's online prediction request limit
CACHE_LIMIT = 1024  # endpoints whose routing is kept; the cache starts over beyond this


@dataclass(frozen=True)
class Target:
    deployed_model_id: str
    fields: dict[str, str]  # deployedModelId, model, modelDisplayName, modelVersionId
    suffix: bytes  # those fields as the tail of a JSON object: b',"deployedModelId":…}'


@dataclass(frozen=True)
class Routing:
    """An endpoint's traffic split, ready to draw from; or the error a request gets."""

    targets: tuple[Target, ...] = ()
    cumulative: tuple[int, ...] = ()  # running sums of the split's percentages
    error: ApiError | None = None

    def choose(self) -> Target:
        if self.error is not None:  # a fresh exception each time: a raised one keeps frames
            raise ApiError(self.error.status, self.error.message)
        if len(self.targets) == 1:
            return self.targets[0]
        draw = random.random() * self.cumulative[-1]  # noqa: S311 - traffic split, not crypto
        return self.targets[bisect.bisect_right(self.cumulative, draw)]


def _routing(tx: Tx, path: str) -> Routing:
    endpoint = tx.get(path, ENDPOINT_KIND)
    if endpoint is None:
        return Routing(error=not_found(f"Endpoint {path} not found."))
    deployed = endpoint.get("deployedModels") or []
    if not deployed:
        return Routing(
            error=failed_precondition(
                f"Endpoint {path} has no deployed model: deploy a model before sending predictions."
            )
        )
    split = {k: int(v) for k, v in (endpoint.get("trafficSplit") or {}).items() if int(v) > 0}
    if not split:
        return Routing(
            error=failed_precondition(
                f"Endpoint {path} sends no traffic to any deployed model (its traffic_split is "
                "empty or all 0)."
            )
        )
    targets, cumulative, running = [], [], 0
    for chosen, percent in split.items():
        record = next(d for d in deployed if str(d["id"]) == chosen)
        model_name = str(record["model"]).partition("@")[0]
        model = tx.get(model_name, KIND_MODEL) or {}
        fields = {
            "deployedModelId": chosen,
            "model": model_name,
            "modelDisplayName": model.get("displayName", ""),
            "modelVersionId": str(record.get("modelVersionId", "")),
        }
        suffix = ("," + json.dumps(fields)[1:]).encode()
        targets.append(Target(chosen, fields, suffix))
        running += percent
        cumulative.append(running)
    return Routing(tuple(targets), tuple(cumulative))


class RoutingCache:
    """Endpoints' routing, valid while the store's generation is unchanged."""

    def __init__(self) -> None:
        self.generation = -1
        self.routes: dict[str, Routing] = {}

    async def get(self, ctx: Context, path: str) -> Routing:
        generation = ctx.store.generation
        if generation != self.generation:
            self.routes, self.generation = {}, generation
        found = self.routes.get(path)
        if found is None:
            found = await ctx.store.read(lambda tx: _routing(tx, path))
            if ctx.store.generation == generation:  # not written meanwhile
                if len(self.routes) >= CACHE_LIMIT:
                    self.routes = {}
                self.routes[path] = found
        return found


def _cache(ctx: Context) -> RoutingCache:
    """The process's routing cache: kept on its context, made on the first prediction."""
    cache = ctx.get(RoutingCache)
    if cache is None:
        cache = RoutingCache()
        ctx.add(cache)
    return cache


def _check_size(body: bytes) -> None:
    if len(body) > MAX_ONLINE_BODY:
        raise invalid_argument(
            f"Request payload size is {len(body)} bytes, over the online prediction limit of "
            f"{MAX_ONLINE_BODY} bytes (1.5 MB); send fewer instances per request or use batch "
            "prediction."
        )


def _server_error(body: bytes) -> Exception:
    return invalid_argument(model_error_message(body))


@functools.lru_cache(maxsize=CACHE_LIMIT)
def _endpoint_name(given: str) -> ResourceName:
    """A parsed endpoint name (an invalid one raises, and is not remembered): the hot path
    sees the same few again and again."""
    return parse_resource_name(given, "endpoints", "endpoint")


class Measure:
    """One request's measurements, recorded however the request ends."""

    def __init__(self, call: Call) -> None:
        self.call = call
        self.started = time.perf_counter()
        self.where: Where | None = None  # unknown until the endpoint's name is parsed
        self.deployed_model_id = ""
        self.instances = 0
        self.model_ms: float | None = None

    def endpoint(self) -> ResourceName:
        """The request's endpoint name (parsed, or INVALID_ARGUMENT); measured from now on."""
        name = _endpoint_name(self.call.request.get("endpoint", ""))
        self.where = Where(name.location.project, name.location.location, name.resource_id)
        return name

    def done(self, status: int) -> None:
        metrics = self.call.ctx.get(Metrics)
        if metrics is None or self.where is None:
            return
        metrics.record(
            self.where,
            deployed_model_id=self.deployed_model_id,
            instances=self.instances,
            status=status,
            total_ms=(time.perf_counter() - self.started) * 1000,
            model_ms=self.model_ms,
        )


async def _measured(call: Call, handle: Any) -> RawReply:
    measure = Measure(call)
    try:
        reply: RawReply = await handle(call, measure)
    except ApiError as error:
        measure.done(error.http_status)
        raise
    except Exception:
        measure.done(500)
        raise
    measure.done(reply.status)
    return reply


async def _forward(
    call: Call, measure: Measure, target: Target, body: bytes, content_type: str
) -> tuple[int, str, bytes]:
    measure.deployed_model_id = target.deployed_model_id
    started = time.perf_counter()
    try:
        return await serving_of(call.ctx).forward(target.deployed_model_id, body, content_type)
    finally:
        measure.model_ms = (time.perf_counter() - started) * 1000


async def _predict(call: Call, measure: Measure) -> RawReply:
    body: bytes = call.request["_body"]
    name = measure.endpoint()
    _check_size(body)
    try:
        parsed = json.loads(body or b"{}")
    except ValueError as exc:
        raise invalid_argument(f"Invalid JSON payload received. {exc}.") from None
    except RecursionError:  # nested thousands deep: json's C parser gives up
        raise invalid_argument("Invalid JSON payload received. Nesting too deep.") from None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("instances"), list):
        raise invalid_argument('"instances" must be a list of instances.')
    if not parsed["instances"]:
        raise invalid_argument('"instances" must not be empty.')
    target = (await _cache(call.ctx).get(call.ctx, name.path)).choose()
    measure.instances = len(parsed["instances"])
    if set(parsed) <= {"instances", "parameters"} and parsed.get("parameters", 0) is not None:
        forward = body  # already what the model server takes: pass it on as it is
    else:
        kept = {k: parsed[k] for k in ("instances", "parameters") if parsed.get(k) is not None}
        forward = json.dumps(kept).encode()
    status, _, answer = await _forward(call, measure, target, forward, "application/json")
    if status != 200:
        raise _server_error(answer)
    try:
        parsed_answer = json.loads(answer)
        predictions = parsed_answer["predictions"]
    except (ValueError, KeyError, TypeError):
        raise invalid_argument("The model server's answer has no predictions.") from None
    if isinstance(parsed_answer, dict) and list(parsed_answer) == ["predictions"]:
        # {"predictions": [...]} + the target's fields, without encoding predictions again
        out = answer.rstrip()[:-1] + target.suffix
    else:
        out = json.dumps({"predictions": predictions, **target.fields}).encode()
    return RawReply("", {}, body=out)


def _header_safe(value: str) -> str:
    """``value`` without the control characters an HTTP header cannot carry."""
    return "".join(" " if ord(char) < 32 or ord(char) == 127 else char for char in value)


async def _raw_predict(call: Call, measure: Measure) -> RawReply:
    body: bytes = call.request["_body"]
    name = measure.endpoint()
    _check_size(body)
    target = (await _cache(call.ctx).get(call.ctx, name.path)).choose()
    measure.instances = _instances_in(body)
    status, content_type, answer = await _forward(
        call, measure, target, body, call.request.get("_contentType") or "application/json"
    )
    return RawReply(
        "",
        {},
        body=answer,
        status=status,
        content_type=content_type,
        headers={
            "X-Vertex-AI-Endpoint-Id": name.resource_id,
            "X-Vertex-AI-Deployed-Model-Id": target.deployed_model_id,
            # what Vertex adds and the SDK's predict(use_raw_predict=True) reads
            "X-Vertex-AI-Model": target.fields["model"],
            "X-Vertex-AI-Model-Display-Name": _header_safe(target.fields["modelDisplayName"]),
            "X-Vertex-AI-Model-Version-Id": target.fields["modelVersionId"],
        },
    )


def _instances_in(body: bytes) -> int:
    """Instances in a raw body: the length of its ``instances`` list, else one."""
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):
        return 1
    if isinstance(parsed, dict) and isinstance(parsed.get("instances"), list):
        return len(parsed["instances"])
    return 1


async def _predict_route(call: Call) -> RawReply:
    return await _measured(call, _predict)


async def _raw_predict_route(call: Call) -> RawReply:
    return await _measured(call, _raw_predict)


def routes() -> list[Route]:
    endpoint = "projects/*/locations/*/endpoints/*"
    v1 = "google.cloud.aiplatform.v1."
    return [
        Route(
            "POST",
            f"/v1/{{endpoint={endpoint}}}:predict",
            "-",
            _predict_route,
            "*",
            raw=True,
            grpc_request=v1 + "PredictRequest",
        ),
        Route(
            "POST",
            f"/v1/{{endpoint={endpoint}}}:rawPredict",
            "-",
            _raw_predict_route,
            "*",
            raw=True,
            grpc_request=v1 + "RawPredictRequest",
        ),
    ]
