"""HTTP route: ``GET /status`` (backend, project, region, account, the embedded Vertex)."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from .base import BaseHandler


class StatusHandler(BaseHandler):
    route = "/status"

    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.params()
        self.reply(await self.services.status.status())


HANDLERS: tuple[type[BaseHandler], ...] = (StatusHandler,)
