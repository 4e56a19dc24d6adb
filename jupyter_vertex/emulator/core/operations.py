"""Long-running operations (``google.longrunning.Operation``), kept in the store.

A mutating method calls :meth:`Operations.run` with

- ``check(tx)``: what Vertex validates at once (bad arguments, missing or conflicting
  resources). Its errors answer the HTTP call itself and nothing is written.
- ``work(tx)``: the change itself; returns the operation's response. Errors raised here end
  the *operation* with that error instead (its writes are rolled back).

With no delay (this slice's default) check, work, and the finished operation are written in
one transaction. Otherwise the pending operation is written first and ``work`` runs later,
in its own transaction, unless the operation was cancelled in between. Later slices finish
operations themselves with :meth:`complete` / :meth:`fail` (e.g. when a model server is up)
and register a cancel hook to stop the work they started. ``wait`` blocks on an in-memory
event per operation, never by polling. At start-up, operations left unfinished by a previous
process are ended with ABORTED: their worker is gone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from . import filters, listing
from .errors import ApiError, not_found
from .resources import new_numeric_id
from .store import Store, Tx

log = logging.getLogger(__name__)

KIND = "operation"
OPERATION = "google.longrunning.Operation"
EMPTY = "google.protobuf.Empty"
MAX_WAIT_SECONDS = 120.0

CancelHook = Callable[[], Awaitable[None] | None]

LIST_SPEC = filters.ListSpec(
    filters={"done": filters.bool_field("done")},
    orders={"create_time": "_createTime"},
)


def type_url(full_name: str) -> str:
    return f"type.googleapis.com/{full_name}"


def operation_parent(name: str) -> str:
    return name.rsplit("/operations/", 1)[0]


class Operations:
    def __init__(self, store: Store, *, delay: float = 0.0) -> None:
        self.store = store
        self.delay = delay
        self._events: dict[str, asyncio.Event] = {}
        self._cancel_hooks: dict[str, CancelHook] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._timers: dict[str, asyncio.TimerHandle] = {}

    # starting ----------------------------------------------------------------------------

    async def run(
        self,
        *,
        parent: str,
        metadata_type: str,
        response_type: str,
        work: Callable[[Tx], dict[str, Any]],
        check: Callable[[Tx], None] | None = None,
        failure: ApiError | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Start an operation under ``parent`` (a location or a resource); answer it."""
        name = f"{parent}/operations/{new_numeric_id()}"

        def begin(tx: Tx) -> dict[str, Any]:
            if check is not None:
                check(tx)
            operation = _new_operation(name, metadata_type, tx.now, metadata)
            if self.delay <= 0:
                _finish(tx, operation, response_type, work, failure)
            tx.insert(KIND, name, parent, operation)
            return operation

        operation = await self.store.write(begin)
        if operation.get("done"):
            self._notify(name)
        else:
            loop = asyncio.get_running_loop()
            self._timers[name] = loop.call_later(
                self.delay, self._start_finishing, name, response_type, work, failure
            )
        return operation

    def _start_finishing(
        self,
        name: str,
        response_type: str,
        work: Callable[[Tx], dict[str, Any]],
        failure: ApiError | None,
    ) -> None:
        self._timers.pop(name, None)
        task = asyncio.ensure_future(self._finish_later(name, response_type, work, failure))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _finish_later(
        self,
        name: str,
        response_type: str,
        work: Callable[[Tx], dict[str, Any]],
        failure: ApiError | None,
    ) -> None:
        def finish(tx: Tx) -> None:
            operation = tx.get(name, KIND)
            if operation is None or operation.get("done"):
                return  # cancelled or deleted meanwhile
            _finish(tx, operation, response_type, work, failure)
            tx.update(name, operation)

        try:
            await self.store.write(finish)
        except Exception:  # pragma: no cover - the store is closing
            log.exception("could not finish operation %s", name)
        self._notify(name)

    # finishing from elsewhere (later slices) ----------------------------------------------
    async def begin(
        self,
        *,
        parent: str,
        metadata_type: str,
        check: Callable[[Tx], None] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Write a pending operation (after ``check``); the caller ends it with :meth:`finish`
        or :meth:`fail` once its asynchronous work is done."""
        name = f"{parent}/operations/{new_numeric_id()}"

        def begin(tx: Tx) -> dict[str, Any]:
            if check is not None:
                check(tx)
            operation = _new_operation(name, metadata_type, tx.now, metadata)
            tx.insert(KIND, name, parent, operation)
            return operation

        return await self.store.write(begin)

    async def finish(
        self, name: str, response_type: str, work: Callable[[Tx], dict[str, Any]]
    ) -> dict[str, Any] | None:
        """Run ``work`` and end the operation with its response (or its ApiError), in one
        transaction; answer the finished operation (None if it was gone or already done)."""

        def finish(tx: Tx) -> dict[str, Any] | None:
            operation = tx.get(name, KIND)
            if operation is None or operation.get("done"):
                return None
            _finish(tx, operation, response_type, work, None)
            tx.update(name, operation)
            return operation

        result = await self.store.write(finish)
        self._cancel_hooks.pop(name, None)
        self._notify(name)
        return result

    async def complete(self, name: str, response_type: str, response: dict[str, Any]) -> None:
        await self._end(name, lambda op, now: _set_response(op, response_type, response))

    async def fail(self, name: str, error: ApiError) -> None:
        await self._end(name, lambda op, now: op.__setitem__("error", error.to_rpc_status()))

    def on_cancel(self, name: str, hook: CancelHook) -> None:
        """Call ``hook`` if the operation is cancelled while it runs."""
        self._cancel_hooks[name] = hook

    async def _end(self, name: str, apply: Callable[[dict[str, Any], str], None]) -> None:
        def end(tx: Tx) -> None:
            operation = tx.get(name, KIND)
            if operation is None or operation.get("done"):
                return
            apply(operation, tx.now)
            _mark_done(operation, tx.now)
            tx.update(name, operation)

        await self.store.write(end)
        self._cancel_hooks.pop(name, None)
        self._notify(name)

    # reading and managing ----------------------------------------------------------------

    async def get(self, name: str) -> dict[str, Any]:
        found = await self.store.read(lambda tx: tx.get(name, KIND))
        if found is None:
            raise not_found(f"Operation {name} not found.")
        return found

    async def list(
        self, parent: str, filter_text: str, page_size: Any, page_token: str
    ) -> tuple[list[dict[str, Any]], str]:
        items = await self.store.read(lambda tx: tx.children(KIND, parent))
        for item in items:
            metadata = item.get("metadata", {})
            item["_createTime"] = metadata.get("genericMetadata", metadata).get("createTime", "")
        page, token = listing.list_page(
            items,
            LIST_SPEC,
            scope=parent,
            filter_text=filter_text,
            page_size=page_size,
            page_token=page_token,
        )
        return [{k: v for k, v in op.items() if k != "_createTime"} for op in page], token

    async def wait(self, name: str, timeout: float) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, min(timeout, MAX_WAIT_SECONDS))
        while True:
            event = self._events.setdefault(name, asyncio.Event())
            operation = await self.get(name)
            remaining = deadline - loop.time()
            if operation.get("done") or remaining <= 0:
                return operation
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    async def cancel(self, name: str) -> None:
        def cancel(tx: Tx) -> bool:
            operation = tx.get(name, KIND)
            if operation is None:
                raise not_found(f"Operation {name} not found.")
            if operation.get("done"):
                return False
            operation["error"] = {"code": 1, "message": "Operation was cancelled."}
            _mark_done(operation, tx.now)
            tx.update(name, operation)
            return True

        if await self.store.write(cancel):
            timer = self._timers.pop(name, None)
            if timer is not None:
                timer.cancel()
            hook = self._cancel_hooks.pop(name, None)
            if hook is not None:
                result = hook()
                if result is not None:
                    await result
            self._notify(name)

    async def delete(self, name: str) -> None:
        if not await self.store.write(lambda tx: tx.delete(name)):
            raise not_found(f"Operation {name} not found.")
        timer = self._timers.pop(name, None)
        if timer is not None:
            timer.cancel()
        self._cancel_hooks.pop(name, None)
        self._notify(name)

    async def recover(self) -> int:
        """End operations a previous process left running; answer how many."""

        def recover(tx: Tx) -> int:
            count = 0
            for operation in tx.all_of_kind(KIND):
                if operation.get("done"):
                    continue
                operation["error"] = {
                    "code": 10,
                    "message": "The operation was interrupted because the emulator stopped; "
                    "run it again.",
                }
                _mark_done(operation, tx.now)
                tx.update(operation["name"], operation)
                count += 1
            return count

        return await self.store.write(recover)

    async def close(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        for task in list(self._tasks):
            task.cancel()
        for event in self._events.values():
            event.set()

    def _notify(self, name: str) -> None:
        event = self._events.pop(name, None)
        if event is not None:
            event.set()


def _new_operation(
    name: str, metadata_type: str, now: str, extra: dict[str, Any] | None
) -> dict[str, Any]:
    metadata: dict[str, Any] = {"@type": type_url(metadata_type)}
    if metadata_type.startswith("google.cloud.aiplatform."):
        metadata["genericMetadata"] = {"createTime": now, "updateTime": now}
    else:  # other APIs' OperationMetadata (Notebooks v2): createTime / endTime at the top
        metadata["createTime"] = now
    metadata.update(extra or {})
    return {"name": name, "metadata": metadata}


def _mark_done(operation: dict[str, Any], now: str) -> None:
    operation["done"] = True
    metadata = operation["metadata"]
    if "genericMetadata" in metadata:
        metadata["genericMetadata"]["updateTime"] = now
    else:
        metadata["endTime"] = now


def _set_response(operation: dict[str, Any], response_type: str, response: dict[str, Any]) -> None:
    operation["response"] = {"@type": type_url(response_type), **response}


def _finish(
    tx: Tx,
    operation: dict[str, Any],
    response_type: str,
    work: Callable[[Tx], dict[str, Any]],
    failure: ApiError | None,
) -> None:
    if failure is not None:
        operation["error"] = failure.to_rpc_status()
    else:
        try:
            with tx.savepoint():
                response = work(tx)
        except ApiError as error:
            operation["error"] = error.to_rpc_status()
        else:
            _set_response(operation, response_type, response)
    _mark_done(operation, tx.now)
