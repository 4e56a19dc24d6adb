"""HTTP routes: Endpoints (list, create, get, patch, delete)."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..services.serving.resource import ResourceService
from .base import BaseHandler
from .resource import ResourceHandler, ResourcesHandler


class EndpointsHandler(ResourcesHandler):
    route = "/endpoints"

    def resources(self) -> ResourceService:
        return self.services.endpoints

    @web.authenticated
    @authorized
    async def post(self) -> None:
        self.params()
        body = self.json_body()
        created = await self.services.endpoints.create(body)
        self.reply_created(created, "endpoints", created["id"])


class EndpointHandler(ResourceHandler):
    route = "/endpoints/{endpointId}"
    id_param = "endpointId"

    def resources(self) -> ResourceService:
        return self.services.endpoints


HANDLERS: tuple[type[BaseHandler], ...] = (
    EndpointsHandler,
    EndpointHandler,
)
