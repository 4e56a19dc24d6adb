"""Model-server processes started ahead of need: a deploy finds one ready to serve.

Most of a cold model server's start is Python importing the SDK's model server, uvicorn,
Cloud Storage's client and the ML framework. A warm server (:mod:`.modelserver` with
:data:`WARM_ENV` set) does those imports as soon as it is started, then waits on its stdin for
the deployment it will serve: one JSON line with its working folder and its environment
(Vertex's contract for the container, the socket to listen on). A deploy takes one from the
pool, hands it its deployment and asks the pool for another, so the next deploy finds one too.

Warm servers are the embedded Vertex's own children, started like cold ones (own session,
dying with the embedded Vertex, recorded in ``D/processes``), so restarts, health checks and
stops treat both alike. A serving warm server writes the environment it was given to
:data:`ENVIRON_FILE` in its working folder, where a test's look at the processes finds it.

A deployment whose container sets environment variables starts cold: a variable such as
``OMP_NUM_THREADS`` is read when a library is imported, which in a warm server has already
happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sys
from pathlib import Path

from ..core.process_groups import PARENT_ENV, ProcessRecords, dies_with_parent, stop_group

log = logging.getLogger(__name__)

#: Set in a warm server's environment: import first, then read the deployment from stdin.
WARM_ENV = "JUPYTER_VERTEX_WARM_SERVER"
#: In a warm server's working folder once it serves: the environment it was given, which
#: ``/proc/PID/environ`` (the environment it was started with) does not show.
ENVIRON_FILE = ".jupyter-vertex-environ.json"
MODULE = "jupyter_vertex.emulator.serving.modelserver"
RECORD_KIND = "model-server"
WARM_OWNER = "(warm, not yet serving)"


async def spawn_server(
    cwd: Path, env: dict[str, str], *, warm: bool = False
) -> asyncio.subprocess.Process:
    """A model-server process in its own session, dying with the embedded Vertex; a warm
    one reads its deployment from stdin. Call on the event loop's thread: the parent-death
    signal follows the thread that started the child."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        MODULE,
        cwd=cwd,
        env=env,
        stdin=asyncio.subprocess.PIPE if warm else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=dies_with_parent(),
    )


class WarmServers:
    """Up to ``size`` warm model servers, waiting for deployments."""

    def __init__(self, folder: Path, size: int, records: ProcessRecords | None = None) -> None:
        self.folder = folder  # their working folder until they are given one
        self.size = size
        self.records = records
        self._waiting: list[asyncio.subprocess.Process] = []
        self._starting = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._timer: asyncio.Task[None] | None = None
        self._closed = False

    def start(self, delay: float) -> None:
        """Fill the pool ``delay`` seconds from now (or at the first deploy, if sooner)."""

        async def later() -> None:
            await asyncio.sleep(delay)
            self.fill()

        self._timer = asyncio.ensure_future(later())

    def fill(self) -> None:
        """Start warm servers in the background until ``size`` are waiting or starting."""
        while not self._closed and len(self._waiting) + self._starting < self.size:
            self._starting += 1
            task = asyncio.ensure_future(self._add())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _add(self) -> None:
        try:
            await asyncio.to_thread(self.folder.mkdir, parents=True, exist_ok=True)
            env = {**os.environ, WARM_ENV: "1", PARENT_ENV: str(os.getpid())}
            env["PYTHONUNBUFFERED"] = "1"
            process = await spawn_server(self.folder, env, warm=True)
            if self.records is not None:
                await asyncio.to_thread(self.records.add, process.pid, RECORD_KIND, WARM_OWNER)
        except OSError:
            log.exception("could not start a warm model server")
            return
        finally:
            self._starting -= 1
        if self._closed:
            await self._stop(process)
        else:
            self._waiting.append(process)

    async def take(self) -> asyncio.subprocess.Process | None:
        """A warm server still alive (its imports may still be running), or None; the pool
        starts its replacement."""
        process = None
        while self._waiting and process is None:
            candidate = self._waiting.pop(0)
            if candidate.returncode is None:
                process = candidate
            else:  # it died waiting (killed by hand, or an import failed): a cold start says why
                log.warning("a warm model server exited with status %s", candidate.returncode)
                await self._forget(candidate)
        self.fill()
        return process

    @staticmethod
    async def assign(process: asyncio.subprocess.Process, cwd: Path, env: dict[str, str]) -> None:
        """Give a taken warm server its deployment: where to work and its environment."""
        assert process.stdin is not None
        line = json.dumps({"cwd": str(cwd), "env": env}) + "\n"
        process.stdin.write(line.encode())
        with contextlib.suppress(ConnectionError):  # it died: its health check says so
            await process.stdin.drain()
        process.stdin.close()

    async def _forget(self, process: asyncio.subprocess.Process) -> None:
        if self.records is not None:
            await asyncio.to_thread(self.records.remove, process.pid)

    async def _stop(self, process: asyncio.subprocess.Process) -> None:
        await stop_group(process, 1.0)
        await self._forget(process)

    async def close(self) -> None:
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(Exception):
                await task
        waiting, self._waiting = self._waiting, []
        await asyncio.gather(*(self._stop(p) for p in waiting))
