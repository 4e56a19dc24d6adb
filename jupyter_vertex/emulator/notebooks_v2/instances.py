"""Workbench instances (Notebooks API v2): the REST surface and the instances' life.

``/v2/{parent=projects/*/locations/*}/instances`` (list, create with ``instanceId``),
``/v2/{name=…/instances/*}`` (get, delete), ``…:start``, ``…:stop``, ``…:reset`` and the
v2 operations, exactly as ``google.cloud.notebooks_v2``'s REST transport sends them. The
location is a zone (``us-central1-a``), as on Vertex AI.

Every mutation answers a long-running operation at once and does its work in the
background (:mod:`.workbench` runs the Jupyter servers): create → ``PROVISIONING`` →
``ACTIVE`` once the server answers; stop → ``STOPPING`` → ``STOPPED``; start and reset →
``STARTING`` → ``ACTIVE``. A server that cannot start fails the operation with the reason;
the Notebooks v2 ``State`` has no FAILED, so the instance is then ``STOPPED`` with
``healthState`` UNHEALTHY and the reason in ``healthInfo["failure_reason"]`` (start it
again once the cause is gone). ``proxyUri`` is ``127.0.0.1:PORT/lab?token=TOKEN`` while
ACTIVE (Vertex answers a host name; a browser opens ``http://`` + it locally). The
post-startup script (metadata ``post-startup-script``) runs after the server is up: once by
default, at every start with ``post-startup-script-behavior`` ``run_every_start`` or
``download_and_run_every_start``; its state is in ``healthInfo``.

Rows keep, beside the Instance as answered, a private ``_local`` part (token, port, pid,
script runs) that is never answered.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core import listing
from ..core.errors import failed_precondition, not_found
from ..core.resources import ResourceName, parse_location, parse_resource_name
from ..core.routing import Call, Reply, Route
from ..core.store import Store, Tx
from .instance_logs import LOGS_DIR, ScriptLog
from .instance_specs import (
    BEHAVIOR_KEY,
    EMPTY,
    INSTANCE,
    KIND,
    LIST_SPEC,
    NB,
    OPERATION,
    OPERATION_METADATA,
    SCRIPT_FILE,
    SCRIPT_KEY,
    CreatePlan,
    check_exists,
    lab_location,
    proxy_uri,
    render,
    row_of,
    set_health,
)
from .workbench import StartFailed, Workbench

if TYPE_CHECKING:  # pragma: no cover
    from ..core.operations import Operations
    from ..storage.local_storage import LocalStorage

log = logging.getLogger(__name__)

# what each action needs and which state it goes through
_ACTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "start": (("STOPPED",), "STARTING"),
    "stop": (("ACTIVE",), "STOPPING"),
    "reset": (("ACTIVE",), "STARTING"),
}

_DONE = {"start": "started", "stop": "stopped", "reset": "reset"}


class Instances:
    """The instances of one embedded Vertex: state in the store, servers in the workbench."""

    def __init__(
        self,
        store: Store,
        operations: Operations,
        storage: LocalStorage | None,
        workbench: Workbench,
    ) -> None:
        self.store = store
        self.operations = operations
        self.storage = storage
        self.workbench = workbench
        # Beside the instances' folders, not in them: log entries outlive an instance.
        self.logs_dir = workbench.folder.parent / LOGS_DIR
        self._locks: dict[str, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task[Any]] = set()

    def _lock(self, name: str) -> asyncio.Lock:
        return self._locks.setdefault(name, asyncio.Lock())

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _update(self, name: str, change: Any) -> dict[str, Any] | None:
        """Apply ``change(row, now)`` to the row, if it still exists; answer the new row."""

        def apply(tx: Tx) -> dict[str, Any] | None:
            row = tx.get(name, KIND)
            if row is None:
                return None
            change(row, tx.now)
            row["updateTime"] = tx.now
            tx.update(name, row)
            return row

        return await self.store.write(apply)

    def _metadata(self, name: str, verb: str) -> dict[str, Any]:
        return {"target": name, "verb": verb, "apiVersion": "v2"}

    # API -----------------------------------------------------------------------------

    async def create(self, request: dict[str, Any]) -> dict[str, Any]:
        plan = CreatePlan(request)
        operation = await self.operations.begin(
            parent=plan.location.path,
            metadata_type=OPERATION_METADATA,
            check=plan.insert,
            metadata=self._metadata(plan.path, "create"),
        )
        self._spawn(self._bring_up(plan.path, operation["name"]))
        return operation

    async def act(self, name: ResourceName, action: str) -> dict[str, Any]:
        allowed, transitional = _ACTIONS[action]
        path = name.path

        def check(tx: Tx) -> None:
            row = row_of(tx, path)
            if row["state"] not in allowed:
                raise failed_precondition(
                    f"Instance {path} is {row['state']}; it can be {_DONE[action]} only when "
                    f"{' or '.join(allowed)}."
                )
            row["state"] = transitional
            row["updateTime"] = tx.now
            row.pop("proxyUri", None)
            tx.update(path, row)

        operation = await self.operations.begin(
            parent=name.location.path,
            metadata_type=OPERATION_METADATA,
            check=check,
            metadata=self._metadata(path, action),
        )
        if action == "stop":
            self._spawn(self._bring_down(path, operation["name"]))
        else:
            self._spawn(self._bring_up(path, operation["name"], reset=action == "reset"))
        return operation

    async def delete(self, name: ResourceName) -> dict[str, Any]:
        path = name.path
        operation = await self.operations.begin(
            parent=name.location.path,
            metadata_type=OPERATION_METADATA,
            check=lambda tx: check_exists(tx, path),
            metadata=self._metadata(path, "delete"),
        )
        self._spawn(self._remove(path, operation["name"]))
        return operation

    # background work --------------------------------------------------------------------

    async def _bring_up(self, name: str, operation: str | None, *, reset: bool = False) -> None:
        async with self._lock(name):
            row = await self.store.read(lambda tx: tx.get(name, KIND))
            if row is None:
                if operation:
                    await self.operations.fail(operation, not_found(f"Instance {name} not found."))
                return
            local = row.get("_local") or {}
            try:
                if reset:
                    await self.workbench.stop(name)
                server = await self.workbench.start(
                    name, local["token"], local.get("port"), lab_location(row)
                )
            except StartFailed as error:
                reason = str(error)
                log.warning("instance %s failed: %s", name, reason)

                def failed(row: dict[str, Any], now: str) -> None:
                    row["state"] = "STOPPED"  # v2 has no FAILED state: see the module doc
                    row["healthState"] = "UNHEALTHY"
                    row.pop("proxyUri", None)
                    set_health(row, jupyterlab_status="-1", failure_reason=reason)

                await self._update(name, failed)
                if operation:
                    await self.operations.fail(
                        operation,
                        failed_precondition(f"Instance {name} could not start: {reason}"),
                    )
                return

            def active(row: dict[str, Any], now: str) -> None:
                row["state"] = "ACTIVE"
                row["healthState"] = "HEALTHY"
                if not row.get("disableProxyAccess"):  # as on Vertex: no proxy, no proxyUri
                    row["proxyUri"] = proxy_uri(server.port, server.token)
                row["_local"] = {**row.get("_local", {}), "port": server.port, "pid": server.pid}
                info = dict(row.get("healthInfo") or {})
                info.pop("failure_reason", None)
                info.update(jupyterlab_status="1", jupyterlab_api_status="1")
                row["healthInfo"] = info

            updated = await self._update(name, active)
            if updated is None:  # deleted meanwhile
                await self.workbench.remove(name)
                return
            if operation:
                await self.operations.complete(operation, INSTANCE, render(updated))
            self._spawn(self._watch(name, server.process))
            await self._post_startup(name, updated)

    async def _watch(self, name: str, process: asyncio.subprocess.Process) -> None:
        """A server that ends on its own (crash, killed): the instance is STOPPED."""
        status = await process.wait()
        if not self.workbench.forget(name, process):
            return  # stopped (or replaced) on purpose

        def stopped(row: dict[str, Any], now: str) -> None:
            if row["state"] == "ACTIVE":
                row["state"] = "STOPPED"
                row.pop("proxyUri", None)
                row.pop("healthState", None)
                set_health(
                    row,
                    jupyterlab_status="-1",
                    failure_reason=f"The Jupyter server exited with status {status}.",
                )

        await self._update(name, stopped)

    async def _bring_down(self, name: str, operation: str) -> None:
        async with self._lock(name):
            await self.workbench.stop(name)

            def stopped(row: dict[str, Any], now: str) -> None:
                row["state"] = "STOPPED"
                row.pop("proxyUri", None)
                row.pop("healthState", None)
                set_health(row, jupyterlab_status="-1")

            updated = await self._update(name, stopped)
            if updated is None:
                await self.operations.fail(operation, not_found(f"Instance {name} not found."))
                return
            await self.operations.complete(operation, INSTANCE, render(updated))

    async def _remove(self, name: str, operation: str) -> None:
        async with self._lock(name):
            await self.workbench.remove(name)
            await self.store.write(lambda tx: tx.delete(name))
            await self.operations.complete(operation, EMPTY, {})
        self._locks.pop(name, None)

    # the post-startup script ----------------------------------------------------------

    async def _post_startup(self, name: str, row: dict[str, Any]) -> None:
        metadata = (row.get("gceSetup") or {}).get("metadata") or {}
        uri = metadata.get(SCRIPT_KEY)
        if not uri:
            return
        behavior = metadata.get(BEHAVIOR_KEY, "run_once")
        if behavior == "run_once" and (row.get("_local") or {}).get("scriptRuns", 0) > 0:
            return

        def running(row: dict[str, Any], now: str) -> None:
            local = row.setdefault("_local", {})
            local["scriptRuns"] = int(local.get("scriptRuns", 0)) + 1
            set_health(row, post_startup_script="running")

        await self._update(name, running)
        folder = self.workbench.folder_for(name)
        script = folder / SCRIPT_FILE
        # Its output is also in Cloud Logging, as on Vertex AI (see .instance_logs).
        script_log = ScriptLog(self.logs_dir, name, str(row.get("id") or ""))
        problem = await self._fetch_script(uri, script)
        if problem is not None:
            await asyncio.to_thread(_append, folder / "post-startup-script.log", problem + "\n")
            await script_log.write(problem, "ERROR")
            await script_log.close()
            outcome = f"failed: {problem}"
        else:
            code = await self.workbench.run_script(
                name, script, {"INSTANCE_NAME": name}, script_log
            )
            outcome = "succeeded" if code == 0 else f"failed: exit status {code}"
        await self._update(name, lambda row, now: set_health(row, post_startup_script=outcome))

    async def _fetch_script(self, uri: str, target: Path) -> str | None:
        """Copy the script to ``target``; answer what went wrong, or None."""
        try:
            if uri.startswith("gs://"):
                bucket, _, obj = uri[len("gs://") :].partition("/")
                if self.storage is None or not await self.storage.download(bucket, obj, target):
                    return f"The post-startup script {uri} was not found."
                return None
            if uri.startswith(("https://", "http://")):
                import httpx

                async with httpx.AsyncClient(timeout=30.0, follow_redirects=True) as client:
                    answer = await client.get(uri)
                if answer.status_code != 200:
                    return f"Downloading {uri} answered HTTP {answer.status_code}."
                await asyncio.to_thread(target.write_bytes, answer.content)
                return None
            await asyncio.to_thread(shutil.copyfile, uri, target)
            return None
        except Exception as error:  # noqa: BLE001 - reported in the script's log
            return f"The post-startup script {uri} could not be fetched: {error}"

    # process lifecycle ------------------------------------------------------------------

    async def resume(self) -> int:
        """After a restart: start again what was running; what was stopping is STOPPED."""

        def sort_out(tx: Tx) -> list[str]:
            names = []
            for row in tx.all_of_kind(KIND):
                state = row.get("state")
                if state in ("ACTIVE", "PROVISIONING", "STARTING"):
                    row["state"] = "STARTING"
                    row.pop("proxyUri", None)
                    names.append(row["name"])
                elif state == "STOPPING":
                    row["state"] = "STOPPED"
                    row.pop("proxyUri", None)
                    row.pop("healthState", None)
                else:
                    continue
                row["updateTime"] = tx.now
                tx.update(row["name"], row)
            return names

        names = await self.store.write(sort_out)
        for name in names:
            self._spawn(self._bring_up(name, None))
        return len(names)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await self.workbench.close()


def _append(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text)


# HTTP ------------------------------------------------------------------------------------


def _instances(call: Call) -> Instances:
    instances = call.ctx.get(Instances)
    if instances is None:  # pragma: no cover - always set by the server
        raise failed_precondition("Workbench instances are not available here.")
    return instances


def _name(call: Call) -> ResourceName:
    return parse_resource_name(call.request.get("name", ""), "instances")


async def _create(call: Call) -> Reply:
    return Reply(OPERATION, await _instances(call).create(call.request))


async def _get(call: Call) -> Reply:
    path = _name(call).path
    row = await call.ctx.store.read(lambda tx: row_of(tx, path))
    return Reply(INSTANCE, render(row))


async def _list(call: Call) -> Reply:
    location = parse_location(call.request.get("parent", ""), "parent")
    rows = await call.ctx.store.read(lambda tx: tx.children(KIND, location.path))
    data = listing.list_response(
        [render(r) for r in rows],
        LIST_SPEC,
        scope=location.path,
        request=call.request,
        field="instances",
    )
    return Reply(f"{NB}.ListInstancesResponse", data)


async def _delete(call: Call) -> Reply:
    return Reply(OPERATION, await _instances(call).delete(_name(call)))


def _action(action: str) -> Any:
    async def handler(call: Call) -> Reply:
        return Reply(OPERATION, await _instances(call).act(_name(call), action))

    return handler


async def _get_operation(call: Call) -> Reply:
    return Reply(OPERATION, await call.ctx.operations.get(call.request["name"]))


async def _delete_operation(call: Call) -> Reply:
    await call.ctx.operations.delete(call.request["name"])
    return Reply(EMPTY, {})


async def _cancel_operation(call: Call) -> Reply:
    await call.ctx.operations.cancel(call.request["name"])
    return Reply(EMPTY, {})


async def _list_operations(call: Call) -> Reply:
    request = call.request
    parent = parse_location(request["name"], "name").path
    operations, token = await call.ctx.operations.list(
        parent, request.get("filter", ""), request.get("pageSize", 0), request.get("pageToken", "")
    )
    data: dict[str, Any] = {"operations": operations}
    if token:
        data["nextPageToken"] = token
    return Reply("google.longrunning.ListOperationsResponse", data)


def routes() -> list[Route]:
    location = "projects/*/locations/*"
    instance = f"{location}/instances/*"
    operation = f"{location}/operations/*"
    lro = "google.longrunning."
    result = [
        Route(
            "POST",
            f"/v2/{{parent={location}}}/instances",
            f"{NB}.CreateInstanceRequest",
            _create,
            "instance",
        ),
        Route("GET", f"/v2/{{parent={location}}}/instances", f"{NB}.ListInstancesRequest", _list),
        Route("GET", f"/v2/{{name={instance}}}", f"{NB}.GetInstanceRequest", _get),
        Route("DELETE", f"/v2/{{name={instance}}}", f"{NB}.DeleteInstanceRequest", _delete),
        Route("GET", f"/v2/{{name={operation}}}", lro + "GetOperationRequest", _get_operation),
        Route(
            "DELETE",
            f"/v2/{{name={operation}}}",
            lro + "DeleteOperationRequest",
            _delete_operation,
        ),
        Route(
            "POST",
            f"/v2/{{name={operation}}}:cancel",
            lro + "CancelOperationRequest",
            _cancel_operation,
            "*",
        ),
        Route(
            "GET",
            f"/v2/{{name={location}}}/operations",
            lro + "ListOperationsRequest",
            _list_operations,
        ),
    ]
    for action in _ACTIONS:
        request_type = f"{NB}.{action.capitalize()}InstanceRequest"
        result.append(
            Route("POST", f"/v2/{{name={instance}}}:{action}", request_type, _action(action), "*")
        )
    return result
