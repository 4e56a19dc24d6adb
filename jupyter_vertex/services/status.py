"""``GET /status``: which backend, project, region, account; the embedded Vertex's state."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..backend.clients import ClientFactory

CAPABILITIES = ("models", "endpoints", "training", "instances")


class StatusService:
    def __init__(self, clients: ClientFactory, capabilities: Sequence[str] = CAPABILITIES):
        self.clients = clients
        self.capabilities = list(capabilities)

    async def status(self) -> dict[str, Any]:
        location = await self.clients.location()
        return {
            "backend": location.backend,
            "project": location.project,
            "region": location.region,
            "account": location.account,
            "capabilities": list(self.capabilities),
            "emulator": self.clients.emulator_status(),
            "hardware": await self._hardware(),
        }

    async def _hardware(self) -> dict[str, Any] | None:
        """Where work that asks for accelerators runs locally (None: Vertex AI provisions
        them, or the embedded Vertex cannot tell yet)."""
        gpus = await self.clients.local_gpus()
        return None if gpus is None else {"gpus": gpus}
