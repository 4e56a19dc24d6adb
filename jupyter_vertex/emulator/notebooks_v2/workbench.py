"""The processes behind Workbench instances: one real Jupyter server per instance.

Each instance has its own folder ``D/workbench/PROJECT/ZONE/ID`` with ``home/`` (the
server's root, the instance's "disk"), ``runtime/``, ``config/``, ``data/`` and ``ipython/``
(its Jupyter and IPython dirs: an instance is another machine, its Lab writes nothing into
the user's own), ``jupyter_server_config.json``, ``server.log`` and the post-startup
script's ``post-startup-script.log``. The server loads the server extensions its interpreter
has enabled, which its labextensions need (jupyterlab-git, nbdime...); jupyter_vertex, where
installed, is pointed at the embedded Vertex that runs the instance (its ``connection.json``)
in the instance's project and region, so the instance's Lab shows the same resources. That
is configuration (a config file), not an import of the extension. A server listens on
127.0.0.1 only, on a free port (from ``--instance-ports`` when given), with a random token;
it is ready once ``/api/status`` answers 200 with that token. The script's output also
becomes Cloud Logging entries (:mod:`.instance_logs`). Servers run in their own session through
:mod:`.jupyterserver`, which stops them when the embedded Vertex is gone; they also get
SIGTERM from the kernel when it dies (parent-death signal, armed before their interpreter
starts) and are recorded in ``D/processes``, so that a later start ends any left behind.
No shell anywhere: argv lists only; the post-startup script runs as ``/bin/bash FILE``.
"""

from __future__ import annotations

import asyncio
import collections
import json
import logging
import os
import shutil
import signal
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..core.process_groups import ProcessRecords, dies_with_parent, stop_group
from .instance_logs import ScriptLog, copy_lines

log = logging.getLogger(__name__)

SERVER_SCRIPT = Path(__file__).with_name("jupyterserver.py")
OUTPUT_LINES = 20
STATUS_ROUTE = "/api/status"
CONFIG_FILE = "jupyter_server_config.json"
GIT_CEILINGS = "GIT_CEILING_DIRECTORIES"
SCRIPT_LOG = "post-startup-script.log"
SERVER_LOG = "server.log"
#: Seconds a stopped Jupyter server has to end (and stop its kernels) before SIGKILL.
STOP_GRACE = 10.0
RECORD_KIND = "instance-server"


class StartFailed(Exception):
    """The Jupyter server could not start; the message says why."""


@dataclass
class Server:
    name: str
    folder: Path
    port: int
    token: str
    process: asyncio.subprocess.Process
    output: collections.deque[str] = field(
        default_factory=lambda: collections.deque(maxlen=OUTPUT_LINES)
    )
    reader: asyncio.Task[None] | None = None

    @property
    def pid(self) -> int:
        return self.process.pid


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _any_free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Workbench:
    def __init__(
        self,
        folder: Path,
        *,
        python: str = sys.executable,
        ports: tuple[int, int] | None = None,
        start_timeout: float = 90.0,
        records: ProcessRecords | None = None,
        vertex_connection: Path | None = None,
    ) -> None:
        self.folder = folder
        # The embedded Vertex's connection file, for jupyter_vertex in the instances' servers;
        # none starts before it is written (vertex_listening), lest one read a stale file.
        self.vertex_connection = vertex_connection
        self._vertex_up = asyncio.Event()
        self.python = python
        self.ports = ports
        self.start_timeout = start_timeout
        self.records = records
        self._servers: dict[str, Server] = {}
        self._copiers: set[asyncio.Task[None]] = set()

    def folder_for(self, name: str) -> Path:
        """``projects/N/locations/Z/instances/ID`` → ``D/workbench/N/Z/ID``."""
        parts = name.split("/")
        return self.folder / parts[1] / parts[3] / parts[5]

    def server(self, name: str) -> Server | None:
        server = self._servers.get(name)
        if server is not None and server.process.returncode is not None:
            return None
        return server

    def forget(self, name: str, process: asyncio.subprocess.Process) -> bool:
        """Drop a server whose process ended on its own; False if it was not the current one
        (stopped on purpose, or replaced)."""
        server = self._servers.get(name)
        if server is None or server.process is not process:
            return False
        del self._servers[name]
        return True

    # ports ---------------------------------------------------------------------------

    def _pick_port(self, preferred: int | None) -> int:
        taken = {s.port for s in self._servers.values()}
        if self.ports is None:
            if preferred and preferred not in taken and port_is_free(preferred):
                return preferred
            return _any_free_port()
        low, high = self.ports
        candidates = list(range(low, high + 1))
        if preferred in candidates:
            candidates.remove(preferred)
            candidates.insert(0, preferred)
        for port in candidates:
            if port not in taken and port_is_free(port):
                return port
        raise StartFailed(
            f"No free port for the instance's Jupyter server in {low}-{high} "
            "(--instance-ports): every port there is in use."
        )

    # lifecycle -----------------------------------------------------------------------

    def vertex_listening(self) -> None:
        """The embedded Vertex answers and its connection file is written."""
        self._vertex_up.set()

    async def start(
        self,
        name: str,
        token: str,
        preferred_port: int | None,
        location: tuple[str, str],
    ) -> Server:
        """Start the instance's server and wait until it answers; raise StartFailed.
        ``location`` is the (project, region) its jupyter_vertex works in."""
        await self.stop(name)
        if self.vertex_connection is not None:
            await self._vertex_up.wait()
        folder = self.folder_for(name)
        config = lab_config(folder, self.vertex_connection, *location)
        await asyncio.to_thread(_prepare_folder, folder, config)
        port = await asyncio.to_thread(self._pick_port, preferred_port)
        argv = [
            self.python,
            str(SERVER_SCRIPT),
            str(os.getpid()),
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",
            "--ServerApp.open_browser=False",
            f"--ServerApp.root_dir={folder / 'home'}",
            "--ServerApp.allow_root=True",
            "--LabApp.extension_manager=readonly",
            f"--config={folder / CONFIG_FILE}",
        ]
        # The instance is another machine: Lab's workspaces and settings, kernels' IPython
        # history and the runtime files go to its folder, not to the user's own dirs; and
        # git (the Git panel) finds no repository around its disk, only ones on it.
        ceilings = [str(folder), *filter(None, os.environ.get(GIT_CEILINGS, "").split(":"))]
        env = {
            **os.environ,
            "JUPYTER_RUNTIME_DIR": str(folder / "runtime"),
            "JUPYTER_CONFIG_DIR": str(folder / "config"),
            "IPYTHONDIR": str(folder / "ipython"),
            GIT_CEILINGS: ":".join(ceilings),
        }
        env.pop("JUPYTER_TOKEN", None)
        try:
            process = await asyncio.create_subprocess_exec(
                *argv,
                cwd=folder / "home",
                env=env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
                # SIGTERM, not SIGKILL: Jupyter then stops its kernels (in their own sessions)
                preexec_fn=dies_with_parent(signal.SIGTERM),
            )
        except OSError as error:
            raise StartFailed(f"The Jupyter server could not be started: {error}.") from None
        if self.records is not None:
            await asyncio.to_thread(self.records.add, process.pid, RECORD_KIND, name)
        server = Server(name, folder, port, token, process)
        server.reader = asyncio.ensure_future(_keep_output(server, folder / SERVER_LOG))
        self._servers[name] = server
        try:
            await self._wait_ready(server)
        except BaseException:
            await self.stop(name)
            raise
        return server

    async def _wait_ready(self, server: Server) -> None:
        import httpx

        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.start_timeout
        url = f"http://127.0.0.1:{server.port}{STATUS_ROUTE}"
        headers = {"Authorization": f"token {server.token}"}
        async with httpx.AsyncClient(timeout=2.0) as client:
            while server.process.returncode is None and loop.time() < deadline:
                try:
                    if (await client.get(url, headers=headers)).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass  # not listening yet
                try:
                    await asyncio.wait_for(asyncio.shield(server.process.wait()), 0.2)
                except asyncio.TimeoutError:
                    pass
        if server.reader is not None:
            await asyncio.wait([server.reader], timeout=2.0)  # its last lines
        last = "\n".join(server.output) or "(no output)"
        if server.process.returncode is not None:
            why = f"exited with status {server.process.returncode}"
        else:
            why = f"did not answer {STATUS_ROUTE} within {self.start_timeout:g} s"
        raise StartFailed(f"The Jupyter server {why}. Its last output:\n{last}")

    async def stop(self, name: str) -> None:
        server = self._servers.pop(name, None)
        if server is None:
            return
        # SIGTERM first: Jupyter stops its kernels.
        await stop_group(server.process, grace=STOP_GRACE)
        if self.records is not None:
            await asyncio.to_thread(self.records.remove, server.pid)
        if server.reader is not None:
            await asyncio.wait([server.reader], timeout=2.0)

    async def remove(self, name: str) -> None:
        """Stop the server and delete the instance's folder."""
        await self.stop(name)
        await asyncio.to_thread(shutil.rmtree, self.folder_for(name), True)

    async def close(self) -> None:
        await asyncio.gather(*(self.stop(name) for name in list(self._servers)))
        for copier in list(self._copiers):
            copier.cancel()

    # the post-startup script ----------------------------------------------------------

    async def run_script(
        self,
        name: str,
        script: Path,
        env: dict[str, str],
        script_log: ScriptLog | None = None,
    ) -> int:
        """Run ``/bin/bash script`` in the instance's home; its output goes to
        ``post-startup-script.log`` (appended) and, line by line, to ``script_log``. Answer the
        exit status."""
        folder = self.folder_for(name)
        output = await asyncio.to_thread(open, folder / SCRIPT_LOG, "ab")
        # A pipe of our own, not asyncio's: Process.wait() waits for asyncio's pipes to
        # close, which a process the script leaves in the background would delay forever.
        read_end, write_end = os.pipe()
        try:
            try:
                process = await asyncio.create_subprocess_exec(
                    "/bin/bash",
                    str(script),
                    cwd=folder / "home",
                    env={**os.environ, **env},
                    stdin=asyncio.subprocess.DEVNULL,
                    stdout=write_end,
                    stderr=asyncio.subprocess.STDOUT,
                    start_new_session=True,
                )
            finally:
                os.close(write_end)
            pipe = os.fdopen(read_end, "rb", 0)
        except BaseException:
            os.close(read_end)
            await asyncio.to_thread(output.close)
            raise
        stream = asyncio.StreamReader()
        try:
            transport, _ = await asyncio.get_running_loop().connect_read_pipe(
                lambda: asyncio.StreamReaderProtocol(stream), pipe
            )
        except BaseException:
            pipe.close()
            await asyncio.to_thread(output.close)
            raise
        copier = asyncio.ensure_future(_copy_output(stream, transport, output, script_log))
        self._copiers.add(copier)
        copier.add_done_callback(self._copiers.discard)
        code = await process.wait()
        # Its last lines. A process the script left running in the background may hold the
        # output open longer; its lines keep being copied after the script's end.
        await asyncio.wait([copier], timeout=2.0)
        return code


async def _copy_output(
    stream: asyncio.StreamReader,
    transport: asyncio.BaseTransport,
    output: IO[bytes],
    script_log: ScriptLog | None,
) -> None:
    try:
        await copy_lines(stream, output, script_log)
    finally:
        transport.close()
        await asyncio.to_thread(output.close)
        if script_log is not None:
            await script_log.close()


def lab_config(
    folder: Path, vertex_connection: Path | None, project: str, region: str
) -> dict[str, Any]:
    """The instance server's own configuration (``jupyter_server_config.json``)."""
    config: dict[str, Any] = {
        # The notebook trust database, else in the user's data dir.
        "NotebookNotary": {"data_dir": str(folder / "data")},
    }
    if vertex_connection is not None:
        # Read only where jupyter_vertex is installed (unknown sections are ignored).
        config["VertexApp"] = {
            "backend": "local",
            "emulator_connection_file": str(vertex_connection),
            "project": project,
            "region": region,
            "data_dir": str(folder / "data" / "jupyter_vertex"),
        }
    else:  # no embedded Vertex to point at: it would start one of its own
        config["ServerApp"] = {"jpserver_extensions": {"jupyter_vertex": False}}
    return config


def _prepare_folder(folder: Path, config: dict[str, Any]) -> None:
    for sub in ("home", "runtime", "config", "data", "ipython"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    (folder / CONFIG_FILE).write_text(json.dumps(config, indent=1), encoding="utf-8")


async def _keep_output(server: Server, path: Path) -> None:
    """Keep the last lines in memory (for failure reasons) and all of them in server.log."""
    stream = server.process.stdout
    assert stream is not None
    handle = await asyncio.to_thread(open, path, "ab")
    try:
        async for line in stream:
            server.output.append(line.decode("utf-8", "replace").rstrip())
            await asyncio.to_thread(handle.write, line)
    finally:
        await asyncio.to_thread(handle.close)
