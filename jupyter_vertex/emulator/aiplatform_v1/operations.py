"""Vertex AI's operations routes: Get/List/Wait/Cancel/DeleteOperation under a location and
under the resources that own operations, on ``/v1`` and ``/ui`` (the console's prefix), over
the core's :class:`~..core.operations.Operations`."""

from __future__ import annotations

from typing import Any

from ..core.errors import invalid_argument
from ..core.operations import EMPTY, MAX_WAIT_SECONDS, OPERATION, operation_parent
from ..core.resources import parse_location
from ..core.routing import Call, Reply, Route

LIST_RESPONSE = "google.longrunning.ListOperationsResponse"

# Collections whose resources own operations (``…/{collection}/*/operations/*``); the
# location itself owns the rest. Later slices add theirs (customJobs, notebookRuntimes...).
OWNER_COLLECTIONS: tuple[str, ...] = ("models", "endpoints", "customJobs", "trainingPipelines")


def _check_name(name: str) -> None:
    parent = operation_parent(name)
    parse_location("/".join(parent.split("/")[:4]), "name")


async def _get(call: Call) -> Reply:
    name = call.request["name"]
    _check_name(name)
    return Reply(OPERATION, await call.ctx.operations.get(name))


async def _list(call: Call) -> Reply:
    request = call.request
    parent = request["name"]
    parse_location("/".join(parent.split("/")[:4]), "name")
    operations, token = await call.ctx.operations.list(
        parent, request.get("filter", ""), request.get("pageSize", 0), request.get("pageToken", "")
    )
    data: dict[str, Any] = {"operations": operations}
    if token:
        data["nextPageToken"] = token
    return Reply(LIST_RESPONSE, data)


def _seconds(duration: str) -> float:
    text = duration.strip()
    if not text.endswith("s"):
        raise invalid_argument(f'Invalid timeout: {duration!r} is not a duration like "5s".')
    try:
        return float(text[:-1])
    except ValueError:
        raise invalid_argument(f"Invalid timeout: {duration!r}.") from None


async def _wait(call: Call) -> Reply:
    name = call.request["name"]
    _check_name(name)
    timeout = _seconds(call.request["timeout"]) if call.request.get("timeout") else MAX_WAIT_SECONDS
    return Reply(OPERATION, await call.ctx.operations.wait(name, timeout))


async def _cancel(call: Call) -> Reply:
    name = call.request["name"]
    _check_name(name)
    await call.ctx.operations.cancel(name)
    return Reply(EMPTY, {})


async def _delete(call: Call) -> Reply:
    name = call.request["name"]
    _check_name(name)
    await call.ctx.operations.delete(name)
    return Reply(EMPTY, {})


def routes() -> list[Route]:
    owners = ["projects/*/locations/*"] + [
        f"projects/*/locations/*/{collection}/*" for collection in OWNER_COLLECTIONS
    ]
    result: list[Route] = []
    for prefix in ("v1", "ui"):
        for owner in owners:
            op = f"/{prefix}/{{name={owner}/operations/*}}"
            result += [
                Route("GET", op, "google.longrunning.GetOperationRequest", _get),
                Route("DELETE", op, "google.longrunning.DeleteOperationRequest", _delete),
                Route(
                    "POST",
                    op + ":cancel",
                    "google.longrunning.CancelOperationRequest",
                    _cancel,
                    "*",
                ),
                Route("POST", op + ":wait", "google.longrunning.WaitOperationRequest", _wait, "*"),
                Route(
                    "GET",
                    f"/{prefix}/{{name={owner}}}/operations",
                    "google.longrunning.ListOperationsRequest",
                    _list,
                ),
            ]
    return result
