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

from .autoscale import LoadMeter, Scaling
from .containers import ServerSpec

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
    output: collections.deque[str] = field(
        default_factory=lambda: collections.deque(maxlen=OUTPUT_LINES)
    )
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)


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


def unlink_quietly(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def fresh_folder(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
