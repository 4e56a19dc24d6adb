"""The embedded Vertex's Tornado application: auth, body limits, request binding, routing,
Google's error model.

One handler class serves every path. Per request it checks the bearer token, reads the
body (discarding it once it passes the size limit), binds path variables, query parameters
and body into the route's request message, validates that message, calls the route's
handler and renders its reply (enums as numbers when the client asks
``$alt=json;enum-encoding=int``, as the Google client libraries do).
"""

from __future__ import annotations

import json
import logging
from typing import Any

import tornado.web

from . import protos
from .auth import is_authorized
from .errors import ApiError, internal, invalid_argument, not_found, unauthenticated
from .routing import Call, Context, RawReply, Route, Router

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 10 * 1024 * 1024  # answered with INVALID_ARGUMENT beyond this
HARD_BODY_BYTES = 256 * 1024 * 1024  # the connection is dropped beyond this


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


@tornado.web.stream_request_body
class ApiHandler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("GET", "POST", "PATCH", "DELETE", "PUT")

    def initialize(self, ctx: Context, router: Router, token: str, max_body: int) -> None:
        self.ctx = ctx
        self.router = router
        self.token = token
        self.max_body = max_body
        self._chunks: list[bytes] = []
        self._size = 0
        self._error: ApiError | None = None

    def prepare(self) -> None:
        if not is_authorized(self.request.headers.get("Authorization"), self.token):
            self._error = unauthenticated(
                "Request is missing required authentication credential. Expected a bearer "
                "token (Authorization: Bearer <token>) for the embedded Vertex."
            )
            return
        length = self.request.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > self.max_body:
            self._error = self._too_large()

    def _too_large(self) -> ApiError:
        return invalid_argument(f"Request payload size exceeds the limit: {self.max_body} bytes.")

    def data_received(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._error is not None:
            return  # read and drop, so the client gets a clean answer
        if self._size > self.max_body:
            self._error = self._too_large()
            self._chunks = []
            return
        self._chunks.append(chunk)

    async def get(self, *_: str) -> None:
        await self._serve()

    async def post(self, *_: str) -> None:
        await self._serve()

    async def patch(self, *_: str) -> None:
        await self._serve()

    async def delete(self, *_: str) -> None:
        await self._serve()

    async def put(self, *_: str) -> None:
        await self._serve()

    async def _serve(self) -> None:
        try:
            if self._error is not None:
                raise self._error
            payload = await self._dispatch()
            if isinstance(payload, RawReply):
                self.set_status(payload.status)
                self.set_header("Content-Type", payload.content_type)
                for key, value in (payload.headers or {}).items():
                    self.set_header(key, value)
                self.finish(payload.body)
                return
        except ApiError as error:
            self._answer(error.http_status, error.to_http_body())
            return
        except Exception:
            log.exception("%s %s failed", self.request.method, self.request.path)
            failure = internal("Internal error in the embedded Vertex; see its log.")
            self._answer(failure.http_status, failure.to_http_body())
            return
        self._answer(200, payload)

    def _answer(self, status: int, payload: dict[str, Any]) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(json.dumps(payload, ensure_ascii=False))

    async def _dispatch(self) -> dict[str, Any] | RawReply:
        method, path = self.request.method or "GET", self.request.path
        matched = self.router.match(method, path)
        if matched is None:
            raise not_found(f"The requested URL {method} {path} was not found.")
        route, variables = matched
        query = {
            key: [value.decode("utf-8", "replace") for value in values]
            for key, values in self.request.query_arguments.items()
        }
        int_enums = any("enum-encoding=int" in alt for alt in query.get("$alt", []))
        if route.raw:
            raw_call: dict[str, Any] = {_camel(k): v for k, v in variables.items()}
            raw_call["_body"] = b"".join(self._chunks)
            raw_call["_contentType"] = self.request.headers.get("Content-Type", "")
            reply = await route.handler(Call(self.ctx, raw_call, int_enums))
            assert isinstance(reply, RawReply)
            return reply
        if not route.request_type:  # not a Vertex message (Logging, Resource Manager): plain JSON
            raw = {k: v[-1] for k, v in query.items() if not k.startswith("$")}
            raw.update(self._json_body() or {})
            raw.update({_camel(k): v for k, v in variables.items()})
            return (await route.handler(Call(self.ctx, raw, int_enums))).data
        request = protos.query_to_request(route.request_type, query)
        body = self._json_body()
        if route.body == "*":
            if body is not None:
                request.update(body)
        elif route.body:
            if body is not None:
                request[_camel(route.body)] = body
        elif body:
            raise invalid_argument(f"{method} {path} takes no request body.")
        for field_path, value in variables.items():
            target = request
            parts = [_camel(p) for p in field_path.split(".")]
            for part in parts[:-1]:
                nested = target.get(part)
                if not isinstance(nested, dict):
                    nested = target[part] = {}
                target = nested
            target[parts[-1]] = value
        validated = protos.parse(route.request_type, request)
        reply = await route.handler(Call(self.ctx, validated, int_enums))
        return protos.render(reply.type_name, reply.data, int_enums=int_enums)

    def _json_body(self) -> dict[str, Any] | None:
        raw = b"".join(self._chunks)
        if not raw.strip():
            return None
        try:
            body = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            detail = exc.msg if isinstance(exc, json.JSONDecodeError) else "not UTF-8"
            where = (
                f" (line {exc.lineno}, column {exc.colno})"
                if isinstance(exc, json.JSONDecodeError)
                else ""
            )
            raise invalid_argument(f"Invalid JSON payload received. {detail}{where}.") from None
        if not isinstance(body, dict):
            raise invalid_argument("Invalid JSON payload received. The body must be an object.")
        return body

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        # Only reached for errors raised outside _serve (e.g. malformed HTTP).
        error = ApiError("INVALID_ARGUMENT" if status_code < 500 else "INTERNAL", self._reason)
        self.finish(json.dumps(error.to_http_body()))

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        log.error("uncaught error in %s %s", self.request.method, self.request.path)


def make_app(
    ctx: Context, token: str, routes: list[Route], *, max_body: int = MAX_BODY_BYTES
) -> tornado.web.Application:
    """One handler for every path, dispatching to ``routes`` (the API packages' routes)."""
    router = Router(routes)
    return tornado.web.Application(
        [
            (
                r"/.*",
                ApiHandler,
                {"ctx": ctx, "router": router, "token": token, "max_body": max_body},
            )
        ],
        log_function=_log_request,
    )


def _log_request(handler: tornado.web.RequestHandler) -> None:
    request = handler.request
    log.debug(
        "%s %s %s %.1fms",
        handler.get_status(),
        request.method,
        request.uri,
        1000 * request.request_time(),
    )
