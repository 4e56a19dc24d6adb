"""Model server processes for deployed models: start, health, restart, stop, forward.

Each deployed model runs ``replicas`` processes of the SDK's own model server
(:mod:`.modelserver`, loopback only), each in its own session and working folder
``D/serving/DEPLOYED_ID/rN`` (the server copies the artifacts into its cwd). A deploy
completes once every replica answers its health route; a replica that exits unexpectedly is
started again (the deployed model's ``status`` says so meanwhile). Requests reach them over
one pooled, kept-alive HTTP client.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import os
import re
import shutil
import signal
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ApiError, failed_precondition

if TYPE_CHECKING:  # pragma: no cover
    import httpx

log = logging.getLogger(__name__)

HEALTH_ROUTE = "/health"
PREDICT_ROUTE = "/predict"
_PREBUILT = re.compile(
    r"^(?:[a-z0-9-]+-)?docker\.pkg\.dev/vertex-ai/prediction/(sklearn|xgboost)-cpu\.[^/]+$"
)
_PREDICTORS = {
    "sklearn": ("google.cloud.aiplatform.prediction.sklearn.predictor", "SklearnPredictor"),
    "xgboost": ("google.cloud.aiplatform.prediction.xgboost.predictor", "XgboostPredictor"),
}
OUTPUT_LINES = 20
HEALTH_INTERVAL = 5.0  # seconds between health checks of a running server
HEALTH_FAILURES = 3  # consecutive failed checks before a server is killed and restarted


def predictor_for(image_uri: str) -> tuple[str, str]:
    """(PREDICTOR_MODULE, PREDICTOR_CLASS) for a serving image, or FAILED_PRECONDITION."""
    match = _PREBUILT.match(image_uri or "")
    if match is None:
        raise failed_precondition(
            f"The model's serving container {image_uri or '(none)'!r} cannot run on the "
            "embedded Vertex: it serves Vertex's prebuilt scikit-learn and XGBoost prediction "
            "containers (…-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.* and "
            "xgboost-cpu.*) through the SDK's model server; TensorFlow, PyTorch and custom "
            "containers are not supported."
        )
    return _PREDICTORS[match.group(1)]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Replica:
    folder: Path
    port: int = 0
    process: asyncio.subprocess.Process | None = None
    ready: bool = False
    output: collections.deque[str] = field(
        default_factory=lambda: collections.deque(maxlen=OUTPUT_LINES)
    )
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)


@dataclass
class Deployment:
    deployed_id: str
    image_uri: str
    artifact_uri: str
    replicas: list[Replica]
    stopping: bool = False
    restarts: int = 0
    message: str = ""


class Serving:
    def __init__(
        self,
        folder: Path,
        storage_url: str,
        *,
        max_replicas: int = 2,
        health_timeout: float = 90.0,
        project: str = "",
    ) -> None:
        self.folder = folder
        self.storage_url = storage_url
        self.max_replicas = max_replicas
        self.health_timeout = health_timeout
        self.project = project
        self._deployments: dict[str, Deployment] = {}
        self._client: httpx.AsyncClient | None = None
        self._next: dict[str, int] = {}
        self._background: set[asyncio.Task[Any]] = set()

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            import httpx

            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(60.0, connect=5.0),
                limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
            )
        return self._client

    def replica_count(self, requested: int) -> int:
        return max(1, min(requested or 1, self.max_replicas))

    # lifecycle ---------------------------------------------------------------------------

    async def deploy(
        self, deployed_id: str, image_uri: str, artifact_uri: str, replicas: int
    ) -> None:
        """Start the servers and wait until they are healthy; on failure leave nothing."""
        predictor_for(image_uri)
        count = self.replica_count(replicas)
        base = self.folder / deployed_id
        deployment = Deployment(
            deployed_id,
            image_uri,
            artifact_uri,
            [Replica(base / f"r{i}") for i in range(count)],
        )
        self._deployments[deployed_id] = deployment
        try:
            await asyncio.gather(*(self._start(deployment, r) for r in deployment.replicas))
        except BaseException:
            await self.undeploy(deployed_id)
            raise
        for replica in deployment.replicas:
            self._watch(deployment, replica)

    def resume(self, deployed_id: str, image_uri: str, artifact_uri: str, replicas: int) -> None:
        """Start a deployment's servers in the background (after an emulator restart)."""

        async def run() -> None:
            try:
                await self.deploy(deployed_id, image_uri, artifact_uri, replicas)
            except ApiError as error:
                log.error("could not serve %s again: %s", deployed_id, error.message)
                self._deployments[deployed_id] = Deployment(
                    deployed_id, image_uri, artifact_uri, [], message=error.message
                )

        task = asyncio.ensure_future(run())
        self._keep(task)

    def _keep(self, task: asyncio.Task[Any]) -> None:
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _start(self, deployment: Deployment, replica: Replica) -> None:
        module, cls = predictor_for(deployment.image_uri)
        await asyncio.to_thread(_fresh_folder, replica.folder)
        replica.port = _free_port()
        replica.ready = False
        env = {
            **os.environ,
            "AIP_HTTP_PORT": str(replica.port),
            "AIP_HEALTH_ROUTE": HEALTH_ROUTE,
            "AIP_PREDICT_ROUTE": PREDICT_ROUTE,
            "AIP_STORAGE_URI": deployment.artifact_uri,
            "AIP_DEPLOYED_MODEL_ID": deployment.deployed_id,
            "HANDLER_MODULE": "google.cloud.aiplatform.prediction.handler",
            "HANDLER_CLASS": "PredictionHandler",
            "PREDICTOR_MODULE": module,
            "PREDICTOR_CLASS": cls,
            "VERTEX_CPR_WEB_CONCURRENCY": "1",
            "STORAGE_EMULATOR_HOST": self.storage_url,
            "PYTHONUNBUFFERED": "1",
        }
        if self.project:
            env.setdefault("GOOGLE_CLOUD_PROJECT", self.project)
        replica.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "jupyter_vertex.emulator.modelserver",
            cwd=replica.folder,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
        reader = asyncio.ensure_future(self._read_output(replica, replica.process))
        replica.tasks.append(reader)
        await self._wait_healthy(deployment, replica)

    async def _read_output(self, replica: Replica, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        async for line in process.stdout:
            replica.output.append(line.decode("utf-8", "replace").rstrip())

    async def _wait_healthy(self, deployment: Deployment, replica: Replica) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.health_timeout
        process = replica.process
        assert process is not None
        url = f"http://127.0.0.1:{replica.port}{HEALTH_ROUTE}"
        while True:
            if process.returncode is not None:
                break
            try:
                response = await self.client.get(url, timeout=2.0)
                if response.status_code == 200:
                    replica.ready = True
                    return
            except Exception as error:  # noqa: BLE001 - not listening yet
                log.debug("health of %s: %s", url, error)
            if loop.time() > deadline or deployment.stopping:
                break
            try:
                await asyncio.wait_for(asyncio.shield(process.wait()), 0.1)
            except asyncio.TimeoutError:
                pass
        await _stop_process(process)
        await asyncio.sleep(0)  # let the reader take the last lines
        last = "\n".join(replica.output) or "(no output)"
        why = (
            f"exited with status {process.returncode}"
            if process.returncode not in (None, -signal.SIGKILL, -signal.SIGTERM)
            else f"did not answer {HEALTH_ROUTE} within {self.health_timeout:g} s"
        )
        raise failed_precondition(
            f"The model server for deployed model {deployment.deployed_id} {why}. "
            f"Its last output:\n{last}"
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
            status = await self._until_exit(replica, process)
            if deployment.stopping:
                return
            replica.ready = False
            deployment.restarts += 1
            deployment.message = (
                f"A model server {status}; restarting it (restart {deployment.restarts})."
            )
            log.warning("deployed model %s: %s", deployment.deployed_id, deployment.message)
            try:
                await self._start(deployment, replica)
                deployment.message = ""
            except ApiError as error:
                deployment.message = error.message
                await asyncio.sleep(1.0)

    async def _until_exit(self, replica: Replica, process: asyncio.subprocess.Process) -> str:
        """Wait for the process to end, checking its health route meanwhile; answer why."""
        failures = 0
        url = f"http://127.0.0.1:{replica.port}{HEALTH_ROUTE}"
        while True:
            try:
                status = await asyncio.wait_for(asyncio.shield(process.wait()), HEALTH_INTERVAL)
                return f"exited with status {status}"
            except asyncio.TimeoutError:
                pass
            try:
                healthy = (await self.client.get(url, timeout=2.0)).status_code == 200
            except Exception as error:  # noqa: BLE001
                log.debug("health of %s: %s", url, error)
                healthy = False
            failures = 0 if healthy else failures + 1
            if failures >= HEALTH_FAILURES:
                await _stop_process(process)
                return f"failed {HEALTH_FAILURES} health checks"

    async def scale(self, deployed_id: str, replicas: int) -> None:
        """Run ``replicas`` (capped) servers for a deployed model: start or stop the rest."""
        deployment = self._deployments.get(deployed_id)
        if deployment is None:
            return
        count = self.replica_count(replicas)
        base = self.folder / deployed_id
        while len(deployment.replicas) > count:
            replica = deployment.replicas.pop()
            await self._stop_replica(replica)
        added = [Replica(base / f"r{i}") for i in range(len(deployment.replicas), count)]
        deployment.replicas.extend(added)
        for replica in added:
            try:
                await self._start(deployment, replica)
            except ApiError as error:
                deployment.message = error.message
            self._watch(deployment, replica)

    async def _stop_replica(self, replica: Replica) -> None:
        current = asyncio.current_task()
        for task in replica.tasks:
            if task is not current:
                task.cancel()
        if replica.process is not None:
            await _stop_process(replica.process)
        await asyncio.to_thread(shutil.rmtree, replica.folder, True)

    async def undeploy(self, deployed_id: str) -> None:
        deployment = self._deployments.pop(deployed_id, None)
        if deployment is None:
            return
        deployment.stopping = True
        for replica in deployment.replicas:
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
        out: dict[str, Any] = {"availableReplicaCount": ready}
        if deployment.message:
            out["message"] = deployment.message
        elif ready == len(deployment.replicas) and ready:
            out["message"] = "Deployed model is serving."
        return out

    # requests ----------------------------------------------------------------------------

    async def forward(
        self, deployed_id: str, body: bytes, content_type: str
    ) -> tuple[int, str, bytes]:
        """POST a body to a ready replica of the deployed model (round robin)."""
        deployment = self._deployments.get(deployed_id)
        if deployment is None:
            raise failed_precondition(
                f"Deployed model {deployed_id} is not being served yet; try again shortly."
            )
        replica = await self._ready_replica(deployment)
        response = await self.client.post(
            f"http://127.0.0.1:{replica.port}{PREDICT_ROUTE}",
            content=body,
            headers={"Content-Type": content_type},
        )
        return (
            response.status_code,
            response.headers.get("content-type", "application/json"),
            response.content,
        )

    async def _ready_replica(self, deployment: Deployment) -> Replica:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.health_timeout
        while True:
            ready = [r for r in deployment.replicas if r.ready]
            if ready:
                index = self._next.get(deployment.deployed_id, 0)
                self._next[deployment.deployed_id] = index + 1
                return ready[index % len(ready)]
            if deployment.stopping or not deployment.replicas or loop.time() > deadline:
                raise ApiError(
                    "UNAVAILABLE",
                    f"No model server of deployed model {deployment.deployed_id} is ready. "
                    f"{deployment.message}",
                )
            await asyncio.sleep(0.05)

    async def close(self) -> None:
        for deployed_id in list(self._deployments):
            await self.undeploy(deployed_id)
        for task in list(self._background):
            task.cancel()
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def _fresh_folder(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)


async def _stop_process(process: asyncio.subprocess.Process, grace: float = 5.0) -> None:
    """SIGTERM the process group, SIGKILL after ``grace`` seconds; wait for the exit."""
    if process.returncode is None:
        _signal_group(process.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), grace)
        except asyncio.TimeoutError:
            _signal_group(process.pid, signal.SIGKILL)
            await process.wait()
    _signal_group(process.pid, signal.SIGKILL)  # any children left in the group


def _signal_group(pid: int, signum: int) -> None:
    try:
        os.killpg(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass
