"""HTTP routes: Deploy, undeploy, traffic split, predict and bulk predict, operations, SDK code.

Thin handlers over services (see :mod:`jupyter_vertex.handlers.base` for the shared base). The
predict routes read their own bodies: online predict takes up to Vertex's 1.5 MB and bulk
predict up to 512 MiB (streamed in, refused early by ``Content-Length``), instead of the
API's 64 KiB; big bodies are parsed, and big answers encoded, off the event loop.
"""

from __future__ import annotations

import json
from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web
from tornado.http1connection import HTTP1Connection

from ..backend.blocking import run_blocking
from ..services.serving.bulk_parse import PROCESS_BODY
from ..services.serving.bundle import ServingServices
from ..services.serving.deploy_code import deploy_code, predict_code
from ..services.serving.predict_input import (
    ONLINE_LIMIT,
    WHOLE_BODY,
    ParsedBody,
    check_size,
    parse_body,
    parse_whole,
)
from .base import BaseHandler

BULK_LIMIT = 512 * 1024 * 1024
#: Bodies up to this size are parsed on the event loop (well under a millisecond).
SMALL_BODY = 16 * 1024
#: Answers with up to this many predictions are encoded on the event loop.
SMALL_ANSWER = 1000


class ServingHandler(BaseHandler):
    @property
    def serving(self) -> ServingServices:
        return self.services.serving

    async def reply_predictions(self, data: dict[str, Any], status: int = 200) -> None:
        """Like ``reply``; many predictions are JSON-encoded in a worker thread."""
        if len(data.get("predictions") or ()) <= SMALL_ANSWER:
            self.reply(data, status)
            return
        text = await run_blocking(json.dumps, data)
        self.set_status(status)
        self.finish(text)

    async def instances_body(self, raw: bytes, limit: int, what: str) -> ParsedBody:
        """Parse ``{"instances": [...], ...}`` off the loop; check the other fields against
        the spec (the instances themselves are checked by :mod:`predict_input`)."""
        check_size(len(raw), limit, what)
        if len(raw) <= SMALL_BODY:  # microseconds: not worth a thread hop
            parsed = parse_body(raw, keep=False)
        else:  # a thread, or for big bodies a helper process (the server's GIL stays free)
            parsed = await self.serving.parser.parse(raw)
        return self._checked(parsed)

    async def online_body(self, raw: bytes) -> ParsedBody:
        """An online prediction's body, read whole (it is sent on as it is) when small enough
        to hold the server's GIL only briefly."""
        check_size(len(raw), ONLINE_LIMIT, "online prediction")
        if len(raw) <= SMALL_BODY:
            return self._checked(parse_whole(raw))
        if len(raw) <= WHOLE_BODY:
            return self._checked(await run_blocking(parse_whole, raw))
        return await self.instances_body(raw, ONLINE_LIMIT, "online prediction")

    def _checked(self, parsed: ParsedBody) -> ParsedBody:
        envelope = {**parsed.fields, "instances": [None]}
        self.operation().body(json.dumps(envelope).encode())
        return parsed


class DeployHandler(ServingHandler):
    route = "/models/{modelId}/deploy"

    @web.authenticated
    @authorized
    async def post(self, **_: str) -> None:
        p = self.params()
        body = self.json_body()
        self.reply(await self.serving.deploy.deploy(p["modelId"], body), status=202)


class UndeployHandler(ServingHandler):
    route = "/endpoints/{endpointId}/deployedModels/{deployedModelId}"

    @web.authenticated
    @authorized
    async def delete(self, **_: str) -> None:
        p = self.params()
        operation = await self.serving.deploy.undeploy(p["endpointId"], p["deployedModelId"])
        self.reply(operation, status=202)


class TrafficSplitHandler(ServingHandler):
    route = "/endpoints/{endpointId}/trafficSplit"

    @web.authenticated
    @authorized
    async def put(self, **_: str) -> None:
        p = self.params()
        body = self.json_body()
        self.reply(await self.serving.deploy.set_traffic(p["endpointId"], body["trafficSplit"]))


class PredictHandler(ServingHandler):
    route = "/endpoints/{endpointId}/predict"

    @web.authenticated
    @authorized
    async def post(self, **_: str) -> None:
        p = self.params()
        raw = self.request.body or b""
        body = await self.online_body(raw)
        await self.reply_predictions(await self.serving.predict.predict(p["endpointId"], body))


@web.stream_request_body
class BulkPredictionsHandler(ServingHandler):
    route = "/endpoints/{endpointId}/bulkPredictions"

    async def prepare(self) -> None:  # type: ignore[override]
        self._chunks: list[bytes] = []
        await super().prepare()
        if self.request.method == "OPTIONS":  # CORS preflight: jupyter_server answers it, bodiless
            return
        if self.current_user is None:  # never read a big body for an unknown user
            raise web.HTTPError(403)
        length = self.request.headers.get("Content-Length")
        if length is not None and length.isdigit():
            check_size(int(length), BULK_LIMIT, "bulk prediction")
        self.serving.bulk.check_capacity()
        if not (length and length.isdigit()) or int(length) >= PROCESS_BODY:
            # the helper process starts while the body streams in
            self.serving.parser.warm()
        connection = self.request.connection
        if isinstance(connection, HTTP1Connection):
            connection.set_max_body_size(BULK_LIMIT)

    def data_received(self, chunk: bytes) -> None:
        self._chunks.append(chunk)

    @web.authenticated
    @authorized
    async def post(self, **_: str) -> None:
        p = self.params()
        chunks, self._chunks = self._chunks, []
        raw = await run_blocking(b"".join, chunks) if len(chunks) > 1 else b"".join(chunks)
        body = await self.instances_body(raw, BULK_LIMIT, "bulk prediction")
        self.reply(await self.serving.bulk.create(p["endpointId"], body), status=202)


class BulkPredictionHandler(ServingHandler):
    route = "/bulkPredictions/{bulkId}"

    @web.authenticated
    @authorized
    async def get(self, **_: str) -> None:
        p = self.params()
        await self.reply_predictions(self.serving.bulk.get(p["bulkId"]).to_json())

    @web.authenticated
    @authorized
    async def delete(self, **_: str) -> None:
        p = self.params()
        await self.serving.bulk.delete(p["bulkId"])
        self.reply_no_content()


class OperationsHandler(ServingHandler):
    route = "/operations"

    @web.authenticated
    @authorized
    async def get(self) -> None:
        p = self.params()
        self.reply(await self.serving.operations.get(p["name"]))


class DeployCodeHandler(ServingHandler):
    route = "/code/deploy"

    @web.authenticated
    @authorized
    async def post(self) -> None:
        self.params()
        body = dict(self.json_body())
        model_id = body.pop("modelId")
        location = await self.services.clients.location()
        code = deploy_code(model_id, body, project=location.project, region=location.region)
        self.reply({"language": "python", "code": code})


class PredictCodeHandler(ServingHandler):
    route = "/code/predict"

    @web.authenticated
    @authorized
    async def post(self) -> None:
        self.params()
        body = self.json_body()
        location = await self.services.clients.location()
        code = predict_code(
            body["endpointId"],
            body.get("instances"),
            bulk=bool(body.get("bulk")),
            project=location.project,
            region=location.region,
        )
        self.reply({"language": "python", "code": code})


HANDLERS: tuple[type[BaseHandler], ...] = (
    DeployHandler,
    UndeployHandler,
    TrafficSplitHandler,
    PredictHandler,
    BulkPredictionsHandler,
    BulkPredictionHandler,
    OperationsHandler,
    DeployCodeHandler,
    PredictCodeHandler,
)

__all__ = ["BULK_LIMIT", "HANDLERS"]
