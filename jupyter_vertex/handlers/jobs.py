"""HTTP routes: training jobs (list, create, get, cancel, delete, logs, SDK code, re-run
from the commit)."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from .base import BaseHandler


class JobsHandler(BaseHandler):
    route = "/jobs"

    @web.authenticated
    @authorized
    async def get(self) -> None:
        p = self.params()
        page = await self.services.training.list(
            kind=p.get("kind"),
            state=p.get("state"),
            page_size=p.get("pageSize"),
            page_token=p.get("pageToken"),
        )
        self.reply(page)

    @web.authenticated
    @authorized
    async def post(self) -> None:
        self.params()
        body = self.json_body()
        created = await self.services.training.create(body)
        self.reply_created(created, "jobs", created["kind"], created["id"])


class JobHandler(BaseHandler):
    route = "/jobs/{kind}/{jobId}"

    @web.authenticated
    @authorized
    async def get(self, **_: str) -> None:
        p = self.params()
        self.reply(await self.services.training.get(p["kind"], p["jobId"]))

    @web.authenticated
    @authorized
    async def delete(self, **_: str) -> None:
        p = self.params()
        await self.services.training.delete(p["kind"], p["jobId"])
        self.reply_no_content()


class JobCancelHandler(BaseHandler):
    route = "/jobs/{kind}/{jobId}/cancel"

    @web.authenticated
    @authorized
    async def post(self, **_: str) -> None:
        p = self.params()
        self.reply(await self.services.training.cancel(p["kind"], p["jobId"]))


class JobLogsHandler(BaseHandler):
    route = "/jobs/{kind}/{jobId}/logs"

    @web.authenticated
    @authorized
    async def get(self, **_: str) -> None:
        p = self.params()
        page = await self.services.training.logs(
            p["kind"], p["jobId"], cursor=p.get("cursor"), page_size=p.get("pageSize")
        )
        self.reply(page)


class JobCodeHandler(BaseHandler):
    route = "/jobs/{kind}/{jobId}/code"

    @web.authenticated
    @authorized
    async def get(self, **_: str) -> None:
        p = self.params()
        self.reply(await self.services.training.code(p["kind"], p["jobId"]))


class JobRerunHandler(BaseHandler):
    route = "/jobs/{kind}/{jobId}/rerun"

    @web.authenticated
    @authorized
    async def post(self, **_: str) -> None:
        p = self.params()
        created = await self.services.rerun.create(p["kind"], p["jobId"])
        self.reply_created(created, "jobs", created["kind"], created["id"])


class JobRerunCodeHandler(BaseHandler):
    route = "/jobs/{kind}/{jobId}/rerun/code"

    @web.authenticated
    @authorized
    async def get(self, **_: str) -> None:
        p = self.params()
        self.reply(await self.services.rerun.code(p["kind"], p["jobId"]))


HANDLERS: tuple[type[BaseHandler], ...] = (
    JobsHandler,
    JobHandler,
    JobCancelHandler,
    JobLogsHandler,
    JobCodeHandler,
    JobRerunHandler,
    JobRerunCodeHandler,
)
