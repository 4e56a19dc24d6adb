"""What Vertex's resource kinds (custom jobs, training pipelines, endpoints, models) do alike:
read a record that must exist, and answer List and Delete calls."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from ..core import listing
from ..core.errors import failed_precondition, not_found
from ..core.filters import FilterField, ListSpec, map_field, string_field, timestamp_field
from ..core.resources import ResourceName, parse_location, parse_resource_name
from ..core.routing import Call, Reply
from ..core.store import Tx
from . import V1

Record = dict[str, Any]


def existing(tx: Tx, path: str, kind: str, what: str) -> Record:
    """The stored ``kind`` record at ``path``; NOT_FOUND naming ``what`` it is if none."""
    found = tx.get(path, kind)
    if found is None:
        raise not_found(f"{what} {path} not found.")
    return found


async def list_in_location(
    call: Call,
    *,
    kind: str,
    render: Callable[[Record], Record],
    spec: ListSpec,
    field: str,
    response: str,
    live: Callable[[Record], Record] | None = None,
) -> Reply:
    """``response`` (a List…Response): the ``kind`` rows under the request's ``parent``
    rendered, then filtered, ordered and paged per ``spec``; ``live`` adds what is not stored
    (applied after the read, outside the transaction)."""
    request = call.request
    location = parse_location(request.get("parent", ""), "parent")
    items = await call.ctx.store.read(
        lambda tx: [render(row) for row in tx.children(kind, location.path)]
    )
    if live is not None:
        items = [live(item) for item in items]
    data = listing.list_response(items, spec, scope=location.path, request=request, field=field)
    return Reply(f"{V1}.{response}", data)


async def delete_operation(
    call: Call,
    name: ResourceName,
    *,
    check: Callable[[Tx], None],
    work: Callable[[Tx], Record],
) -> Reply:
    """A Delete… call as Vertex answers it: a long-running operation under the resource's
    location (``DeleteOperationMetadata``, ``Empty``) that runs ``check`` before it starts and
    ``work`` (which checks again and deletes) in its own transaction."""
    operation = await call.ctx.operations.run(
        parent=name.location.path,
        metadata_type=f"{V1}.DeleteOperationMetadata",
        response_type="google.protobuf.Empty",
        check=check,
        work=work,
    )
    return Reply("google.longrunning.Operation", operation)


async def delete_ended_job(
    call: Call,
    *,
    collection: str,
    what: str,
    state_of: Callable[[Tx, str], str],
    ended: Collection[str],
) -> Reply:
    """DeleteCustomJob / DeleteBatchPredictionJob: the delete LRO, refused with
    FAILED_PRECONDITION while the job (``what``, e.g. ``CustomJob``) has not ended."""
    name = parse_resource_name(call.request.get("name", ""), collection)

    def check(tx: Tx) -> None:
        state = state_of(tx, name.path)
        if state not in ended:
            raise failed_precondition(
                f"The {what} {name.path} is in state {state} and cannot be deleted; "
                "cancel it first."
            )

    def work(tx: Tx) -> Record:
        check(tx)
        tx.delete(name.path)
        return {}

    return await delete_operation(call, name, check=check, work=work)


def resource_spec(**own: FilterField) -> ListSpec:
    """What Vertex's lists of custom jobs, pipelines, endpoints and models share: filters on
    ``display_name``, ``labels``, ``create_time`` and ``update_time`` and ordering by the
    display name and times; plus the collection's ``own`` filters."""
    return ListSpec(
        filters={
            "display_name": string_field("displayName"),
            "labels": map_field("labels"),
            "create_time": timestamp_field("createTime"),
            "update_time": timestamp_field("updateTime"),
            **own,
        },
        orders={
            "display_name": "displayName",
            "create_time": "createTime",
            "update_time": "updateTime",
        },
    )
