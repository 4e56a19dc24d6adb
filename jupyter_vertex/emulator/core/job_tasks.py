"""Long-running jobs that run as asyncio tasks of the embedded Vertex (batch prediction jobs,
pipeline runs): what their runners share.

One task per job; a job a previous process left going is FAILED with its family's restart
reason when the embedded Vertex starts (it is not resumed); cancel marks the job CANCELLING
and cancels its task, whose own ending writes CANCELLED; closing cancels every task (the
runner's ``closing`` then tells a task to FAIL its job rather than CANCEL it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from .errors import failed_precondition, not_found
from .store import Store, Tx

CODE_INTERNAL = 13


def end_job(job: dict[str, Any], state: str, now: str, code: int = 0, message: str = "") -> None:
    """A job's record at its end: its state, times, and its error where there is one."""
    job["state"] = state
    job["updateTime"] = now
    job["endTime"] = now
    if message:
        job["error"] = {"code": code, "message": message}


@dataclass(frozen=True)
class JobFamily:
    """How one resource family's jobs are stored and named."""

    kind: str  # the store's kind
    label: str  # as Vertex names the resource in messages: "BatchPredictionJob"
    terminal: frozenset[str]
    failed: str
    cancelling: str
    restart_reason: str
    # ends a job record: (job, state, now, code, message)
    finish: Callable[[dict[str, Any], str, str, int, str], None]

    def get(self, tx: Tx, path: str) -> dict[str, Any]:
        found = tx.get(path, self.kind)
        if found is None:
            raise not_found(f"{self.label} {path} not found.")
        return found


class JobTasks:
    """The running jobs of one family, one asyncio task each."""

    def __init__(self, store: Store, family: JobFamily) -> None:
        self.store = store
        self.family = family
        self.closing = False  # the embedded Vertex stops: running jobs FAIL, not CANCEL
        self._tasks: dict[str, asyncio.Task[None]] = {}

    async def fail_unfinished(self) -> int:
        """FAIL the jobs a previous process left unfinished; answer how many."""
        family = self.family

        def fail(tx: Tx) -> int:
            count = 0
            for job in tx.all_of_kind(family.kind):
                if job.get("state") not in family.terminal:
                    family.finish(job, family.failed, tx.now, CODE_INTERNAL, family.restart_reason)
                    tx.update(job["name"], job)
                    count += 1
            return count

        return await self.store.write(fail)

    def launch(self, path: str, run: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(run)
        self._tasks[path] = task
        task.add_done_callback(lambda _: self._tasks.pop(path, None))

    async def cancel(self, path: str) -> bool:
        """Mark the job CANCELLING and cancel its task; False when no task runs it (the
        caller then ends the job itself)."""
        family = self.family

        def mark(tx: Tx) -> None:
            job = family.get(tx, path)
            state = str(job.get("state"))
            if state in family.terminal:
                raise failed_precondition(
                    f"{family.label} {path} is already in state {state}; it cannot be cancelled."
                )
            job["state"] = family.cancelling
            job["updateTime"] = tx.now
            tx.update(path, job)

        await self.store.write(mark)
        task = self._tasks.get(path)
        if task is None:
            return False
        task.cancel()
        return True

    async def close(self) -> None:
        self.closing = True
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=30)
