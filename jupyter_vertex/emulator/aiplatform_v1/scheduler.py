"""Starts the runs of pipeline Schedules on time, in the embedded Vertex's event loop.

One asyncio task sleeps until the earliest ``nextRunTime`` of an ACTIVE schedule (no
polling); creating, patching, pausing or resuming a schedule and the end of a scheduled run
wake it early (a queued tick may then start). Each wake-up runs :func:`.schedule_rules.due`
for every ACTIVE schedule in one store transaction that also creates the due PipelineJobs
(through the same :class:`.pipeline_jobs.CreatePlan` as CreatePipelineJob, with
``scheduleName`` set), then hands them to the pipelines engine.

State is the store's only: after a restart the schedules go on from their persisted
``nextRunTime``; ticks missed while the embedded Vertex was not running are treated as a
pause it did not ask for (:func:`.schedule_rules.catch_up_from`).

The clock is injectable so that tests drive the semantics with any time, calling
:meth:`Scheduler.step` themselves.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..core.errors import ApiError, not_found
from ..core.resources import now as utc_now
from ..core.resources import timestamp
from ..core.store import Store, Tx
from ..pipelines import records as r
from . import schedule_rules as rules
from .pipeline_jobs import CreatePlan

log = logging.getLogger(__name__)

MAX_SLEEP = 3600.0  # re-read the wall clock at least hourly (it may be set meanwhile)
MARGIN = 0.01  # timers may fire a little before the wall clock reaches the tick

Clock = Callable[[], datetime]


class Scheduler:
    def __init__(self, store: Store, launch: Callable[[str], None], clock: Clock = utc_now) -> None:
        self.store = store
        self.launch = launch  # starts a created PipelineJob (the pipelines engine's launch)
        self.clock = clock
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Apply the missed-ticks rule to every ACTIVE schedule, then run on time."""
        moment = self.clock()

        def recover(tx: Tx) -> None:
            for schedule in tx.all_of_kind(rules.KIND):
                before = dict(schedule)
                rules.catch_up_from(schedule, moment)
                if schedule != before:
                    schedule["updateTime"] = timestamp(moment)
                    tx.update(schedule["name"], schedule)

        await self.store.write(recover)
        self._task = asyncio.ensure_future(self._loop())

    def wake(self) -> None:
        self._wake.set()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def change(
        self, path: str, edit: Callable[[dict[str, Any], datetime], None]
    ) -> dict[str, Any]:
        """Apply ``edit(schedule, now)`` to the stored schedule; answer it as stored."""
        moment = self.clock()

        def write(tx: Tx) -> dict[str, Any]:
            schedule = get(tx, path)
            edit(schedule, moment)
            schedule["updateTime"] = timestamp(moment)
            tx.update(path, schedule)
            return schedule

        schedule = await self.store.write(write)
        self.wake()
        return schedule

    async def step(self) -> float | None:
        """Start every due run; answer the seconds until the next tick (None: none is set)."""
        moment = self.clock()
        created, upcoming = await self.store.write(lambda tx: self._due(tx, moment))
        for path in created:
            self.launch(path)
        if upcoming is None:
            return None
        return min(MAX_SLEEP, max(0.0, (upcoming - self.clock()).total_seconds()) + MARGIN)

    def _due(self, tx: Tx, moment: datetime) -> tuple[list[str], datetime | None]:
        created: list[str] = []
        upcoming: datetime | None = None
        for schedule in tx.all_of_kind(rules.KIND):
            if schedule.get("state") != rules.ACTIVE:
                continue
            name, before = schedule["name"], dict(schedule)
            runs = tx.children(r.KIND, name.rsplit("/schedules/", 1)[0])
            ticks = rules.due(schedule, moment, rules.active(runs, name))
            for tick in ticks:
                created.append(self._create_run(tx, schedule, tick))
            if schedule != before:  # runs started, ticks skipped, or completed
                schedule["updateTime"] = timestamp(moment)
                tx.update(name, schedule)
            pending = schedule.get("nextRunTime")
            if schedule.get("state") == rules.ACTIVE and pending:
                tick_time = rules.moment(pending)
                if tick_time > moment and (upcoming is None or tick_time < upcoming):
                    upcoming = tick_time
        return [path for path in created if path], upcoming

    @staticmethod
    def _create_run(tx: Tx, schedule: dict[str, Any], tick: str) -> str:
        """One scheduled PipelineJob; its name (or "" with the reason recorded when the
        stored request no longer passes CreatePipelineJob's checks)."""
        request = dict(schedule["createPipelineJobRequest"])
        request.pop("pipelineJobId", None)  # each run gets its own id
        try:
            with tx.savepoint():
                plan = CreatePlan(request)
                job = plan.write(tx)
                job["scheduleName"] = schedule["name"]
                tx.update(plan.path, job)
        except ApiError as error:
            response = f"{error.status}: {error.message}"
            path = ""
        else:
            response = path = plan.path
        schedule["lastScheduledRunResponse"] = {"scheduledRunTime": tick, "runResponse": response}
        return path

    async def _loop(self) -> None:
        while True:
            self._wake.clear()
            try:
                delay = await self.step()
            except Exception:  # noqa: BLE001 - a bad wake-up must not stop the schedules
                log.exception("the pipeline scheduler failed a step")
                delay = 60.0
            try:
                await asyncio.wait_for(self._wake.wait(), delay)
            except asyncio.TimeoutError:
                pass


def get(tx: Tx, path: str) -> dict[str, Any]:
    found = tx.get(path, rules.KIND)
    if found is None:
        raise not_found(f"Schedule {path} not found.")
    return found
