"""HTTP routes: batch prediction jobs (create for a model version, list, get, cancel, delete,
results, SDK code)."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from .base import BaseHandler

DEFAULT_RESULT_ROWS = 20


class ModelBatchPredictionJobsHandler(BaseHandler):
    route = "/models/{modelId}/batchPredictionJobs"

    @web.authenticated
    @authorized
    async def post(self, **_: str) -> None:
        p = self.params()
        body = self.json_body()
        created = await self.services.batch.create(p["modelId"], body)
        self.reply_created(created, "batchPredictionJobs", created["job"]["id"])


class BatchCodeHandler(BaseHandler):
    route = "/models/{modelId}/batchPredictionJobs/code"

    @web.authenticated
    @authorized
    async def post(self, **_: str) -> None:
        p = self.params()
        body = self.json_body()
        self.reply(await self.services.batch.code(p["modelId"], body))


class BatchPredictionJobsHandler(BaseHandler):
    route = "/batchPredictionJobs"

    @web.authenticated
    @authorized
    async def get(self) -> None:
        p = self.params()
        page = await self.services.batch.list(
            state=p.get("state"), page_size=p.get("pageSize"), page_token=p.get("pageToken")
        )
        self.reply(page)


class BatchPredictionJobHandler(BaseHandler):
    route = "/batchPredictionJobs/{batchJobId}"

    @web.authenticated
    @authorized
    async def get(self, **_: str) -> None:
        p = self.params()
        self.reply(await self.services.batch.get(p["batchJobId"]))

    @web.authenticated
    @authorized
    async def delete(self, **_: str) -> None:
        p = self.params()
        await self.services.batch.delete(p["batchJobId"])
        self.reply_no_content()


class BatchCancelHandler(BaseHandler):
    route = "/batchPredictionJobs/{batchJobId}/cancel"

    @web.authenticated
    @authorized
    async def post(self, **_: str) -> None:
        p = self.params()
        self.reply(await self.services.batch.cancel(p["batchJobId"]))


class BatchResultsHandler(BaseHandler):
    route = "/batchPredictionJobs/{batchJobId}/results"

    @web.authenticated
    @authorized
    async def get(self, **_: str) -> None:
        p = self.params()
        rows = p.get("rows") or DEFAULT_RESULT_ROWS
        self.reply(await self.services.batch.results(p["batchJobId"], rows=rows))


HANDLERS: tuple[type[BaseHandler], ...] = (
    BatchCodeHandler,
    ModelBatchPredictionJobsHandler,
    BatchPredictionJobsHandler,
    BatchPredictionJobHandler,
    BatchCancelHandler,
    BatchResultsHandler,
)
