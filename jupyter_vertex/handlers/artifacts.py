"""HTTP route: copy a Cloud Storage artifact into the Jupyter root, to open it there."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from .base import BaseHandler


class ArtifactOpenHandler(BaseHandler):
    route = "/artifacts/open"

    @web.authenticated
    @authorized
    async def post(self) -> None:
        self.params()
        body = self.json_body()
        self.reply(await self.services.artifacts.open(body["uri"]))


HANDLERS: tuple[type[BaseHandler], ...] = (ArtifactOpenHandler,)
