"""Run the embedded Vertex as a supervised child process of the Jupyter server.

:class:`EmulatorSupervisor` starts ``python -m jupyter_vertex.emulator`` as an asyncio
subprocess, waits for its ``JUPYTER_VERTEX_EMULATOR_READY`` line, restarts it (bounded,
with backoff) when it dies, and stops it (SIGTERM, then SIGKILL) with the server. Once it
is ready, the connection is published for kernels: the Jupyter runtime-dir file
``jupyter_vertex_emulator.json`` (0600) and ``JUPYTER_VERTEX_EMULATOR_URL`` & co. in
``os.environ``, which kernels started by this server inherit.

:class:`jupyter_vertex.backend.external.ExternalEmulator` is the same interface for an
embedded Vertex that runs elsewhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from traitlets import Float, Int, List, Unicode
from traitlets.config import LoggingConfigurable

from ..defaults import LOCAL_PROJECT, LOCAL_REGION, READY_PREFIX, is_loopback
from ..emulator.core.connection import RUNTIME_FILE
from ..errors import Unavailable
from .link import FAILED, RESTARTING, RUNNING, STARTING, STOPPED, EmulatorEndpoint
from .publisher import PUBLISHED_ENV, Publisher, read_connection_file

__all__ = ["RUNTIME_FILE_NAME", "EmulatorSupervisor"]

RUNTIME_FILE_NAME = RUNTIME_FILE  # in jupyter_runtime_dir()


def _port_of(url: str | None) -> int:
    if not url:
        return 0
    try:
        return int(url.rsplit(":", 1)[1].split("/", 1)[0])
    except (IndexError, ValueError):
        return 0


class EmulatorSupervisor(LoggingConfigurable):
    """Starts, watches, restarts and stops the embedded Vertex process.

    Swap it with ``c.VertexApp.supervisor_class``.
    """

    command = List(
        Unicode(),
        default_value=[sys.executable, "-m", "jupyter_vertex.emulator"],
        config=True,
        help="The command that runs the embedded Vertex (its CLI options are appended).",
    )
    stop_timeout = Float(
        10.0, config=True, help="Seconds between SIGTERM and SIGKILL when stopping."
    )
    backoff_max = Float(30.0, config=True, help="Longest wait between two restarts, in seconds.")
    stable_after = Float(
        60.0,
        config=True,
        help="Seconds of uptime after which the count of consecutive failures is reset.",
    )
    log_output = Int(
        200, config=True, help="How many output lines of the emulator are kept for status."
    )

    def __init__(
        self,
        *,
        data_dir: str,
        host: str = "127.0.0.1",
        port: int = 0,
        storage_port: int = 0,
        startup_timeout: float = 60.0,
        max_restarts: int = 5,
        restart_backoff: float = 1.0,
        project: str = LOCAL_PROJECT,
        region: str = LOCAL_REGION,
        runtime_file: Path | None = None,
        env: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not is_loopback(host):
            raise ValueError(f"the embedded Vertex binds loopback only, not {host!r}")
        self.data_dir = Path(data_dir)
        self.host = host
        self.port = port
        self.storage_port = storage_port
        self.startup_timeout = startup_timeout
        self.max_restarts = max_restarts
        self.restart_backoff = restart_backoff
        self.project = project
        self.region = region
        self.extra_env = dict(env or {})
        self._publisher = Publisher(self.log, runtime_file)

        self.state = STOPPED
        self.reason: str | None = None
        self.restarts = 0
        self.pid: int | None = None
        self.endpoint: EmulatorEndpoint | None = None
        self.output: list[str] = []
        self._proc: asyncio.subprocess.Process | None = None
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._changed = asyncio.Event()
        self._stopping = False

    @property
    def runtime_file(self) -> Path | None:
        return self._publisher.runtime_file

    # -- the public interface (EmulatorLink) ---------------------------------------

    def status(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "managed": True,
            "url": self.endpoint.url if self.endpoint and self.state == RUNNING else None,
            "pid": self.pid,
            "restarts": self.restarts,
            "reason": self.reason,
        }

    async def start(self) -> None:
        """Start supervising (idempotent). Returns at once; readiness comes later."""
        if self._task is not None and not self._task.done():
            return
        self._stopping = False
        self.state = STARTING
        self.reason = None
        self._ready.clear()
        self._task = asyncio.create_task(self._supervise(), name="jupyter-vertex-emulator")

    async def wait_ready(self, timeout: float) -> EmulatorEndpoint:
        """The running emulator's endpoint; starts it when needed; waits up to ``timeout``."""
        if self.state == FAILED:
            raise Unavailable(
                f"The embedded Vertex failed: {self.reason}",
                hint="See the Jupyter server log; restart the server to try again.",
            )
        if self._task is None and not self._stopping:
            await self.start()
        if not self._ready.is_set():
            deadline = time.monotonic() + timeout
            while not self._ready.is_set() and self.state != FAILED:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._changed.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), remaining)
        if self._ready.is_set() and self.endpoint is not None and self.state == RUNNING:
            return self.endpoint
        state = self.state
        detail = f": {self.reason}" if self.reason else ""
        raise Unavailable(
            f"The embedded Vertex is {state}{detail}.",
            hint="It is starting; retry in a moment."
            if state in (STARTING, RESTARTING)
            else "See the Jupyter server log; restart the server to try again.",
        )

    async def stop(self) -> None:
        """Stop the emulator (SIGTERM, then SIGKILL) and retract the connection."""
        self._stopping = True
        task, self._task = self._task, None
        await self._terminate()
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._publisher.retract()
        self._ready.clear()
        self.endpoint = None
        self.pid = None
        if self.state != FAILED:
            self.state = STOPPED
        self._notify()

    # -- internals -----------------------------------------------------------------

    def _notify(self) -> None:
        self._changed.set()

    def _set_state(self, state: str, reason: str | None = None) -> None:
        self.state = state
        self.reason = reason
        if state != RUNNING:
            self._ready.clear()
        self._notify()

    def _keep(self, line: str) -> None:
        self.output.append(line)
        del self.output[: -self.log_output]

    def _child_env(self) -> dict[str, str]:
        env = dict(os.environ)
        # The child must not inherit a connection published for kernels (a stale token
        # or URL); it keeps its own token in its data dir.
        for name in PUBLISHED_ENV:
            env.pop(name, None)
        env["PYTHONUNBUFFERED"] = "1"
        env.update(self.extra_env)
        return env

    def _argv(self, port: int, storage_port: int) -> list[str]:
        return [
            *self.command,
            "--host",
            self.host,
            "--port",
            str(port),
            "--storage-port",
            str(storage_port),
            "--data-dir",
            str(self.data_dir),
            # The emulator lives in its own session; this makes it exit if we are killed.
            "--parent-pid",
            str(os.getpid()),
        ]

    async def _supervise(self) -> None:
        failures = 0
        port, storage_port = self.port, self.storage_port
        while not self._stopping:
            started = time.monotonic()
            try:
                ready = await self._run_once(port, storage_port)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.log.error("jupyter_vertex: could not run the embedded Vertex: %s", exc)
                ready, exit_reason = False, str(exc)
            else:
                exit_reason = self.reason or "exited"
            if self._stopping:
                return
            if ready and time.monotonic() - started >= self.stable_after:
                failures = 0
            failures += 1
            if ready and self.endpoint is not None:
                # Come back on the same ports, so kernels' connections stay valid.
                port = _port_of(self.endpoint.url) or self.port
                storage_port = _port_of(self.endpoint.storage_url) or self.storage_port
            else:
                port, storage_port = self.port, self.storage_port
            self._publisher.retract()
            self.endpoint = None
            if failures > self.max_restarts:
                self.pid = None
                self._set_state(
                    FAILED,
                    f"{exit_reason}; gave up after {self.max_restarts} restarts",
                )
                self.log.error(
                    "jupyter_vertex: the embedded Vertex failed %d times; last: %s",
                    failures,
                    exit_reason,
                )
                return
            delay = min(self.restart_backoff * 2 ** (failures - 1), self.backoff_max)
            self.restarts += 1
            self._set_state(RESTARTING, exit_reason)
            self.log.warning(
                "jupyter_vertex: the embedded Vertex stopped (%s); restart %d of at most %d "
                "in %.1f s",
                exit_reason,
                failures,
                self.max_restarts,
                delay,
            )
            await asyncio.sleep(delay)

    async def _run_once(self, port: int, storage_port: int) -> bool:
        """Run one emulator process to its end. True if it became ready."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        argv = self._argv(port, storage_port)
        self.log.info("jupyter_vertex: starting the embedded Vertex: %s", " ".join(argv))
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env=self._child_env(),
            # Its own session: Ctrl-C in the server's terminal is the server's to handle;
            # the server then stops the emulator itself.
            start_new_session=True,
        )
        self._proc = proc
        self.pid = proc.pid
        assert proc.stdout is not None
        if self._stopping:  # stop() ran while the process was being created
            await self._terminate()
            return False
        try:
            try:
                line = await asyncio.wait_for(self._wait_ready_line(proc), self.startup_timeout)
            except TimeoutError:
                self.reason = f"not ready within {self.startup_timeout:g} s"
                self.log.error("jupyter_vertex: the embedded Vertex is %s", self.reason)
                await self._terminate()
                return False
            if line is None:
                code = await proc.wait()
                tail = " | ".join(self.output[-3:])
                self.reason = f"exited with code {code} before it was ready" + (
                    f" ({tail})" if tail else ""
                )
                return False
            self.endpoint = self._endpoint_from(line, proc.pid)
            self.pid = self.endpoint.pid
            self._publisher.publish(self.endpoint, self.project, self.region)
            self._set_state(RUNNING)
            self._ready.set()
            self.log.info(
                "jupyter_vertex: embedded Vertex ready at %s (pid %s)", self.endpoint.url, proc.pid
            )
            await self._drain(proc)
            code = await proc.wait()
            self.reason = f"exited with code {code}" if code >= 0 else f"killed by signal {-code}"
            return True
        finally:
            if proc.returncode is None and self._stopping:
                await self._terminate()
            self._proc = None

    async def _wait_ready_line(self, proc: asyncio.subprocess.Process) -> str | None:
        assert proc.stdout is not None
        while True:
            raw = await proc.stdout.readline()
            if not raw:
                return None
            line = raw.decode("utf-8", "replace").rstrip()
            if line.startswith(READY_PREFIX):
                return line
            self._keep(line)
            self.log.debug("jupyter_vertex emulator: %s", line)

    async def _drain(self, proc: asyncio.subprocess.Process) -> None:
        """Keep reading the child's output (a full pipe would block it)."""
        assert proc.stdout is not None
        while True:
            raw = await proc.stdout.readline()
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip()
            self._keep(line)
            self.log.debug("jupyter_vertex emulator: %s", line)

    def _endpoint_from(self, line: str, pid: int) -> EmulatorEndpoint:
        info: dict[str, Any] = {}
        with contextlib.suppress(ValueError):
            info = json.loads(line[len(READY_PREFIX) :].strip() or "{}")
        # The token is never printed; the emulator writes it to its connection file
        # (before it prints the ready line, so the file is this process's).
        connection = read_connection_file(self.data_dir / "connection.json")
        real_pid = info.get("pid") or connection.get("pid") or pid
        if real_pid != pid:
            self.log.info("jupyter_vertex: the embedded Vertex runs as pid %s", real_pid)
        url = str(info.get("url") or connection["url"])
        storage = info.get("storage_url") or connection.get("storage_url")
        return EmulatorEndpoint(
            url=url,
            token=str(connection["token"]),
            storage_url=str(storage) if storage else None,
            pid=int(real_pid),
        )

    async def _terminate(self) -> None:
        proc = self._proc
        if proc is None or proc.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), self.stop_timeout)
        except TimeoutError:
            self.log.warning(
                "jupyter_vertex: the embedded Vertex ignored SIGTERM for %.0f s; killing it",
                self.stop_timeout,
            )
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
