"""HTTP routes: Models (list, get, patch, delete), their versions and example instance."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..services.serving.resource import ResourceService
from .base import BaseHandler
from .resource import ResourceHandler, ResourcesHandler


class ModelsHandler(ResourcesHandler):
    route = "/models"

    def resources(self) -> ResourceService:
        return self.services.models


class ModelHandler(ResourceHandler):
    route = "/models/{modelId}"
    id_param = "modelId"

    def resources(self) -> ResourceService:
        return self.services.models


class ModelVersionsHandler(BaseHandler):
    route = "/models/{modelId}/versions"

    @web.authenticated
    @authorized
    async def get(self, **_: str) -> None:
        p = self.params()
        page = await self.services.models.versions(
            p["modelId"], page_size=p.get("pageSize"), page_token=p.get("pageToken")
        )
        self.reply(page)


class ModelExampleHandler(BaseHandler):
    route = "/models/{modelId}/example"

    @web.authenticated
    @authorized
    async def get(self, **_: str) -> None:
        self.reply(await self.services.model_examples.example(self.params()["modelId"]))


HANDLERS: tuple[type[BaseHandler], ...] = (
    ModelsHandler,
    ModelHandler,
    ModelVersionsHandler,
    ModelExampleHandler,
)
