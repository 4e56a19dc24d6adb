"""An embedded Vertex that runs elsewhere: ``c.VertexApp.emulator_url`` + ``emulator_token``,
or a connection file. Same interface as the supervisor; nothing is started or watched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from traitlets.config import LoggingConfigurable

from ..defaults import LOCAL_PROJECT, LOCAL_REGION
from ..emulator.core.connection import EmulatorConnection
from ..errors import Unavailable
from .link import FAILED, RUNNING, STOPPED, EmulatorEndpoint
from .publisher import Publisher, read_connection_file

__all__ = ["ExternalEmulator"]


class ExternalEmulator(LoggingConfigurable):
    """An embedded Vertex that runs elsewhere (not started or watched by this server)."""

    def __init__(
        self,
        *,
        url: str | None = None,
        token: str | None = None,
        storage_url: str | None = None,
        connection_file: str | None = None,
        project: str = LOCAL_PROJECT,
        region: str = LOCAL_REGION,
        publish: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.url = url
        self.token = token
        self.storage_url = storage_url
        self.connection_file = Path(connection_file) if connection_file else None
        self.project = project
        self.region = region
        self._publish = publish
        self._publisher = Publisher(self.log, runtime_file=None)
        self.endpoint: EmulatorEndpoint | None = None
        self.reason: str | None = None

    def _resolve(self) -> EmulatorEndpoint:
        if self.connection_file is not None:
            connection = EmulatorConnection.read(self.connection_file)
            pid = read_connection_file(self.connection_file).get("pid")
            return EmulatorEndpoint(
                url=connection.url,
                token=connection.token,
                storage_url=connection.storage_url,
                pid=pid if isinstance(pid, int) else None,
            )
        if not self.url or not self.token:
            raise ValueError(
                "an external embedded Vertex needs both emulator_url and emulator_token"
            )
        return EmulatorEndpoint(url=self.url, token=self.token, storage_url=self.storage_url)

    def status(self) -> dict[str, Any]:
        endpoint = self.endpoint
        state = RUNNING if endpoint else (FAILED if self.reason else STOPPED)
        return {
            "state": state,
            "managed": False,
            "url": endpoint.url if endpoint else self.url,
            "pid": endpoint.pid if endpoint else None,
            "restarts": 0,
            "reason": self.reason,
        }

    async def start(self) -> None:
        try:
            self.endpoint = self._resolve()
            self.reason = None
        except (OSError, ValueError, KeyError) as exc:
            self.endpoint = None
            self.reason = f"cannot read the connection: {exc}"
            self.log.error("jupyter_vertex: external embedded Vertex: %s", self.reason)
            return
        if self._publish:
            self._publisher.publish(self.endpoint, self.project, self.region)

    async def wait_ready(self, timeout: float) -> EmulatorEndpoint:
        if self.endpoint is None:
            await self.start()
        if self.endpoint is None:
            raise Unavailable(
                f"The external embedded Vertex is not usable: {self.reason}",
                hint="Check c.VertexApp.emulator_url / emulator_token / emulator_connection_file.",
            )
        return self.endpoint

    async def stop(self) -> None:
        self._publisher.retract()
        self.endpoint = None
