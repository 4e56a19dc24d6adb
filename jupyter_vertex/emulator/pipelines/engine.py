"""Runs PipelineJobs: one :mod:`.driver` process per run, in its own process group, under
asyncio tasks of the embedded Vertex (a run never blocks its event loop).

The driver runs the pipeline with kfp.local and appends events to ``RUN/events.jsonl``; this
engine reads them every :data:`POLL` seconds (off the loop) and keeps the job's task details
(state, times, inputs, outputs, failure) in the store as the run goes. Tasks run as local
processes with the environment Vertex gives pipeline tasks (project, region, the embedded
Vertex's address and token, local Cloud Storage), so SDK and Cloud Storage calls inside a
component reach the embedded Vertex. Artifacts are written under a local mirror of the
pipeline root and copied to local Cloud Storage (gs://) when their task ends.

Cancel ends the run's process group (the driver and every task), so nothing is left running.
After a restart of the embedded Vertex, a run left going is FAILED with
:data:`.records.RESTART_REASON`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..core.job_tasks import JobTasks
from ..core.process_groups import ProcessRecords, dies_with_parent, stop_group
from ..core.resources import project_number
from ..core.store import Store, Tx
from . import records as r
from .events import Tasks

log = logging.getLogger(__name__)

POLL = 0.2  # how often a running job's events are read
GRACE = 3.0  # SIGTERM → SIGKILL for a cancelled run's process group
PIPELINE_JOB_ENV = "JUPYTER_VERTEX_PIPELINE_JOB"


def job_id_of(path: str) -> str:
    return path.rsplit("/", 1)[-1]


class PipelineRunner:
    def __init__(
        self,
        store: Store,
        folder: Path,
        python: str = sys.executable,
        records: ProcessRecords | None = None,
    ) -> None:
        self.store = store
        self.folder = folder
        self.python = python
        # each run's process group, reaped by the next start if this process is killed
        self.records = records
        self.env: dict[str, str] = {}  # the embedded Vertex's address, token, storage
        self.jobs = JobTasks(store, r.FAMILY)
        self._processes: dict[str, asyncio.subprocess.Process] = {}
        self.on_end: list[Callable[[], None]] = []  # told when a run ends (the scheduler)

    @property
    def mirror(self) -> Path:
        """Stands for gs://: MIRROR/BUCKET/OBJECT (kept: cached outputs point into it)."""
        return self.folder / "gcs"

    async def start(self) -> int:
        """FAIL the runs a previous process left unfinished; answer how many. (``env`` is
        set once the API listens, before any run can be created.)"""
        await asyncio.to_thread(shutil.rmtree, self.folder / "runs", True)
        return await self.jobs.fail_unfinished()

    def launch(self, path: str) -> None:
        self.jobs.launch(path, self._run(path))

    async def cancel(self, path: str) -> None:
        """CANCELLING, then CANCELLED once the run's processes are gone."""
        if not await self.jobs.cancel(path):
            await self._end(path, r.CANCELLED, r.CODE_CANCELLED, "The pipeline was cancelled.")

    async def close(self) -> None:
        await self.jobs.close()

    @property
    def _closing(self) -> bool:
        return self.jobs.closing

    # one run -------------------------------------------------------------------------------

    async def _end(
        self, path: str, state: str, code: int = 0, message: str = "", tasks: Tasks | None = None
    ) -> None:
        def write(tx: Tx) -> None:
            job = tx.get(path, r.KIND)
            if job is None:
                return
            if tasks is not None:
                job["_tasks"] = tasks.details
            r.finish(job, state, tx.now, code, message)
            tx.update(path, job)

        await self.store.write(write)
        for listener in self.on_end:
            listener()

    async def _store(self, path: str, tasks: Tasks, **fields: Any) -> None:
        def write(tx: Tx) -> None:
            job = r.get_job(tx, path)
            if job.get("state") in r.TERMINAL:
                return
            if job.get("state") != r.CANCELLING:
                job.update(fields)
            job["_tasks"] = tasks.details
            job["updateTime"] = tx.now
            tx.update(path, job)

        await self.store.write(write)

    def _plan(self, job: dict[str, Any], run: Path) -> dict[str, str]:
        """Write the driver's run.json; answer the tasks' environment."""
        parts = job["name"].split("/")
        project, region, job_id = str(job.get("_projectId") or parts[1]), parts[3], parts[5]
        root = str(job["_root"]).rstrip("/")
        bucket_path = root[len("gs://") :]
        local_root = self.mirror / bucket_path / project_number(project) / job_id
        plan = {
            "spec": job["pipelineSpec"],
            "arguments": job["_arguments"],
            "root": str(local_root),
            "mirror": str(self.mirror),
            "caching": job["_caching"],
            "cache_root": str(self.folder / "cache" / project),
        }
        run.mkdir(parents=True, exist_ok=True)
        local_root.mkdir(parents=True, exist_ok=True)
        (run / "run.json").write_text(json.dumps(plan), encoding="utf-8")
        return {
            **os.environ,
            **self.env,
            "CLOUD_ML_PROJECT_ID": project,
            "CLOUD_ML_REGION": region,
            "GOOGLE_CLOUD_PROJECT": project,
            "JUPYTER_VERTEX_PROJECT": project,
            "JUPYTER_VERTEX_REGION": region,
            "PYTHONUNBUFFERED": "1",
            # the run a process belongs to (found in /proc by tests and by anyone looking)
            PIPELINE_JOB_ENV: job["name"],
        }

    async def _run(self, path: str) -> None:
        run = self.folder / "runs" / job_id_of(path)
        job = await self.store.read(lambda tx: r.get_job(tx, path))
        tasks = Tasks(job)
        outcome: tuple[str, int, str] = (r.FAILED, r.CODE_INTERNAL, "The pipeline's driver ended.")
        process: asyncio.subprocess.Process | None = None
        try:
            env = await asyncio.to_thread(self._plan, job, run)
            log_file = await asyncio.to_thread(open, run / "driver.log", "wb")
            with log_file:
                process = await asyncio.create_subprocess_exec(
                    self.python,
                    "-m",
                    "jupyter_vertex.emulator.pipelines.driver",
                    str(run),
                    stdin=asyncio.subprocess.DEVNULL,
                    stdout=log_file,
                    stderr=asyncio.subprocess.STDOUT,
                    env=env,
                    cwd=str(run),
                    start_new_session=True,  # one group: cancel ends the driver and its tasks
                    preexec_fn=dies_with_parent(),
                )
            self._processes[path] = process
            if self.records is not None:
                await asyncio.to_thread(
                    self.records.add, process.pid, "pipeline", path, (str(run),)
                )
            await self._store(path, tasks, state=r.RUNNING, startTime=tasks.started)
            outcome = await self._follow(path, run, process, tasks)
        except asyncio.CancelledError:
            if self._closing:
                outcome = (r.FAILED, r.CODE_INTERNAL, r.RESTART_REASON)
            else:
                outcome = (r.CANCELLED, r.CODE_CANCELLED, "The pipeline was cancelled.")
        except Exception as error:  # noqa: BLE001 - the run fails with the reason
            log.exception("pipeline job %s failed", path)
            outcome = (r.FAILED, r.CODE_INTERNAL, f"{type(error).__name__}: {error}")
        finally:
            self._processes.pop(path, None)
            if process is not None:
                await stop_group(process, GRACE)
                if self.records is not None:
                    await asyncio.to_thread(self.records.remove, process.pid)
        await self._end(path, *outcome, tasks=tasks)

    async def _follow(
        self, path: str, run: Path, process: asyncio.subprocess.Process, tasks: Tasks
    ) -> tuple[str, int, str]:
        events = run / "events.jsonl"
        offset = 0
        while True:
            ended = process.returncode is not None
            lines, offset = await asyncio.to_thread(_read_new, events, offset)
            if lines:
                tasks.apply(lines)
                await self._store(path, tasks)
            if tasks.done is not None:
                return tasks.outcome()
            if ended:
                return (
                    r.FAILED,
                    r.CODE_INTERNAL,
                    f"The pipeline's driver process ended with code {process.returncode} "
                    f"before the run finished (see {run / 'driver.log'}).",
                )
            try:
                await asyncio.wait_for(asyncio.shield(process.wait()), POLL)
            except asyncio.TimeoutError:
                pass


def _read_new(events: Path, offset: int) -> tuple[list[dict[str, Any]], int]:
    """The complete lines appended since ``offset``."""
    try:
        with open(events, "rb") as handle:
            handle.seek(offset)
            data = handle.read()
    except FileNotFoundError:
        return [], offset
    end = data.rfind(b"\n") + 1
    lines = [json.loads(line) for line in data[:end].splitlines() if line.strip()]
    return lines, offset + end
