"""Publish an embedded Vertex's connection to kernels, and take it back.

Kernels started by this server inherit ``JUPYTER_VERTEX_EMULATOR_URL`` & co. from
``os.environ``; others read the Jupyter runtime-dir file ``jupyter_vertex_emulator.json``
(0600). Both the supervisor and an external embedded Vertex publish this way.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from ..emulator.core.connection import (
    PROJECT_ENV,
    REGION_ENV,
    STORAGE_ENV,
    TOKEN_ENV,
    URL_ENV,
    EmulatorConnection,
)
from .link import EmulatorEndpoint

__all__ = ["PUBLISHED_ENV", "Publisher", "read_connection_file"]

PUBLISHED_ENV = (URL_ENV, TOKEN_ENV, STORAGE_ENV, PROJECT_ENV, REGION_ENV)


class Publisher:
    """Publishes a connection to kernels (env + runtime file) and takes it back."""

    def __init__(self, log: Any, runtime_file: Path | None) -> None:
        self.log = log
        self.runtime_file = runtime_file
        self._saved_env: dict[str, str | None] | None = None
        self._written: str | None = None

    def publish(self, endpoint: EmulatorEndpoint, project: str, region: str) -> None:
        connection = EmulatorConnection(
            url=endpoint.url,
            token=endpoint.token,
            storage_url=endpoint.storage_url,
            project=project,
            location=region,
        )
        values = connection.to_env()
        if self._saved_env is None:
            self._saved_env = {name: os.environ.get(name) for name in PUBLISHED_ENV}
        for name in PUBLISHED_ENV:
            if name in values:
                os.environ[name] = values[name]
            else:
                os.environ.pop(name, None)
        if self.runtime_file is not None:
            connection.write(self.runtime_file)
            self._written = endpoint.url
            self.log.info("jupyter_vertex: embedded Vertex connection in %s", self.runtime_file)

    def retract(self) -> None:
        if self._saved_env is not None:
            for name, value in self._saved_env.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            self._saved_env = None
        if self.runtime_file is not None and self._written is not None:
            with contextlib.suppress(OSError, ValueError):
                current = json.loads(self.runtime_file.read_text(encoding="utf-8"))
                if current.get("url") == self._written:
                    self.runtime_file.unlink()
            self._written = None


def read_connection_file(path: Path) -> dict[str, Any]:
    """The raw JSON of an embedded Vertex's connection file (it also holds fields, like the
    pid, that :class:`EmulatorConnection` does not read)."""
    with path.open(encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data
