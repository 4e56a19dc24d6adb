"""Long-running operations as the API's ``Operation``: read by name, through Google's clients.

Vertex AI operations (``projects/p/locations/us-central1/endpoints/1/operations/2``) are read
with the AI Platform client's operations mixin; Workbench (Notebooks v2) operations, whose
location is a zone (``…/locations/us-central1-a/operations/op``), with the Notebooks client.
"""

from __future__ import annotations

import re
from typing import Any

from ..backend.clients import ClientFactory
from ..errors import InvalidArgument, NotFound
from .convert import resource_id

__all__ = ["OperationsService", "operation_to_json"]

AIPLATFORM = "google.cloud.aiplatform_v1"
NOTEBOOKS = "google.cloud.notebooks_v2"

_VERTEX_NAME = re.compile(
    r"projects/[^/]+/locations/(?P<location>[a-z0-9-]+)(?:/(?P<collection>[a-zA-Z]+)/(?P<owner>[^/]+))?"
    r"/operations/[^/]+"
)
_ZONE = re.compile(r"[a-z]+(?:-[a-z]+)*[0-9]+-[a-z]")

# The metadata message of an operation says what it does.
_KINDS = {
    "DeployModelOperationMetadata": "deploy",
    "UndeployModelOperationMetadata": "undeploy",
}
_INSTANCE_VERBS = {
    "create": "createInstance",
    "delete": "deleteInstance",
    "start": "startInstance",
    "stop": "stopInstance",
    "reset": "resetInstance",
}


def _any_to_dict(value: Any) -> dict[str, Any] | None:
    """A packed ``google.protobuf.Any`` as protobuf JSON (with ``@type``), if set."""
    if value is None or not value.type_url:
        return None
    from google.protobuf import json_format

    try:
        data: dict[str, Any] = json_format.MessageToDict(value)
    except (TypeError, KeyError, json_format.Error):  # a type this process does not know
        return {"@type": value.type_url}
    return data


def operation_to_json(operation: Any) -> dict[str, Any]:
    """A ``google.longrunning.Operation`` (protobuf) → the API's ``Operation``."""
    name: str = operation.name
    metadata = _any_to_dict(operation.metadata) if operation.HasField("metadata") else None
    meta_type = str((metadata or {}).get("@type", "")).rsplit(".", 1)[-1]
    kind = _KINDS.get(meta_type, "other")
    target: str | None = None
    match = _VERTEX_NAME.fullmatch(name)
    if match and match["collection"] in ("endpoints", "instances"):
        target = match["owner"]
    if metadata and "verb" in metadata and meta_type == "OperationMetadata":
        kind = _INSTANCE_VERBS.get(str(metadata["verb"]), "other")
        target = resource_id(str(metadata.get("target", ""))) or target
    error = None
    if operation.HasField("error"):
        error = {"code": int(operation.error.code), "message": operation.error.message}
    out: dict[str, Any] = {
        "name": name,
        "done": bool(operation.done),
        "error": error,
        "kind": kind,
        "target": target,
        "metadata": metadata,
    }
    if kind == "deploy":
        response = _any_to_dict(operation.response) if operation.HasField("response") else None
        deployed = (response or {}).get("deployedModel") or {}
        out["result"] = {"deployedModelId": str(deployed["id"])} if deployed.get("id") else None
    return out


class OperationsService:
    def __init__(self, clients: ClientFactory) -> None:
        self.clients = clients

    async def get(self, name: str) -> dict[str, Any]:
        match = _VERTEX_NAME.fullmatch(name)
        if match is None:
            raise InvalidArgument(
                f"Parameter 'name': {name!r} is not an operation name "
                "(projects/…/locations/…/[…/]operations/…)."
            )
        if _ZONE.fullmatch(match["location"]):
            client = await self.clients.client(NOTEBOOKS, "NotebookServiceClient")
        else:
            client = await self.clients.client(AIPLATFORM, "EndpointServiceClient")
        from google.longrunning import operations_pb2

        try:
            operation = await self.clients.call(
                client.get_operation, request=operations_pb2.GetOperationRequest(name=name)
            )
        except ValueError as exc:
            # The REST transport refuses, before sending, a name matching none of the API's
            # URL templates (an unknown collection such as ``…/bfqS/x/operations/1``): no
            # such operation can exist.
            if "HTTP binding" not in str(exc):
                raise
            where = repr(match["collection"]) if match["collection"] else "this location"
            raise NotFound(
                f"Operation {name!r} not found: {where} has no operations in this API."
            ) from None
        return operation_to_json(operation)
