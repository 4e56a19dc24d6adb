"""One embedded Vertex process: store, local Cloud Storage and the HTTP API, started and
stopped in order. ``__main__`` parses the command line and runs :func:`serve`.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import logging
import os
import signal
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from tornado.netutil import bind_sockets

from ..defaults import READY_PREFIX, is_loopback
from .aiplatform_v1 import (
    batch_prediction_jobs,
    custom_jobs,
    deploy,
    endpoints,
    models,
    operations,
    pipeline_jobs,
    predict,
    prediction_metrics,
    schedules,
    training_pipelines,
)
from .aiplatform_v1.scheduler import Scheduler
from .batch.engine import BatchRunner
from .core import protos
from .core.addresses import port_of, read_addresses
from .core.auth import load_or_create_token
from .core.connection import (
    ADDRESSES_FILE,
    CONNECTION_FILE,
    EmulatorConnection,
    make_private_tree,
    write_private_file,
)
from .core.gpus import GpuPool, detect
from .core.grpc_server import GrpcServer
from .core.grpc_transcoding import Transcoder
from .core.http import HARD_BODY_BYTES, MAX_BODY_BYTES, ApiApp
from .core.http_server import HttpServer
from .core.operations import Operations
from .core.process_groups import ProcessRecords
from .core.routing import Context, Route
from .core.store import Store
from .core.tls import load_or_create as load_or_create_certificate
from .local_v1 import machine
from .logging_v2 import logging_api
from .monitoring_v3 import monitoring_api
from .notebooks_v2 import instance_specs, instances
from .notebooks_v2.instance_logs import InstanceLogs
from .notebooks_v2.instances import Instances
from .notebooks_v2.workbench import Workbench
from .pipelines.engine import PipelineRunner
from .resourcemanager_v3 import projects
from .serving.serving import Serving
from .storage.local_storage import LocalStorage
from .training.job_logs import JobLogs
from .training.runner import Runner
from .training.workerpool import Interpreters

log = logging.getLogger(__name__)

DATABASE_FILE = "vertex.sqlite3"
LOCK_FILE = "emulator.lock"
STORAGE_DIR = "storage"
JOBS_DIR = "jobs"
SERVING_DIR = "serving"
#: Seconds after start before the warm model servers start (a deploy sooner starts them).
WARM_START_DELAY = 10.0
WORKBENCH_DIR = "workbench"
BATCH_DIR = "batch"  # batch prediction jobs' output spools
PIPELINES_DIR = "pipelines"  # pipeline runs, their local pipeline roots and cache
PROCESSES_DIR = "processes"  # the child process groups that must not outlive us


class ConfigurationError(Exception):
    """A setting the emulator refuses to run with."""


@dataclass
class Settings:
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 0
    storage_port: int = 0
    grpc_port: int = 0
    operation_delay: float = 0.0
    # When set, exit once this process is no longer our parent (the supervising Jupyter
    # server died without stopping us, e.g. SIGKILL): an orphan would hold the data dir.
    parent_pid: int | None = None
    # training: the Python that runs Vertex's prebuilt training images, per-image overrides
    # (image URI prefix, interpreter), and how many jobs run at once
    training_python: str = field(default_factory=lambda: sys.executable)
    image_python: tuple[tuple[str, str], ...] = ()
    max_concurrent_jobs: int = 2
    cancel_grace: float = 5.0
    # serving: model server processes per deployed model at most (min_replica_count is capped)
    max_replicas_per_model: int = 2
    # model servers started ahead of need, each waiting to be given a deployment
    warm_model_servers: int = 1
    # autoscaling: the load-measuring window and how long load stays low before scaling in
    autoscale_window: float = 60.0
    scale_in_delay: float = 300.0
    # batch prediction: the most bytes of jsonl input one model server scores at a time
    batch_shard_bytes: int = 4 * 2**20
    # Workbench instances: the Python that runs their Jupyter servers, and the ports they
    # may use (inclusive range; None: any free port)
    instance_python: str = field(default_factory=lambda: sys.executable)
    instance_ports: tuple[int, int] | None = None

    def check(self) -> None:
        if not is_loopback(self.host):
            raise ConfigurationError(
                f"refusing to listen on {self.host!r}: the embedded Vertex binds loopback "
                "addresses only (127.0.0.1, ::1, localhost)"
            )
        ports = (("port", self.port), ("storage port", self.storage_port))
        for name, port in (*ports, ("gRPC port", self.grpc_port)):
            if not 0 <= port <= 65535:
                raise ConfigurationError(f"invalid {name} {port}")
        if self.max_concurrent_jobs < 1:
            raise ConfigurationError("--max-concurrent-jobs must be at least 1")
        if self.max_replicas_per_model < 1:
            raise ConfigurationError("--max-replicas-per-model must be at least 1")
        if self.warm_model_servers < 0:
            raise ConfigurationError("--warm-model-servers must not be negative")
        if self.batch_shard_bytes < 1:
            raise ConfigurationError("--batch-shard-bytes must be at least 1")
        if self.autoscale_window <= 0 or self.scale_in_delay < 0:
            raise ConfigurationError(
                "--autoscale-window must be positive and --scale-in-delay not negative"
            )
        if not os.path.isabs(self.instance_python) or not os.access(self.instance_python, os.X_OK):
            raise ConfigurationError(
                f"--instance-python {self.instance_python}: not an executable absolute path"
            )
        if self.instance_ports is not None:
            low, high = self.instance_ports
            if not 1 <= low <= high <= 65535:
                raise ConfigurationError(f"--instance-ports {low}-{high}: not a port range")
        for prefix, python in (("", self.training_python), *self.image_python):
            if not os.path.isabs(python) or not os.access(python, os.X_OK):
                what = f"--image-python {prefix}=" if prefix else "--training-python "
                raise ConfigurationError(f"{what}{python}: not an executable absolute path")


def all_routes() -> list[Route]:
    """Every API package's routes, in the order they are matched."""
    return (
        models.routes()
        + endpoints.routes()
        + deploy.routes()
        + predict.routes()
        + custom_jobs.routes()
        + batch_prediction_jobs.routes()
        + training_pipelines.routes()
        + pipeline_jobs.routes()
        + schedules.routes()
        + operations.routes()
        + logging_api.routes()
        + monitoring_api.routes()
        + instances.routes()
        + projects.routes()
        + machine.routes()
    )


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class Emulator:
    def __init__(self, settings: Settings) -> None:
        settings.check()
        self.settings = settings
        self.data_dir = Path(settings.data_dir).resolve()
        self.store = Store(self.data_dir / DATABASE_FILE)
        self.operations = Operations(self.store, delay=settings.operation_delay)
        self.processes = ProcessRecords(self.data_dir / PROCESSES_DIR)
        self.storage = LocalStorage(
            self.data_dir / STORAGE_DIR, settings.host, settings.storage_port
        )
        self.runner = Runner(
            self.store,
            self.storage,
            self.data_dir / JOBS_DIR,
            Interpreters(settings.training_python, settings.image_python),
            max_concurrent=settings.max_concurrent_jobs,
            cancel_grace=settings.cancel_grace,
            follower=training_pipelines.PipelineFollower(self.store, self.storage),
            addresses=self.data_dir / ADDRESSES_FILE,
        )
        self.serving = Serving(
            self.data_dir / SERVING_DIR,
            "",
            max_replicas=settings.max_replicas_per_model,
            autoscale_window=settings.autoscale_window,
            scale_in_delay=settings.scale_in_delay,
            records=self.processes,
            warm_servers=settings.warm_model_servers,
        )
        self.batch = BatchRunner(
            self.store,
            self.serving,
            self.data_dir / BATCH_DIR,
            self.storage,
            shard_bytes=settings.batch_shard_bytes,
        )
        # the driver runs in the embedded Vertex's own Python: kfp is one of its dependencies
        self.pipelines = PipelineRunner(
            self.store, self.data_dir / PIPELINES_DIR, records=self.processes
        )
        # pipeline Schedules start their runs through the same engine; a run's end may let
        # a queued tick start
        self.scheduler = Scheduler(self.store, self.pipelines.launch)
        self.pipelines.on_end.append(self.scheduler.wake)
        self.instances = Instances(
            self.store,
            self.operations,
            self.storage,
            Workbench(
                self.data_dir / WORKBENCH_DIR,
                python=settings.instance_python,
                ports=settings.instance_ports,
                records=self.processes,
                vertex_connection=self.data_dir / CONNECTION_FILE,
            ),
        )
        self.gpus = GpuPool()
        self.token = ""
        self.url = ""
        self.grpc_address = ""
        self._http: HttpServer | None = None
        self._grpc: GrpcServer | None = None
        self._lock: IO[str] | None = None

    def _lock_data_dir(self) -> None:
        """One process per data dir: local storage keeps its index in memory."""
        handle = open(self.data_dir / LOCK_FILE, "a+", encoding="utf-8")  # noqa: SIM115
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            owner = handle.read().strip() or "?"
            handle.close()
            raise ConfigurationError(
                f"another embedded Vertex (pid {owner}) is using {self.data_dir}"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._lock = handle

    async def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._lock_data_dir()
        # Only this user: files written from now on are private (the umask, set by
        # __main__), and so becomes what an older version or another umask left.
        await asyncio.to_thread(make_private_tree, self.data_dir)
        # The last run's ports, reused when free so clients keep their address.
        recorded = await asyncio.to_thread(read_addresses, self.data_dir / ADDRESSES_FILE)
        self.storage.preferred_port = port_of(recorded.get("storage_url"))
        self.token = load_or_create_token(self.data_dir)
        await asyncio.to_thread(protos.load)
        await asyncio.to_thread(instance_specs.load_types)
        await self.store.open()
        interrupted = await self.operations.recover()
        if interrupted:
            log.warning("ended %d operation(s) left running by a previous process", interrupted)
        self.storage.token = self.token  # local storage answers only this token (issue 16)
        self.storage.start()
        # the machine's GPUs, once (a subprocess, off the loop), before any job or model
        # server that may ask for accelerators starts
        self.gpus = GpuPool(await detect())
        if self.gpus.gpus:
            log.info("GPUs: %s", ", ".join(f"{g.index}: {g.name}" for g in self.gpus.gpus))
        self.runner.gpus = self.serving.gpus = self.gpus
        await self.runner.start()
        self.serving.storage_url = self.storage.url
        self.serving.storage_token = self.token  # for model servers' storage relays
        ctx = Context(
            store=self.store,
            operations=self.operations,
            log_sources=[JobLogs(self.runner.jobs_dir), InstanceLogs(self.instances.logs_dir)],
        )
        for service in (
            self.storage,
            self.runner,
            self.serving,
            self.instances,
            self.batch,
            self.pipelines,
            self.scheduler,
            self.gpus,
        ):
            ctx.add(service)
        # a killed predecessor's model and instance servers, folders and sockets go first
        ended = await asyncio.to_thread(self.processes.reap)
        if ended:
            log.warning("ended %d process group(s) left by a previous process", len(ended))
        await self.serving.remove_leftovers()
        if self.serving.warm is not None:
            # once JupyterLab's own start-up is over: the imports would slow its first page
            self.serving.warm.start(WARM_START_DELAY)
        restarted = await self.instances.resume()
        if restarted:
            log.info("starting %d Workbench instance(s) again", restarted)
        failed = await self.batch.start(self.storage.url)
        if failed:
            log.warning("failed %d batch prediction job(s) a previous process ran", failed)
        failed = await self.pipelines.start()
        if failed:
            log.warning("failed %d pipeline run(s) a previous process ran", failed)
        resumed = await deploy.resume_all(ctx)
        if resumed:
            log.info("serving %d deployed model(s) again", resumed)
        routes = all_routes()
        app = ApiApp(ctx, self.token, routes)
        prediction_metrics.attach(ctx)  # measures predictions; flushes until the loop ends
        sockets = self._bind(port_of(recorded.get("url")))
        port = sockets[0].getsockname()[1]
        self._http = HttpServer(app, body_limit=MAX_BODY_BYTES, hard_limit=HARD_BODY_BYTES)
        await self._http.start(sockets)
        self.url = _url(self.settings.host, port)
        self.runner.emulator_url = self.url
        cert_path, cert, key = await asyncio.to_thread(load_or_create_certificate, self.data_dir)
        self._grpc = GrpcServer(Transcoder(app, routes), max_message=MAX_BODY_BYTES)
        self.grpc_address = await self._start_grpc(
            self._grpc, port_of(recorded.get("grpc_url")), cert, key
        )
        # pipeline tasks reach this embedded Vertex and its Cloud Storage, as replicas do
        tasks_env = EmulatorConnection(
            url=self.url, token=self.token, storage_url=self.storage.url
        ).to_env()
        self.pipelines.env = {**tasks_env, "STORAGE_EMULATOR_HOST": self.storage.url}
        await self.scheduler.start()  # scheduled runs need that environment
        addresses = {
            "url": self.url,
            "storage_url": self.storage.url,
            # a URL only for port_of(): clients are given grpc_address
            "grpc_url": f"https://{self.grpc_address}",
        }
        await asyncio.to_thread(
            write_private_file, self.data_dir / ADDRESSES_FILE, json.dumps(addresses) + "\n"
        )
        connection = {
            "url": self.url,
            "storage_url": self.storage.url,
            "token": self.token,
            "grpc_address": self.grpc_address,
            "tls_cert": str(cert_path),
            "pid": os.getpid(),
        }
        write_private_file(self.data_dir / CONNECTION_FILE, json.dumps(connection, indent=2) + "\n")
        self.instances.workbench.vertex_listening()  # instances' Labs may now read that file
        ready = {"url": self.url, "storage_url": self.storage.url, "pid": os.getpid()}
        sys.stdout.write(f"{READY_PREFIX} {json.dumps(ready)}\n")
        sys.stdout.flush()

    def _bind(self, preferred: int) -> list[socket.socket]:
        """The API's sockets: on the port asked for, else on the last run's when it is free."""
        if not self.settings.port and preferred:
            try:
                return bind_sockets(preferred, address=self.settings.host)
            except OSError as error:  # taken meanwhile: any free port will do
                log.info("port %d: %s; picking another", preferred, error)
        return bind_sockets(self.settings.port, address=self.settings.host)

    async def _start_grpc(self, server: GrpcServer, preferred: int, cert: bytes, key: bytes) -> str:
        """Start the gRPC port, picked as :meth:`_bind` picks the HTTP one: answers
        ``host:port``."""
        host, port = self.settings.host, self.settings.grpc_port
        started = 0
        if not port and preferred:
            try:
                started = await server.start(host, preferred, cert, key)
            except OSError as error:  # taken meanwhile: any free port will do
                log.info("gRPC port %d: %s; picking another", preferred, error)
        if not started:
            started = await server.start(host, port, cert, key)
        return f"[{host}]:{started}" if ":" in host else f"{host}:{started}"

    async def stop(self) -> None:
        if self._grpc is not None:
            await self._grpc.stop(grace=1)
            self._grpc = None
        if self._http is not None:
            await self._http.stop(timeout=5)
            self._http = None
        await self.operations.close()
        await self.batch.close()
        await self.scheduler.close()
        await self.pipelines.close()
        await self.serving.close()
        await self.instances.close()
        await self.runner.close()
        self.storage.stop()
        await self.store.close()
        if self._lock is not None:
            try:
                (self.data_dir / CONNECTION_FILE).unlink()
            except FileNotFoundError:
                pass
            self._lock.close()  # releases the lock
            self._lock = None


PARENT_CHECK_SECONDS = 1.0


async def _watch_parent(parent_pid: int, stopping: asyncio.Event) -> None:
    """Set ``stopping`` once we are reparented, i.e. ``parent_pid`` has died."""
    while not stopping.is_set():
        if os.getppid() != parent_pid:
            log.warning("parent process %d is gone; stopping", parent_pid)
            stopping.set()
            return
        await asyncio.sleep(PARENT_CHECK_SECONDS)


async def serve(settings: Settings) -> None:
    """Run until SIGTERM or SIGINT (or the parent's death, when watched), then stop."""
    emulator = Emulator(settings)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    watcher = None
    if settings.parent_pid is not None:
        watcher = asyncio.create_task(_watch_parent(settings.parent_pid, stopping))
    try:
        await emulator.start()
        await stopping.wait()
    finally:
        if watcher is not None:
            watcher.cancel()
        await emulator.stop()
