"""The serving engine's records of a deployed model and its model-server replicas, and the
small file and port helpers their processes need."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import os
import shutil
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.connection import TOKEN_ENV
from ..core.process_groups import PARENT_ENV
from ..core.resources import timestamp
from .autoscale import LoadMeter, Scaling
from .containers import ServerSpec
from .modelserver import SOCKET_ENV, SOURCE_ENV

HEALTH_ROUTE = "/health"
PREDICT_ROUTE = "/predict"
OUTPUT_LINES = 20  # a replica's last output lines, kept to explain a failure


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Replica:
    """One model-server process of a deployed model."""

    folder: Path
    port: int = 0
    socket: str = ""  # the unix socket predictions go to (in Serving's private folder)
    process: asyncio.subprocess.Process | None = None
    ready: bool = False
    started: float = 0.0  # monotonic time its current process was started
    failure: str = ""  # why its last process ended, until one is ready again
    output: collections.deque[str] = field(
        default_factory=lambda: collections.deque(maxlen=OUTPUT_LINES)
    )
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    reader: asyncio.Task[None] | None = None  # its current process's output
    gpus: list[int] = field(default_factory=list)  # the GPU indexes its process was given


@dataclass
class Deployment:
    """A deployed model's servers, scaling and load, as the serving engine keeps them."""

    deployed_id: str
    server: ServerSpec
    artifact_uri: str
    scaling: Scaling
    replicas: list[Replica]
    stopping: bool = False
    restarts: int = 0
    message: str = ""
    load: LoadMeter = field(default_factory=LoadMeter)
    resizing: asyncio.Lock = field(default_factory=asyncio.Lock)
    utilization: float = 0.0  # percent, over the last autoscaling window
    updated: str = field(default_factory=timestamp)  # status.lastUpdateTime

    def touch(self) -> None:
        """Its status changed (a replica became ready or not, started, stopped, scaled)."""
        self.updated = timestamp()


def why_not_ready(deployment: Deployment, now: float) -> str:
    """Why a deployed model has no ready server, in a phrase ("it is being undeployed.")."""
    if deployment.stopping:
        return "it is being undeployed."
    if not deployment.replicas:
        return deployment.message or "it has no model server."
    # a replica that failed tells more than one that is merely starting
    replica = next((r for r in deployment.replicas if r.failure), deployment.replicas[0])
    starting = f"starting for {max(0.0, now - replica.started):.0f} s"
    if replica.failure:
        return f"its model server {replica.failure}; restarting it ({starting})."
    return f"its model server is {starting}."


def unlink_quietly(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def fresh_folder(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)


def server_env(
    deployment: Deployment, replica: Replica, storage_url: str, project: str, token: str = ""
) -> dict[str, str]:
    """A model server's environment: Vertex's contract for the container, and ours. With
    ``token`` (local storage's), the server relays its Cloud Storage clients through a relay
    that adds it (:mod:`.modelserver`)."""
    env = {
        **os.environ,
        **deployment.server.env,  # the container's own environment, as Vertex passes it
        # one worker: a server handles one request at a time, which autoscaling counts on
        "VERTEX_CPR_WEB_CONCURRENCY": "1",
        "AIP_HTTP_PORT": str(replica.port),
        SOCKET_ENV: replica.socket,
        PARENT_ENV: str(os.getpid()),
        "AIP_HEALTH_ROUTE": HEALTH_ROUTE,
        "AIP_PREDICT_ROUTE": PREDICT_ROUTE,
        "AIP_STORAGE_URI": deployment.artifact_uri,
        "AIP_DEPLOYED_MODEL_ID": deployment.deployed_id,
        "HANDLER_MODULE": deployment.server.handler[0],
        "HANDLER_CLASS": deployment.server.handler[1],
        "STORAGE_EMULATOR_HOST": storage_url,
        "PYTHONUNBUFFERED": "1",
    }
    if token:
        env[TOKEN_ENV] = token
    if deployment.server.predictor is not None:
        env["PREDICTOR_MODULE"], env["PREDICTOR_CLASS"] = deployment.server.predictor
    else:
        env.pop("PREDICTOR_MODULE", None)
        env.pop("PREDICTOR_CLASS", None)
    if deployment.server.source_in_artifacts:
        env[SOURCE_ENV] = "1"
    if project:
        env.setdefault("GOOGLE_CLOUD_PROJECT", project)
    return env
