"""The embedded Vertex's API application: auth, body limits, request binding, routing,
Google's error model. It knows nothing of sockets: :mod:`.http_server` feeds it requests.

Per request it checks the bearer token, refuses a body that passed the size limit, binds
path variables, query parameters and body into the route's request message, validates that
message, calls the route's handler and renders its reply (enums as numbers when the client
asks ``$alt=json;enum-encoding=int``, as the Google client libraries do). Raw routes (online
prediction) get the body as it came, with no parsing here.
"""

from __future__ import annotations

import functools
import json
import logging
from typing import Any
from urllib.parse import parse_qs

from . import protos
from .auth import is_authorized
from .errors import ApiError, internal, invalid_argument, not_found, unauthenticated
from .http_server import HttpRequest, HttpResponse
from .json_body import parse_object as _json_body
from .routing import Call, Context, RawReply, Reply, Route, Router

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 10 * 1024 * 1024  # answered with INVALID_ARGUMENT beyond this
HARD_BODY_BYTES = 256 * 1024 * 1024  # the connection is dropped beyond this
SUPPORTED_METHODS = frozenset({"GET", "POST", "PATCH", "DELETE", "PUT"})
JSON_TYPE = "application/json; charset=UTF-8"
MATCH_CACHE = 1024  # (method, path) pairs whose route is remembered


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


class ApiApp:
    """Answers one HTTP request of the API (an :data:`.http_server.App`)."""

    def __init__(
        self, ctx: Context, token: str, routes: list[Route], *, max_body: int = MAX_BODY_BYTES
    ) -> None:
        self.ctx = ctx
        self.router = Router(routes)
        self.token = token
        self.max_body = max_body
        # the predict hot path asks for the same few paths again and again
        self._match = functools.lru_cache(maxsize=MATCH_CACHE)(self.router.match)

    async def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            reply = await self.answer(request)
        except ApiError as error:
            return _json(error.http_status, error.to_http_body())
        if isinstance(reply, RawReply):
            return HttpResponse(reply.status, reply.content_type, reply.body, reply.headers or {})
        return _json(200, reply.data)

    async def answer(self, request: HttpRequest) -> Reply:
        """The answer to one request: a :class:`Reply` whose data is rendered as Google
        renders it (its ``type_name`` says which message), or a :class:`RawReply`; failures
        raise :class:`ApiError`. Both transports call this: HTTP above, gRPC after
        transcoding (:mod:`.grpc_transcoding`)."""
        try:
            if not is_authorized(request.headers.get("authorization"), self.token):
                raise unauthenticated(
                    "Request is missing required authentication credential. Expected a bearer "
                    "token (Authorization: Bearer <token>) for the embedded Vertex."
                )
            if request.body_too_large:
                raise invalid_argument(
                    f"Request payload size exceeds the limit: {self.max_body} bytes."
                )
            if request.method not in SUPPORTED_METHODS:
                raise ApiError("INVALID_ARGUMENT", f"Method {request.method} is not supported.")
            return await self._dispatch(request)
        except ApiError:
            raise
        except Exception:
            log.exception("%s %s failed", request.method, request.path)
            raise internal("Internal error in the embedded Vertex; see its log.") from None

    async def _dispatch(self, http: HttpRequest) -> Reply:
        method, path = http.method, http.path
        matched = self._match(method, path)
        if matched is None:
            raise not_found(f"The requested URL {method} {path} was not found.")
        route, variables = matched
        query = parse_qs(http.query, keep_blank_values=True, errors="replace") if http.query else {}
        int_enums = any("enum-encoding=int" in alt for alt in query.get("$alt", []))
        if route.raw:
            raw_call: dict[str, Any] = {_camel(k): v for k, v in variables.items()}
            raw_call["_body"] = http.body
            raw_call["_contentType"] = http.headers.get("content-type", "")
            reply = await route.handler(Call(self.ctx, raw_call, int_enums))
            assert isinstance(reply, RawReply)
            return reply
        if not route.request_type:  # not a Vertex message (Logging, Resource Manager): plain JSON
            raw = {k: v[-1] for k, v in query.items() if not k.startswith("$")}
            raw.update(_json_body(http.body) or {})
            raw.update({_camel(k): v for k, v in variables.items()})
            return await route.handler(Call(self.ctx, raw, int_enums))
        request = protos.query_to_request(route.request_type, query)
        body = _json_body(http.body)
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
        return Reply(
            reply.type_name, protos.render(reply.type_name, reply.data, int_enums=int_enums)
        )


def _json(status: int, payload: dict[str, Any]) -> HttpResponse:
    return HttpResponse(status, JSON_TYPE, json.dumps(payload, ensure_ascii=False).encode())
