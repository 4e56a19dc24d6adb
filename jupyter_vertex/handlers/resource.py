"""Generic handlers of one resource kind: list a page; get, patch and delete one.

Subclasses name the service (a :class:`ResourceService`) and the route.
"""

from __future__ import annotations

from typing import ClassVar

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..services.serving.resource import ResourceService
from .base import BaseHandler


class ResourcesHandler(BaseHandler):
    """GET: one page of a resource kind (models, endpoints), filtered and ordered."""

    def resources(self) -> ResourceService:
        raise NotImplementedError

    @web.authenticated
    @authorized
    async def get(self) -> None:
        p = self.params()
        page = await self.resources().list(
            page_size=p.get("pageSize"),
            page_token=p.get("pageToken"),
            filter=p.get("filter"),
            order_by=p.get("orderBy"),
        )
        self.reply(page)


class ResourceHandler(BaseHandler):
    """GET, PATCH and DELETE of one resource, named by the route's ``id_param``."""

    id_param: ClassVar[str]

    def resources(self) -> ResourceService:
        raise NotImplementedError

    @web.authenticated
    @authorized
    async def get(self, **_: str) -> None:
        p = self.params()
        self.reply(await self.resources().get(p[self.id_param]))

    @web.authenticated
    @authorized
    async def patch(self, **_: str) -> None:
        p = self.params()
        body = self.json_body()
        self.reply(await self.resources().update(p[self.id_param], body))

    @web.authenticated
    @authorized
    async def delete(self, **_: str) -> None:
        p = self.params()
        await self.resources().delete(p[self.id_param])
        self.reply_no_content()
