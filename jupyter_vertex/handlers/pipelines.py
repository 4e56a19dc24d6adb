"""HTTP routes: Vertex AI Pipelines from files of the Jupyter root (preview, run), and
pipeline jobs (list, get with tasks and DAG, cancel, re-run, delete), schedules (list, pause,
resume, delete)."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from .base import BaseHandler


class PipelinePreviewHandler(BaseHandler):
    route = "/pipelines/preview"

    @web.authenticated
    @authorized
    async def post(self) -> None:
        self.reply(await self.services.pipelines.preview(self.json_body()))


class PipelineJobsHandler(BaseHandler):
    route = "/pipelineJobs"

    @web.authenticated
    @authorized
    async def get(self) -> None:
        p = self.params()
        page = await self.services.pipelines.list(
            state=p.get("state"), page_size=p.get("pageSize"), page_token=p.get("pageToken")
        )
        self.reply(page)

    @web.authenticated
    @authorized
    async def post(self) -> None:
        created = await self.services.pipelines.create(self.json_body())
        self.reply_created(created, "pipelineJobs", created["job"]["id"])


class PipelineJobHandler(BaseHandler):
    route = "/pipelineJobs/{pipelineJobId}"

    @web.authenticated
    @authorized
    async def get(self, **_: str) -> None:
        p = self.params()
        self.reply(await self.services.pipelines.get(p["pipelineJobId"]))

    @web.authenticated
    @authorized
    async def delete(self, **_: str) -> None:
        p = self.params()
        await self.services.pipelines.delete(p["pipelineJobId"])
        self.reply_no_content()


class PipelineCancelHandler(BaseHandler):
    route = "/pipelineJobs/{pipelineJobId}/cancel"

    @web.authenticated
    @authorized
    async def post(self, **_: str) -> None:
        p = self.params()
        self.reply(await self.services.pipelines.cancel(p["pipelineJobId"]))


class PipelineRerunHandler(BaseHandler):
    route = "/pipelineJobs/{pipelineJobId}/rerun"

    @web.authenticated
    @authorized
    async def post(self, **_: str) -> None:
        p = self.params()
        created = await self.services.pipelines.rerun(p["pipelineJobId"], self.json_body())
        self.reply_created(created, "pipelineJobs", created["job"]["id"])


class PipelineSchedulesHandler(BaseHandler):
    route = "/pipelineSchedules"

    @web.authenticated
    @authorized
    async def get(self) -> None:
        p = self.params()
        schedules = self.services.pipelines.schedules
        self.reply(await schedules.list(page_size=p.get("pageSize"), page_token=p.get("pageToken")))


class PipelineScheduleHandler(BaseHandler):
    route = "/pipelineSchedules/{scheduleId}"

    @web.authenticated
    @authorized
    async def delete(self, **_: str) -> None:
        await self.services.pipelines.schedules.delete(self.params()["scheduleId"])
        self.reply_no_content()


class PipelineSchedulePauseHandler(BaseHandler):
    route = "/pipelineSchedules/{scheduleId}/pause"

    @web.authenticated
    @authorized
    async def post(self, **_: str) -> None:
        self.reply(await self.services.pipelines.schedules.pause(self.params()["scheduleId"]))


class PipelineScheduleResumeHandler(BaseHandler):
    route = "/pipelineSchedules/{scheduleId}/resume"

    @web.authenticated
    @authorized
    async def post(self, **_: str) -> None:
        catch_up = bool((self.json_body() or {}).get("catchUp"))
        schedules = self.services.pipelines.schedules
        self.reply(await schedules.resume(self.params()["scheduleId"], catch_up=catch_up))


HANDLERS: tuple[type[BaseHandler], ...] = (
    PipelinePreviewHandler,
    PipelineJobsHandler,
    PipelineJobHandler,
    PipelineCancelHandler,
    PipelineRerunHandler,
    PipelineSchedulesHandler,
    PipelineScheduleHandler,
    PipelineSchedulePauseHandler,
    PipelineScheduleResumeHandler,
)
