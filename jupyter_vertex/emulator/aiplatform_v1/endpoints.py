"""Endpoints: Create/Get/List/Update/DeleteEndpoint.

An endpoint row holds the Endpoint as answered minus its etag (computed on the way out).
``deployedModels`` and ``trafficSplit`` belong to the serving slice (DeployModel /
UndeployModel); here they are kept, validated on update, and block deletion. Private
endpoints (``network`` or Private Service Connect) are refused with INVALID_ARGUMENT.
"""

from __future__ import annotations

from typing import Any

from ..core import filters
from ..core.errors import (
    aborted,
    already_exists,
    failed_precondition,
    internal,
    invalid_argument,
)
from ..core.masks import update_paths
from ..core.resources import (
    ENDPOINT_ID,
    ResourceName,
    etag,
    new_numeric_id,
    parse_location,
    parse_resource_name,
    validate_display_name,
    validate_labels,
)
from ..core.routing import Call, Reply, Route
from ..core.store import Tx
from ..serving.serving import Serving
from . import V1
from .deployments import ENDPOINT_KIND as KIND
from .resource_handlers import delete_operation, existing, list_in_location, resource_spec

ENDPOINT = f"{V1}.Endpoint"

_OUTPUT_ONLY = {
    "name",
    "deployedModels",
    "etag",
    "createTime",
    "updateTime",
    "modelDeploymentMonitoringJob",
    "dedicatedEndpointDns",
    "satisfiesPzs",
    "satisfiesPzi",
    "gdcConfig",
}

SPEC = resource_spec(endpoint=filters.id_field())

_UPDATABLE = {"display_name": "displayName", "description": "description", "labels": "labels"}
_UPDATABLE_PATHS = set(_UPDATABLE) | {"traffic_split"}


def render(endpoint: dict[str, Any]) -> dict[str, Any]:
    out = dict(endpoint)
    out["etag"] = etag(out)
    return out


def _get(tx: Tx, path: str) -> dict[str, Any]:
    return existing(tx, path, KIND, "Endpoint")


def get_endpoint(tx: Tx, name: ResourceName) -> dict[str, Any]:
    return render(_get(tx, name.path))


def validate_traffic_split(split: dict[str, Any], deployed: list[dict[str, Any]]) -> None:
    ids = {str(d.get("id")) for d in deployed}
    for key, percent in split.items():
        if key not in ids:
            raise invalid_argument(
                f"Invalid endpoint.traffic_split: {key!r} is not the id of a model deployed to "
                "this endpoint."
            )
        if not 0 <= int(percent) <= 100:
            raise invalid_argument(
                f"Invalid endpoint.traffic_split: {percent} for {key!r} is not within 0..100."
            )
    if split and sum(int(p) for p in split.values()) != 100:
        raise invalid_argument(
            "Invalid endpoint.traffic_split: the percentages must add up to 100 (or the map "
            "must be empty)."
        )


def _refuse_private(body: dict[str, Any]) -> None:
    """Private endpoints (VPC peering or Private Service Connect) are refused when created:
    their predictions would need a private address that nothing local provides, and one
    accepted as public would fail later ("No host specified")."""
    psc = body.get("privateServiceConnectConfig") or {}
    field = "network" if body.get("network") else ""
    if not field and psc.get("enablePrivateServiceConnect"):
        field = "private_service_connect_config"
    if field:
        raise invalid_argument(
            f"Invalid endpoint.{field}: private endpoints (a VPC network or Private Service "
            "Connect) are not served by the embedded Vertex; create a public endpoint (no "
            "network, no private_service_connect_config)."
        )


class CreatePlan:
    def __init__(self, request: dict[str, Any]) -> None:
        self.location = parse_location(request.get("parent", ""), "parent")
        body = request.get("endpoint")
        if not body:
            raise invalid_argument("endpoint is required.")
        validate_display_name(body.get("displayName"), "endpoint.display_name")
        validate_labels(body.get("labels") or {}, "endpoint.labels")
        if body.get("trafficSplit"):
            raise invalid_argument(
                "Invalid endpoint.traffic_split: a new endpoint has no deployed models."
            )
        _refuse_private(body)
        endpoint_id = request.get("endpointId", "")
        if endpoint_id and not ENDPOINT_ID.match(endpoint_id):
            raise invalid_argument(
                f"Invalid endpoint_id: {endpoint_id!r} must be a lowercase letter followed by at "
                "most 62 of [a-z0-9-] ending in a letter or digit, or a number of at most 9 "
                "digits without leading zeros."
            )
        self.user_id = bool(endpoint_id)
        self.endpoint_id = endpoint_id or new_numeric_id()
        self.body = {k: v for k, v in body.items() if k not in _OUTPUT_ONLY}

    @property
    def path(self) -> str:
        return self.location.child("endpoints", self.endpoint_id)

    def check(self, tx: Tx) -> None:
        if tx.exists(self.path):
            if self.user_id:
                raise already_exists(f"Endpoint {self.path} already exists.")
            raise internal("Endpoint id collision; retry.")

    def work(self, tx: Tx) -> dict[str, Any]:
        self.check(tx)
        endpoint = {
            "name": self.path,
            **self.body,
            "createTime": tx.now,
            "updateTime": tx.now,
        }
        tx.insert(KIND, self.path, self.location.path, endpoint)
        return render(endpoint)


def update_endpoint(tx: Tx, request: dict[str, Any]) -> dict[str, Any]:
    body = request.get("endpoint") or {}
    name = parse_resource_name(body.get("name", ""), "endpoints", "endpoint.name")
    paths = update_paths(request.get("updateMask", ""), ENDPOINT, _UPDATABLE_PATHS)
    endpoint = _get(tx, name.path)
    if body.get("etag") and body["etag"] != render(endpoint)["etag"]:
        raise aborted(
            f"The etag of {name.path} does not match: the endpoint changed since it was read."
        )
    if "display_name" in paths:
        validate_display_name(body.get("displayName"), "endpoint.display_name")
    if "labels" in paths:
        validate_labels(body.get("labels") or {}, "endpoint.labels")
    if "traffic_split" in paths:
        validate_traffic_split(body.get("trafficSplit") or {}, endpoint.get("deployedModels") or [])
    for path in paths:
        key = _UPDATABLE.get(path, "trafficSplit")
        if body.get(key):
            endpoint[key] = body[key]
        else:
            endpoint.pop(key, None)
    endpoint["updateTime"] = tx.now
    tx.update(name.path, endpoint)
    return render(endpoint)


def check_delete(tx: Tx, name: ResourceName) -> None:
    endpoint = _get(tx, name.path)
    deployed = endpoint.get("deployedModels") or []
    if deployed:
        ids = ", ".join(str(d.get("id")) for d in deployed)
        raise failed_precondition(
            f"Endpoint {name.path} has deployed models ({ids}); undeploy them before deleting "
            "the endpoint."
        )


def delete_endpoint(tx: Tx, name: ResourceName) -> dict[str, Any]:
    check_delete(tx, name)
    tx.delete(name.path)
    return {}


# HTTP ----------------------------------------------------------------------------------


async def _create(call: Call) -> Reply:
    plan = CreatePlan(call.request)
    operation = await call.ctx.operations.run(
        parent=plan.path,
        metadata_type=f"{V1}.CreateEndpointOperationMetadata",
        response_type=ENDPOINT,
        check=plan.check,
        work=plan.work,
    )
    return Reply("google.longrunning.Operation", operation)


def _with_status(call: Call, endpoint: dict[str, Any]) -> dict[str, Any]:
    """Each deployed model's ``status`` as its servers are now (available replicas, restarts,
    and when that last changed)."""
    serving = call.ctx.get(Serving)
    for deployed in endpoint.get("deployedModels") or []:
        status = serving.status(str(deployed.get("id"))) if serving is not None else None
        if status is None:
            status = {"availableReplicaCount": 0, "message": "Model servers are starting."}
        # the later of the record's last change and its servers' (both RFC 3339, UTC)
        changed = [t for t in (endpoint.get("updateTime"), status.get("lastUpdateTime")) if t]
        deployed["status"] = {**status, "lastUpdateTime": max(changed, default=None)}
    return endpoint


async def _get_handler(call: Call) -> Reply:
    name = parse_resource_name(call.request.get("name", ""), "endpoints")
    endpoint = await call.ctx.store.read(lambda tx: get_endpoint(tx, name))
    return Reply(ENDPOINT, _with_status(call, endpoint))


async def _list(call: Call) -> Reply:
    return await list_in_location(
        call,
        kind=KIND,
        render=render,
        spec=SPEC,
        field="endpoints",
        response="ListEndpointsResponse",
        live=lambda endpoint: _with_status(call, endpoint),
    )


async def _update(call: Call) -> Reply:
    return Reply(ENDPOINT, await call.ctx.store.write(lambda tx: update_endpoint(tx, call.request)))


async def _delete(call: Call) -> Reply:
    name = parse_resource_name(call.request.get("name", ""), "endpoints")
    return await delete_operation(
        call,
        name,
        check=lambda tx: check_delete(tx, name),
        work=lambda tx: delete_endpoint(tx, name),
    )


def routes() -> list[Route]:
    location = "projects/*/locations/*"
    endpoint = f"{location}/endpoints/*"
    request = f"{V1}."
    return [
        Route(
            "POST",
            f"/v1/{{parent={location}}}/endpoints",
            request + "CreateEndpointRequest",
            _create,
            "endpoint",
        ),
        Route("GET", f"/v1/{{name={endpoint}}}", request + "GetEndpointRequest", _get_handler),
        Route(
            "GET", f"/v1/{{parent={location}}}/endpoints", request + "ListEndpointsRequest", _list
        ),
        Route(
            "PATCH",
            f"/v1/{{endpoint.name={endpoint}}}",
            request + "UpdateEndpointRequest",
            _update,
            "endpoint",
        ),
        Route("DELETE", f"/v1/{{name={endpoint}}}", request + "DeleteEndpointRequest", _delete),
    ]
