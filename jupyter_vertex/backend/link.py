"""What the client factory needs from an embedded Vertex, supervised or external: how to reach
it (:class:`EmulatorEndpoint`), the interface (:class:`EmulatorLink`) and its states."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

__all__ = [
    "FAILED",
    "RESTARTING",
    "RUNNING",
    "STARTING",
    "STOPPED",
    "EmulatorEndpoint",
    "EmulatorLink",
]

STOPPED, STARTING, RUNNING, RESTARTING, FAILED = (
    "stopped",
    "starting",
    "running",
    "restarting",
    "failed",
)


@dataclass(frozen=True)
class EmulatorEndpoint:
    """How to reach a running embedded Vertex."""

    url: str
    token: str
    storage_url: str | None = None
    pid: int | None = None


class EmulatorLink(Protocol):
    """What the factory needs from an embedded Vertex, supervised or external."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def wait_ready(self, timeout: float) -> EmulatorEndpoint: ...

    def status(self) -> dict[str, Any]: ...
