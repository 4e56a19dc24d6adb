"""Model server processes for deployed models: start, health, restart, stop, forward.

Each deployed model runs ``replicas`` processes of the SDK's own model server
(:mod:`.modelserver`), each in its own session and working folder
``D/serving/DEPLOYED_ID/rN`` (the server copies the artifacts into its cwd), dying with the
embedded Vertex (parent-death signal) and recorded in ``D/processes`` so that a later start
ends any a killed one left. A server listens only on a unix socket in a private (0700)
folder: health checks and predictions (through one pooled, kept-alive HTTP client) go there.
A deploy completes once every replica answers its health route; a replica that exits
unexpectedly is started again (the deployed model's ``status`` says so meanwhile, and its
``lastUpdateTime`` moves with every change). A predict finding no ready server waits
:data:`READY_WAIT` seconds at most, then answers UNAVAILABLE saying why (starting, crashed
with its error, cannot reach storage). A deployed model whose max replicas exceed its min is
autoscaled (:mod:`.autoscale`) on the requests in flight per replica.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
import tempfile
import threading
import uuid
from pathlib import Path
from typing import Any

from ...http_client import HttpClient, HttpError, Response
from ..core.errors import ApiError, failed_precondition
from ..core.gpus import GpuPool
from ..core.process_groups import ProcessRecords, stop_group
from .autoscale import Autoscaler, Scaling
from .containers import ServerSpec
from .health import failure, healthy
from .replicas import (
    HEALTH_ROUTE,
    PREDICT_ROUTE,
    Deployment,
    Replica,
    free_port,
    fresh_folder,
    server_env,
    unlink_quietly,
    why_not_ready,
)
from .warm_servers import RECORD_KIND, WarmServers, spawn_server

log = logging.getLogger(__name__)

HEALTH_INTERVAL = 5.0  # seconds between health checks of a running server
HEALTH_FAILURES = 3  # consecutive failed checks before a server is killed and restarted
STOP_GRACE = 5.0  # seconds a stopped server gets between SIGTERM and SIGKILL
HEALTH_POLL = 0.1  # seconds between health checks of a starting server, at most
READY_WAIT = 3.0  # seconds a predict waits for a ready server before answering UNAVAILABLE


class Serving:
    def __init__(
        self,
        folder: Path,
        storage_url: str,
        *,
        max_replicas: int = 2,
        health_timeout: float = 90.0,
        project: str = "",
        autoscale_window: float = 60.0,
        scale_in_delay: float = 300.0,
        records: ProcessRecords | None = None,
        warm_servers: int = 1,
    ) -> None:
        self.folder = folder
        self.storage_url = storage_url
        # local storage's token (the embedded Vertex's): a model server's relay adds it
        self.storage_token = ""
        self.max_replicas = max_replicas
        self.autoscale_window = autoscale_window
        self.scale_in_delay = scale_in_delay
        self.health_timeout = health_timeout
        self.project = project
        self.records = records
        # model servers started ahead of need (none: every deploy starts one cold)
        self.warm = WarmServers(folder / "warm", warm_servers, records) if warm_servers else None
        self.gpus = GpuPool()  # the machine's GPUs (the wiring sets the detected pool)
        self._deployments: dict[str, Deployment] = {}
        self.forwarder = HttpClient()  # predictions: lean keep-alive HTTP/1.1 (hot path)
        self._next: dict[str, int] = {}
        self._background: set[asyncio.Task[Any]] = set()
        self._sockets: str | None = None  # a private (0700) folder for the servers' sockets
        self._sockets_lock = threading.Lock()  # replicas start at once, on worker threads

    def replica_count(self, requested: int) -> int:
        return max(1, min(requested or 1, self.max_replicas))

    def capped(self, scaling: Scaling) -> Scaling:
        """The bounds this embedded Vertex runs: min and max capped by --max-replicas-per-model."""
        low = self.replica_count(scaling.min_replicas)
        high = max(low, self.replica_count(scaling.max_replicas))
        return Scaling(low, high, scaling.target, scaling.accelerators)

    # lifecycle ---------------------------------------------------------------------------

    async def deploy(
        self, deployed_id: str, server: ServerSpec, artifact_uri: str, scaling: Scaling
    ) -> None:
        """Start min replicas and wait until they are healthy; on failure leave nothing."""
        scaling = self.capped(scaling)
        base = self.folder / deployed_id
        deployment = Deployment(
            deployed_id,
            server,
            artifact_uri,
            scaling,
            [Replica(base / f"r{i}") for i in range(scaling.min_replicas)],
        )
        self._deployments[deployed_id] = deployment
        try:
            await asyncio.gather(*(self._start(deployment, r) for r in deployment.replicas))
        except BaseException:
            await self.undeploy(deployed_id)
            raise
        for replica in deployment.replicas:
            self._watch(deployment, replica)
        self._keep(asyncio.ensure_future(self._autoscale(deployment)))

    def resume(
        self, deployed_id: str, server: ServerSpec, artifact_uri: str, scaling: Scaling
    ) -> None:
        """Start a deployment's servers in the background (after an emulator restart)."""

        async def run() -> None:
            try:
                await self.deploy(deployed_id, server, artifact_uri, scaling)
            except ApiError as error:
                log.error("could not serve %s again: %s", deployed_id, error.message)
                self._deployments[deployed_id] = Deployment(
                    deployed_id,
                    server,
                    artifact_uri,
                    self.capped(scaling),
                    [],
                    message=error.message,
                )

        task = asyncio.ensure_future(run())
        self._keep(task)

    def _keep(self, task: asyncio.Task[Any]) -> None:
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _start(self, deployment: Deployment, replica: Replica) -> None:
        await asyncio.to_thread(fresh_folder, replica.folder)
        # The SDK's app requires AIP_HTTP_PORT; the server listens on its unix socket only.
        replica.port = free_port()
        if replica.socket:  # a restart: the old server's socket goes
            await asyncio.to_thread(unlink_quietly, replica.socket)
        replica.socket = await asyncio.to_thread(self._socket_path)
        replica.ready = False
        replica.started = asyncio.get_running_loop().time()
        deployment.touch()
        env = server_env(deployment, replica, self.storage_url, self.project, self.storage_token)
        replica.gpus = self.gpus.acquire(str(replica.folder), deployment.scaling.accelerators)
        env.update(self.gpus.env(replica.gpus))
        process = None
        if self.warm is not None and not deployment.server.env:
            process = await self.warm.take()
        if process is not None:
            await WarmServers.assign(process, replica.folder, env)
        else:  # on the event loop's thread: the parent-death signal follows that thread
            process = await spawn_server(replica.folder, env)
        replica.process = process
        replica.output.clear()
        replica.reader = asyncio.ensure_future(self._read_output(replica, replica.process))
        replica.tasks.append(replica.reader)
        if self.records is not None:
            paths = (str(replica.folder), replica.socket)
            await asyncio.to_thread(
                self.records.add, replica.process.pid, RECORD_KIND, deployment.deployed_id, paths
            )
        await self._wait_healthy(deployment, replica)

    async def _read_output(self, replica: Replica, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        async for line in process.stdout:
            replica.output.append(line.decode("utf-8", "replace").rstrip())

    async def _ended(self, replica: Replica, process: asyncio.subprocess.Process) -> str:
        """After its process ended: drop its record, take its last lines; answer why it
        ended, in a phrase ("crashed (exited with status 1): ValueError: …")."""
        if self.records is not None:
            await asyncio.to_thread(self.records.remove, process.pid)
        if replica.reader is not None:
            await asyncio.wait([replica.reader], timeout=2.0)
        code = process.returncode
        if code is not None and code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            return f"was killed ({name})"
        return failure(f"crashed (exited with status {code})", replica.output, self.storage_url)

    async def _wait_healthy(self, deployment: Deployment, replica: Replica) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.health_timeout
        process = replica.process
        assert process is not None
        pause = 0.01
        while True:
            if process.returncode is not None:
                break
            if await healthy(replica.socket, HEALTH_ROUTE):
                replica.ready = True
                replica.failure = ""
                deployment.touch()
                return
            if loop.time() > deadline or deployment.stopping:
                break
            try:  # often at first: a warm server answers within tens of milliseconds
                await asyncio.wait_for(asyncio.shield(process.wait()), pause)
            except asyncio.TimeoutError:
                pass
            pause = min(HEALTH_POLL, pause * 2)
        exited = process.returncode is not None
        await stop_group(process, STOP_GRACE)
        why = await self._ended(replica, process)
        if not exited:
            why = f"did not answer {HEALTH_ROUTE} within {self.health_timeout:g} s"
        replica.failure = why
        deployment.touch()
        last = "\n".join(replica.output) or "(no output)"
        raise failed_precondition(
            f"The model server for deployed model {deployment.deployed_id} "
            f"{why.rstrip('.')}. Its last output:\n{last}"
        )

    def _watch(self, deployment: Deployment, replica: Replica) -> None:
        task = asyncio.ensure_future(self._supervise(deployment, replica))
        replica.tasks.append(task)

    async def _supervise(self, deployment: Deployment, replica: Replica) -> None:
        """Restart the replica whenever its process ends (or stops answering its health
        route) while the model stays deployed."""
        while not deployment.stopping:
            process = replica.process
            assert process is not None
            if process.returncode is None or replica.ready:
                status = await self._until_exit(replica, process)
                why = await self._ended(replica, process)
                replica.failure = status if status.startswith("failed") else why
            if deployment.stopping:
                return
            replica.ready = False
            deployment.restarts += 1
            deployment.message = (
                f"A model server {replica.failure}; restarting it (restart {deployment.restarts})."
            )
            deployment.touch()
            log.warning("deployed model %s: %s", deployment.deployed_id, deployment.message)
            try:
                await self._start(deployment, replica)
                deployment.message = ""
                deployment.touch()
            except ApiError as error:
                deployment.message = error.message
                deployment.touch()
                await asyncio.sleep(1.0)

    async def _until_exit(self, replica: Replica, process: asyncio.subprocess.Process) -> str:
        """Wait for the process to end, checking its health route meanwhile; answer why."""
        failures = 0
        while True:
            try:
                status = await asyncio.wait_for(asyncio.shield(process.wait()), HEALTH_INTERVAL)
                return f"exited with status {status}"
            except asyncio.TimeoutError:
                pass
            healthy_now = await healthy(replica.socket, HEALTH_ROUTE)
            failures = 0 if healthy_now else failures + 1
            if failures >= HEALTH_FAILURES:
                await stop_group(process, STOP_GRACE)
                return f"failed {HEALTH_FAILURES} health checks"

    async def rescale(self, deployed_id: str, scaling: Scaling) -> None:
        """New replica bounds (MutateDeployedModel): bring the replica count into them now."""
        deployment = self._deployments.get(deployed_id)
        if deployment is None:
            return
        deployment.scaling = self.capped(scaling)
        await self._resize(deployment, deployment.scaling.clamp(len(deployment.replicas)))

    async def _resize(self, deployment: Deployment, count: int) -> None:
        """Run ``count`` servers for a deployed model: start or stop the difference."""
        async with deployment.resizing:
            if deployment.stopping:
                return
            base = self.folder / deployment.deployed_id
            while len(deployment.replicas) > count:
                replica = deployment.replicas.pop()
                replica.ready = False
                await self._stop_replica(replica)
            added = [Replica(base / f"r{i}") for i in range(len(deployment.replicas), count)]
            deployment.replicas.extend(added)
            deployment.touch()

            async def start(replica: Replica) -> None:
                try:
                    await self._start(deployment, replica)
                except ApiError as error:
                    deployment.message = error.message
                self._watch(deployment, replica)

            await asyncio.gather(*(start(r) for r in added))

    async def _autoscale(self, deployment: Deployment) -> None:
        """Every window, measure the load per replica and resize within min..max."""
        scaler = Autoscaler(self.scale_in_delay)
        since, busy_before = deployment.load.read()
        while not deployment.stopping:
            await asyncio.sleep(self.autoscale_window)
            now, busy = deployment.load.read()
            current = len(deployment.replicas)
            wanted, deployment.utilization = scaler.decide(
                deployment.scaling, current, busy - busy_before, now - since, now
            )
            if wanted != current and not deployment.stopping:
                log.info(
                    "deployed model %s: %.0f%% load per replica, %d -> %d replicas",
                    deployment.deployed_id,
                    deployment.utilization,
                    current,
                    wanted,
                )
                try:
                    await self._resize(deployment, wanted)
                except Exception:  # noqa: BLE001 - keep autoscaling; the next window retries
                    log.exception("resizing deployed model %s failed", deployment.deployed_id)
                # the window that follows starts when the new replicas are up
                now, busy = deployment.load.read()
            since, busy_before = now, busy

    async def _stop_replica(self, replica: Replica) -> None:
        current = asyncio.current_task()
        for task in replica.tasks:
            if task is not current:
                task.cancel()
        if replica.process is not None:
            await stop_group(replica.process, STOP_GRACE)
            if self.records is not None:
                await asyncio.to_thread(self.records.remove, replica.process.pid)
        self.gpus.release(str(replica.folder))
        await asyncio.to_thread(shutil.rmtree, replica.folder, True)
        if replica.socket:
            await asyncio.to_thread(unlink_quietly, replica.socket)

    async def undeploy(self, deployed_id: str) -> None:
        deployment = self._deployments.pop(deployed_id, None)
        if deployment is None:
            return
        deployment.stopping = True
        async with deployment.resizing:  # a scale-out in progress ends first
            replicas = list(deployment.replicas)
        for replica in replicas:
            await self._stop_replica(replica)
        await asyncio.to_thread(shutil.rmtree, self.folder / deployed_id, True)

    def pids(self, deployed_id: str) -> list[int]:
        deployment = self._deployments.get(deployed_id)
        if deployment is None:
            return []
        return [r.process.pid for r in deployment.replicas if r.process is not None]

    def status(self, deployed_id: str) -> dict[str, Any] | None:
        """``DeployedModel.status`` fields as known in memory, or None if not served here."""
        deployment = self._deployments.get(deployed_id)
        if deployment is None:
            return None
        ready = sum(1 for r in deployment.replicas if r.ready)
        out: dict[str, Any] = {"availableReplicaCount": ready, "lastUpdateTime": deployment.updated}
        if deployment.message:
            out["message"] = deployment.message
        elif ready == len(deployment.replicas) and ready:
            out["message"] = "Deployed model is serving."
        return out

    # requests ----------------------------------------------------------------------------

    async def forward(
        self, deployed_id: str, body: bytes, content_type: str, route: str = PREDICT_ROUTE
    ) -> tuple[int, str, bytes]:
        """POST a body to a ready replica of the deployed model (round robin), on ``route``."""
        deployment = self._deployments.get(deployed_id)
        if deployment is None:
            raise failed_precondition(
                f"Deployed model {deployed_id} is not being served yet; try again shortly."
            )
        deployment.load.begin()
        try:
            response = await self._post(deployment, body, content_type, route)
        finally:
            deployment.load.end()
        return (
            response.status_code,
            response.headers.get("content-type", "application/json"),
            response.content,
        )

    async def _post(
        self, deployment: Deployment, body: bytes, content_type: str, route: str
    ) -> Response:
        replica = await self._ready_replica(deployment)
        try:
            return await self.forwarder.post(
                f"http://localhost{route}",
                content=body,
                headers={"Content-Type": content_type},
                unix_socket=replica.socket,
            )
        except HttpError:
            if replica.ready and replica in deployment.replicas:
                raise
            # the replica was scaled in or died meanwhile: another one answers
            replica = await self._ready_replica(deployment)
            return await self.forwarder.post(
                f"http://localhost{route}",
                content=body,
                headers={"Content-Type": content_type},
                unix_socket=replica.socket,
            )

    async def _ready_replica(self, deployment: Deployment) -> Replica:
        """A ready server (round robin); UNAVAILABLE saying why if none is within
        READY_WAIT seconds: a client learns at once, as from Vertex, rather than hanging."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + READY_WAIT
        while True:
            ready = [r for r in deployment.replicas if r.ready]
            if ready:
                index = self._next.get(deployment.deployed_id, 0)
                self._next[deployment.deployed_id] = index + 1
                return ready[index % len(ready)]
            if deployment.stopping or not deployment.replicas or loop.time() > deadline:
                raise ApiError(
                    "UNAVAILABLE",
                    f"No model server of deployed model {deployment.deployed_id} is ready: "
                    f"{why_not_ready(deployment, loop.time())}",
                )
            await asyncio.sleep(0.05)

    async def close(self) -> None:
        for deployed_id in list(self._deployments):
            await self.undeploy(deployed_id)
        for task in list(self._background):
            task.cancel()
        await self.forwarder.aclose()
        if self.warm is not None:
            await self.warm.close()
        if self._sockets is not None:
            await asyncio.to_thread(shutil.rmtree, self._sockets, True)
            self._sockets = None

    async def remove_leftovers(self) -> None:
        """At start, before any deployment is served again: the working folders and sockets
        a killed embedded Vertex left (none of them belongs to a server of this one)."""

        def remove() -> None:
            if not self.folder.is_dir():
                return
            for child in self.folder.iterdir():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    unlink_quietly(str(child))

        await asyncio.to_thread(remove)

    def _socket_path(self) -> str:
        """A new socket path in the private (0700) folder, made on first use: ``sockets`` in
        this data dir (emptied: one emulator per data dir), or a temporary folder when that
        path is too long for a unix socket (at most 107 bytes)."""
        with self._sockets_lock:
            return self._new_socket_path()

    def _new_socket_path(self) -> str:
        if self._sockets is None:
            folder = self.folder / "sockets"
            if len(str(folder)) + len("/0123456789abcdef.sock") <= 100:
                shutil.rmtree(folder, ignore_errors=True)  # a killed emulator's leftovers
                folder.mkdir(mode=0o700, parents=True)
                self._sockets = str(folder)
            else:
                self._sockets = tempfile.mkdtemp(prefix="jv-models-")  # mode 0700
        return os.path.join(self._sockets, f"{uuid.uuid4().hex[:16]}.sock")
