"""HTTP routes: Workbench instances and the "running now" summary.

Thin handlers over services (see :mod:`jupyter_vertex.handlers.base` for the shared base).
Mutations answer ``202 Operation`` at once; the panel polls ``GET /operations?name=``.
"""

from __future__ import annotations

from typing import ClassVar

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..services.instances import InstancesService
from ..services.running import running_now
from .base import BaseHandler


class InstancesBase(BaseHandler):
    @property
    def instances(self) -> InstancesService:
        return self.services.instances


class InstancesHandler(InstancesBase):
    route = "/instances"

    @web.authenticated
    @authorized
    async def get(self) -> None:
        p = self.params()
        page = await self.instances.list(page_size=p.get("pageSize"), page_token=p.get("pageToken"))
        self.reply(page)

    @web.authenticated
    @authorized
    async def post(self) -> None:
        self.params()
        body = self.json_body()
        self.reply(await self.instances.create(body), status=202)


class InstanceHandler(InstancesBase):
    route = "/instances/{instanceId}"

    @web.authenticated
    @authorized
    async def get(self, **_: str) -> None:
        p = self.params()
        self.reply(await self.instances.get(p["instanceId"]))

    @web.authenticated
    @authorized
    async def delete(self, **_: str) -> None:
        p = self.params()
        self.reply(await self.instances.delete(p["instanceId"]), status=202)


class InstanceActionHandler(InstancesBase):
    """``POST /instances/{instanceId}/<action>``: the action is the route's last part."""

    action: ClassVar[str]

    @web.authenticated
    @authorized
    async def post(self, **_: str) -> None:
        p = self.params()
        self.reply(await self.instances.act(p["instanceId"], self.action), status=202)


class InstanceStartHandler(InstanceActionHandler):
    route = "/instances/{instanceId}/start"
    action = "start"


class InstanceStopHandler(InstanceActionHandler):
    route = "/instances/{instanceId}/stop"
    action = "stop"


class InstanceResetHandler(InstanceActionHandler):
    route = "/instances/{instanceId}/reset"
    action = "reset"


class RunningHandler(InstancesBase):
    route = "/running"

    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.params()
        self.reply(
            await running_now(
                instances=self.instances,
                endpoints=self.services.endpoints,
                training=self.services.training,
                bulk_running=self.services.serving.bulk.running,
            )
        )


HANDLERS: tuple[type[BaseHandler], ...] = (
    InstancesHandler,
    InstanceHandler,
    InstanceStartHandler,
    InstanceStopHandler,
    InstanceResetHandler,
    RunningHandler,
)
