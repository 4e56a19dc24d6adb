"""gRPC calls answered by the same application as HTTP calls, through the HTTP rules.

Each route is declared with its method's HTTP rule (``google.api.http``: verb, URI template,
body field), which is exactly what Google's gateway uses to transcode between the two
transports. So a gRPC call is transcoded the same way, in reverse: its request message
becomes the HTTP request the rule describes (path variables from its fields, the body field
or the rest of the message as the JSON body, the other fields as query parameters), that
request goes through :meth:`.http.ApiApp.answer` like any other (token, validation, handler,
errors), and the answer is parsed into the method's response message. One implementation
serves both transports; nothing here knows a Vertex resource.

A method ``/google.cloud.aiplatform.v1.EndpointService/CreateEndpoint`` is found by its
request message, ``google.cloud.aiplatform.v1.CreateEndpointRequest`` (Google's naming rule
for RPCs); among the routes taking that message (``GetOperation`` has one per resource kind)
the first whose URI template the message's fields fit is taken, as a gateway does.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from google.protobuf import json_format

from . import protos
from .errors import CODES, ApiError, invalid_argument
from .http import ApiApp
from .http_server import HttpRequest
from .routing import RawReply, Route, compile_template

_VARIABLE = re.compile(r"\{([a-zA-Z0-9_.]+)(?:=([^}]*))?\}")
HTTP_BODY = "google.api.HttpBody"
# The answers of raw routes (online prediction) are passed through as bytes by the HTTP
# transport; over gRPC they are parsed into these messages.
RAW_RESPONSES = {
    "google.cloud.aiplatform.v1.PredictRequest": "google.cloud.aiplatform.v1.PredictResponse",
    "google.cloud.aiplatform.v1.RawPredictRequest": HTTP_BODY,
}
# an HTTP status without Google's error body (a model server's own answer) -> gRPC status
_HTTP_TO_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
CACHE = 512  # methods whose routes are remembered


@dataclass(frozen=True)
class Binding:
    """One route a method may be transcoded to."""

    route: Route
    pattern: re.Pattern[str]
    # template variables: (field path in camelCase parts, the span of {…} in the template)
    variables: tuple[tuple[tuple[str, ...], str], ...]


@dataclass(frozen=True)
class Method:
    request_type: str
    bindings: tuple[Binding, ...]


class Transcoder:
    """Answers gRPC calls (request bytes → response bytes) through an :class:`ApiApp`."""

    def __init__(self, app: ApiApp, routes: list[Route]) -> None:
        self.app = app
        self._by_request: dict[str, list[Binding]] = {}
        for route in routes:
            request_type = route.grpc_request or route.request_type
            if not request_type.count("."):
                continue  # plain JSON with no gRPC twin
            pattern, names = compile_template(route.template)
            spans = [m.group(0) for m in _VARIABLE.finditer(route.template)]
            variables = tuple(
                (tuple(_camel(part) for part in name.split(".")), span)
                for name, span in zip(names, spans, strict=True)
            )
            binding = Binding(route, pattern, variables)
            self._by_request.setdefault(request_type, []).append(binding)
        self.method = functools.lru_cache(maxsize=CACHE)(self._method)

    def _method(self, path: str) -> Method | None:
        """The method of a gRPC path (``/package.Service/Method``), or None when no route
        answers it."""
        service, _, name = path.lstrip("/").rpartition("/")
        package = service.rpartition(".")[0]
        if not package or not name:
            return None
        request_type = f"{package}.{name}Request"
        bindings = self._by_request.get(request_type)
        if not bindings:
            return None
        try:
            protos.message_class(request_type)
        except KeyError:  # its message type is not loaded: the HTTP side cannot parse it either
            return None
        return Method(request_type, tuple(bindings))

    async def call(self, method: Method, payload: bytes, metadata: dict[str, str]) -> bytes:
        """The serialized response to one call; failures raise :class:`ApiError`."""
        message = protos.message_class(method.request_type)()
        try:
            message.ParseFromString(payload)
        except Exception:  # noqa: BLE001 - protobuf's DecodeError and friends
            raise invalid_argument(f"Invalid {method.request_type} message.") from None
        binding, request = _bind(method, message, metadata)
        reply = await self.app.answer(request)
        if isinstance(reply, RawReply):
            response_type = RAW_RESPONSES.get(method.request_type, "")
            return _raw_response(reply, response_type)
        if not reply.type_name:
            raise ApiError("UNIMPLEMENTED", f"{binding.route.template} has no gRPC answer.")
        answer = protos.message_class(reply.type_name)()
        json_format.ParseDict(reply.data, answer, ignore_unknown_fields=True)
        serialized: bytes = answer.SerializeToString()
        return serialized


def _bind(method: Method, message: Any, metadata: dict[str, str]) -> tuple[Binding, HttpRequest]:
    """The HTTP request a message stands for under the first route whose template it fits."""
    headers = {"authorization": metadata.get("authorization", "")}
    http_body = _http_body(message)
    data: dict[str, Any] = json_format.MessageToDict(message)
    for binding in method.bindings:
        path = _path(binding, data)
        if path is None:
            continue
        fields = dict(data)
        for parts, _span in binding.variables:
            _pop(fields, parts)
        route = binding.route
        body: Any = None
        if http_body is not None:
            headers["content-type"] = http_body[0]
            return binding, HttpRequest(route.method, path, "", headers, http_body[1])
        if route.body == "*":
            body, fields = fields, {}
        elif route.body:
            body = fields.pop(_camel(route.body), None)
        query = "&".join(f"{_quote(k)}={_quote(v)}" for k, v in _flatten(fields, ""))
        raw = json.dumps(body).encode() if body is not None else b""
        if raw:
            headers["content-type"] = "application/json"
        return binding, HttpRequest(route.method, path, query, headers, raw)
    names = sorted({".".join(p) for b in method.bindings for p, _ in b.variables})
    raise invalid_argument(
        f"Invalid {method.request_type}: {', '.join(names)} must name a resource this method "
        "serves."
    )


def _path(binding: Binding, data: dict[str, Any]) -> str | None:
    path = binding.route.template
    for parts, span in binding.variables:
        value = _get(data, parts)
        if not isinstance(value, str) or not value:
            return None
        path = path.replace(span, value.replace("%", "%25"), 1)
    return path if binding.pattern.match(path) else None


def _http_body(message: Any) -> tuple[str, bytes] | None:
    """A request carrying a ``google.api.HttpBody`` (RawPredict): its content type and data."""
    for field in message.DESCRIPTOR.fields:
        if field.message_type is not None and field.message_type.full_name == HTTP_BODY:
            body = getattr(message, field.name)
            return body.content_type or "application/json", bytes(body.data)
    return None


def _raw_response(reply: RawReply, response_type: str) -> bytes:
    if reply.status != 200:
        raise _http_error(reply)
    if response_type == HTTP_BODY:
        from google.api import httpbody_pb2

        body = httpbody_pb2.HttpBody(content_type=reply.content_type, data=reply.body)
        return body.SerializeToString()
    if not response_type:
        raise ApiError("UNIMPLEMENTED", "This method has no gRPC answer.")
    answer = protos.message_class(response_type)()
    try:
        json_format.Parse(reply.body, answer, ignore_unknown_fields=True)
    except json_format.ParseError as error:
        raise ApiError(
            "INTERNAL", f"The model server's answer is not a {response_type}: {error}"
        ) from None
    serialized: bytes = answer.SerializeToString()
    return serialized


def _http_error(reply: RawReply) -> ApiError:
    """The error an HTTP answer stands for: Google's error body when it has one."""
    try:
        error = json.loads(reply.body)["error"]
        status, message = str(error["status"]), str(error["message"])
        if status in CODES:
            return ApiError(status, message)
    except (ValueError, KeyError, TypeError):
        pass
    text = reply.body.decode("utf-8", "replace").strip()
    status = _HTTP_TO_STATUS.get(reply.status, "INTERNAL" if reply.status >= 500 else "UNKNOWN")
    return ApiError(status, text or f"HTTP {reply.status}")


def _flatten(value: Any, prefix: str) -> Iterator[tuple[str, str]]:
    """Query parameters for the fields no path variable or body took (``a.b=1``,
    repeated as repeated keys), as Google's REST clients send them."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _flatten(item, f"{prefix}.{key}" if prefix else key)
    elif isinstance(value, list):
        for item in value:
            yield from _flatten(item, prefix)
    elif isinstance(value, bool):
        yield prefix, "true" if value else "false"
    elif value is not None:
        yield prefix, str(value)


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


def _get(data: dict[str, Any], parts: tuple[str, ...]) -> Any:
    value: Any = data
    for part in parts:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _pop(data: dict[str, Any], parts: tuple[str, ...]) -> None:
    """Drop a path variable's field (copying the dicts on the way: ``data`` is shared)."""
    target = data
    for part in parts[:-1]:
        nested = target.get(part)
        if not isinstance(nested, dict):
            return
        target[part] = nested = dict(nested)
        target = nested
    target.pop(parts[-1], None)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)
