"""Routes written as the client libraries' HTTP rules, and what a handler gets and gives.

A route is declared with the exact URI template of
``google/cloud/aiplatform_v1/services/*/transports/rest_base.py``, e.g.
``/v1/{parent=projects/*/locations/*}/models:upload``. ``*`` matches one path segment
(never ``/`` or ``:``), ``**`` any rest of the path. Captured variables are URL-decoded
and placed into the request message at their (possibly dotted) field path.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import unquote

if TYPE_CHECKING:  # pragma: no cover
    from .operations import Operations
    from .store import Store

T = TypeVar("T")


class LogSource(Protocol):
    """Something whose output Cloud Logging's ``entries:list`` serves (training replicas,
    Workbench instances): entries of one monitored ``resource_type``."""

    resource_type: str

    def entries(self, project: str, number: str, job_id: str | None) -> list[dict[str, Any]]:
        """The LogEntries of a project (blocking file reads: called off the loop).
        ``job_id``: the filter's ``resource.labels.job_id``, when it names one."""
        ...


@dataclass
class Context:
    """Everything a handler may use; one per emulator process, built at start-up.

    The core knows only the store and the operations; the engines and the API packages'
    own state (model servers, the runner, local storage, Workbench instances, caches) are
    ``services``, one per type, added by the wiring and looked up by their type.
    """

    store: Store
    operations: Operations
    services: dict[type[Any], Any] = field(default_factory=dict)
    log_sources: list[LogSource] = field(default_factory=list)

    def add(self, service: object) -> None:
        self.services[type(service)] = service

    def get(self, kind: type[T]) -> T | None:
        """The service of type ``kind``, or None when this process runs none."""
        found = self.services.get(kind)
        return found if isinstance(found, kind) else None


@dataclass
class Call:
    """One validated API call."""

    ctx: Context
    request: dict[str, Any]  # the request message as proto3 JSON (camelCase), validated
    int_enums: bool = False


@dataclass
class Reply:
    """An answer: a message type and its proto3 JSON, rendered by the app."""

    type_name: str
    data: dict[str, Any]


@dataclass
class RawReply(Reply):
    """Bytes answered as they are."""

    body: bytes = b""
    status: int = 200
    content_type: str = "application/json"
    headers: dict[str, str] | None = None


Handler = Callable[[Call], Awaitable[Reply]]


@dataclass(frozen=True)
class Route:
    method: str  # GET, POST, PATCH, DELETE
    template: str
    request_type: str  # the request message's full name; "" for plain JSON (non-Vertex)
    handler: Handler
    body: str | None = None  # "*" or a request field name, as in the HTTP rule
    # raw: the handler gets the path variables plus "_body" (bytes) and "_contentType", and
    # answers a RawReply (online prediction: the body is passed through, not parsed here)
    raw: bool = False
    # the gRPC request message when ``request_type`` is not it (raw and plain-JSON routes);
    # the gRPC transport finds a method's routes by its request message
    grpc_request: str = ""


@dataclass
class CompiledRoute:
    route: Route
    pattern: re.Pattern[str]
    variables: list[str]  # field paths, in group order


def compile_template(template: str) -> tuple[re.Pattern[str], list[str]]:
    variables: list[str] = []
    out: list[str] = []
    pos = 0
    for match in re.finditer(r"\{([a-zA-Z0-9_.]+)(?:=([^}]*))?\}", template):
        out.append(_literal(template[pos : match.start()]))
        variables.append(match.group(1))
        segments = (match.group(2) or "*").split("/")
        parts = [_segment(s) for s in segments]
        out.append(f"({'/'.join(parts)})")
        pos = match.end()
    out.append(_literal(template[pos:]))
    return re.compile("^" + "".join(out) + "$"), variables


def _literal(text: str) -> str:
    return "/".join(_segment(s) for s in text.split("/"))


def _segment(segment: str) -> str:
    if segment == "**":
        return ".+"
    # a literal segment may contain '*' pieces only as a whole segment
    return "[^/:]+" if segment == "*" else re.escape(segment)


class Router:
    def __init__(self, routes: list[Route]) -> None:
        self._routes: list[CompiledRoute] = []
        for route in routes:
            pattern, variables = compile_template(route.template)
            self._routes.append(CompiledRoute(route, pattern, variables))

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        """The route for a request and its decoded variables, or None."""
        for compiled in self._routes:
            if compiled.route.method != method:
                continue
            found = compiled.pattern.match(path)
            if found:
                values = {
                    name: unquote(found.group(index + 1))
                    for index, name in enumerate(compiled.variables)
                }
                return compiled.route, values
        return None

    def __len__(self) -> int:
        return len(self._routes)
