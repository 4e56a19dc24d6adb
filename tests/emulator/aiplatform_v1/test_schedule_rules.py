"""Schedule semantics with a set clock: the ScheduleService handlers and the scheduler over
a real store, with the scheduler's clock injected and its steps driven by the test (the
launched runs are recorded, not run: their ends are written as the engine writes them).
Missed runs while paused (skipped, or backfilled with catch_up), max_run_count → COMPLETED,
end_time, the concurrency limits and queueing, and a restart of the embedded Vertex."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from jupyter_vertex.emulator.aiplatform_v1 import schedules
from jupyter_vertex.emulator.aiplatform_v1.scheduler import Scheduler
from jupyter_vertex.emulator.core.operations import Operations
from jupyter_vertex.emulator.core.routing import Call, Context
from jupyter_vertex.emulator.core.store import Store, Tx
from jupyter_vertex.emulator.pipelines import records as r

Handler = Callable[[Call], Coroutine[Any, Any, Any]]
PARENT = "projects/rules/locations/us-central1"
SPEC = {
    "pipelineInfo": {"name": "tiny"},
    "root": {"dag": {"tasks": {}}},
    "components": {"comp-a": {}},
    "deploymentSpec": {"executors": {}},
}
T0 = datetime(2026, 1, 5, 9, 0, 30, tzinfo=timezone.utc)  # 30 s past a minute


class World:
    """A store, a scheduler on a settable clock, and the runs it launched."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.time = T0
        self.launched: list[str] = []
        self.store = Store(folder / "vertex.sqlite3")
        self.scheduler = self._scheduler()
        self.ctx = Context(store=self.store, operations=Operations(self.store))
        self.ctx.add(self.scheduler)

    def _scheduler(self) -> Scheduler:
        return Scheduler(self.store, self.launched.append, clock=lambda: self.time)

    async def call(self, handler: Handler, **request: Any) -> Any:
        return (await handler(Call(self.ctx, request))).data

    async def create(self, **fields: Any) -> dict[str, Any]:
        body = {
            "displayName": "every-minute",
            "cron": "* * * * *",
            "maxConcurrentRunCount": "1",
            "createPipelineJobRequest": {
                "parent": PARENT,
                "pipelineJob": {
                    "pipelineSpec": SPEC,
                    "runtimeConfig": {"gcsOutputDirectory": "gs://b/root"},
                },
            },
            **fields,
        }
        created: dict[str, Any] = await self.call(schedules._create, parent=PARENT, schedule=body)
        return created

    async def at(self, minutes: float) -> dict[str, Any]:
        """Set the clock to T0 + ``minutes`` and let the scheduler start what is due."""
        self.time = T0 + timedelta(minutes=minutes)
        await self.scheduler.step()
        return {}

    async def get(self, name: str) -> dict[str, Any]:
        got: dict[str, Any] = await self.call(schedules._get, name=name)
        return got

    async def jobs(self, name: str) -> list[dict[str, Any]]:
        location = name.rsplit("/schedules/", 1)[0]
        found = await self.store.read(lambda tx: tx.children(r.KIND, location))
        return [job for job in found if job.get("scheduleName") == name]

    async def end(self, path: str) -> None:
        def write(tx: Tx) -> None:
            job = r.get_job(tx, path)
            r.finish(job, r.SUCCEEDED, tx.now)
            tx.update(path, job)

        await self.store.write(write)


def _run(folder: Path, scenario: Callable[[World], Coroutine[Any, Any, None]]) -> None:
    async def main() -> None:
        world = World(folder)
        await world.store.open()
        try:
            await scenario(world)
        finally:
            await world.scheduler.close()
            await world.store.close()

    asyncio.run(main())


def _minute(minutes: int) -> str:
    """The tick ``minutes`` whole minutes after T0's minute, as stored."""
    tick = T0.replace(second=0) + timedelta(minutes=minutes)
    return tick.strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def test_max_run_count_completes_and_runs_carry_the_schedule(tmp_path: Path) -> None:
    async def scenario(world: World) -> None:
        created = await world.create(maxRunCount="2", maxConcurrentRunCount="1")
        name = created["name"]
        assert created["state"] == "ACTIVE"
        assert created["nextRunTime"] == _minute(1)  # the first tick after the create time
        await world.at(0.4)
        assert world.launched == []  # not yet
        await world.at(1.0)
        first = world.launched[-1]
        got = await world.get(name)
        assert got["startedRunCount"] == "1"
        assert got["lastScheduledRunResponse"] == {
            "scheduledRunTime": _minute(1),
            "runResponse": first,
        }
        # max_concurrent_run_count limits starting requests, not running jobs: the first run
        # has not ended, and the next tick starts the second one
        await world.at(2.0)
        assert len(world.launched) == 2
        got = await world.get(name)
        assert got["state"] == "COMPLETED"
        assert got["startedRunCount"] == "2"
        assert "nextRunTime" not in got
        await world.at(10)
        assert len(world.launched) == 2
        jobs = await world.jobs(name)
        assert sorted(j["name"] for j in jobs) == sorted(world.launched)
        assert {j["state"] for j in jobs} == {r.QUEUED}

    _run(tmp_path, scenario)


def test_end_time_completes_the_schedule(tmp_path: Path) -> None:
    async def scenario(world: World) -> None:
        created = await world.create(endTime=_minute(2))
        await world.at(1)
        await world.at(2)
        got = await world.get(created["name"])
        assert got["startedRunCount"] == "2"  # the tick at end_time still runs
        assert got["state"] == "COMPLETED"

    _run(tmp_path, scenario)


def test_paused_ticks_are_skipped_or_caught_up(tmp_path: Path) -> None:
    async def scenario(world: World) -> None:
        plain = (await world.create(displayName="plain"))["name"]
        backfill = (await world.create(displayName="backfill"))["name"]
        for name in (plain, backfill):
            await world.call(schedules._pause, name=name)
        world.time = T0 + timedelta(minutes=3, seconds=10)  # ticks 1, 2 and 3 missed
        await world.scheduler.step()
        assert world.launched == []
        paused = await world.get(plain)
        assert paused["state"] == "PAUSED"
        assert paused["lastPauseTime"].startswith("2026-01-05T09:00:30")
        await world.call(schedules._resume, name=plain)
        await world.call(schedules._resume, name=backfill, catchUp=True)
        await world.scheduler.step()
        resumed = await world.get(plain)
        assert resumed["nextRunTime"] == _minute(4)  # from the next tick after the resume
        assert resumed["startedRunCount"] == "0"
        caught = await world.get(backfill)
        assert caught["catchUp"] is True
        assert caught["startedRunCount"] == "3"  # the three missed ticks, at once
        assert [j["scheduleName"] for j in await world.jobs(backfill)] == [backfill] * 3
        assert caught["lastScheduledRunResponse"]["scheduledRunTime"] == _minute(3)

    _run(tmp_path, scenario)


def test_active_run_limit_skips_or_queues(tmp_path: Path) -> None:
    async def scenario(world: World) -> None:
        skip = (await world.create(displayName="skip", maxConcurrentActiveRunCount="1"))["name"]
        queue = (
            await world.create(
                displayName="queue", maxConcurrentActiveRunCount="1", allowQueueing=True
            )
        )["name"]
        await world.at(1)
        assert len(world.launched) == 2
        await world.at(2)  # both still have a run going
        assert len(world.launched) == 2
        skipped, queued = await world.get(skip), await world.get(queue)
        assert skipped["nextRunTime"] == _minute(3)  # tick 2 skipped
        assert queued["nextRunTime"] == _minute(2)  # tick 2 waits: behind schedule
        for job in await world.jobs(skip) + await world.jobs(queue):
            await world.end(job["name"])
        await world.at(2.2)  # a run ended: the queued tick starts, late
        assert len(await world.jobs(skip)) == 1
        runs = await world.jobs(queue)
        assert len(runs) == 2
        assert (await world.get(queue))["lastScheduledRunResponse"]["scheduledRunTime"] == (
            _minute(2)
        )

    _run(tmp_path, scenario)


def test_after_a_restart_missed_ticks_follow_catch_up(tmp_path: Path) -> None:
    async def scenario(world: World) -> None:
        plain = (await world.create(displayName="plain"))["name"]
        backfill = (await world.create(displayName="backfill"))["name"]
        ending = (await world.create(displayName="ending", endTime=_minute(2)))["name"]
        await world.call(schedules._pause, name=backfill)
        await world.call(schedules._resume, name=backfill, catchUp=True)  # catch_up stays set
        await world.scheduler.close()
        # the embedded Vertex is down from T0 to T0 + 5m10s: a new process, same store
        world.time = T0 + timedelta(minutes=5, seconds=10)
        world.scheduler = world._scheduler()
        world.ctx.add(world.scheduler)
        await world.scheduler.start()
        await world.scheduler.step()
        assert (await world.get(plain))["startedRunCount"] == "0"
        assert (await world.get(plain))["nextRunTime"] == _minute(6)
        assert (await world.get(backfill))["startedRunCount"] == "5"  # ticks 1..5
        done = await world.get(ending)
        assert (done["state"], done["startedRunCount"]) == ("COMPLETED", "0")

    _run(tmp_path, scenario)
