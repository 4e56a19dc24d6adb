"""HTTP routes of the extension under ``{base_url}jupyter-vertex/api/``.

Thin handlers: parse (checked against ``api/openapi.yaml``) → service → JSON. Every method
is ``@tornado.web.authenticated`` and ``@authorized`` (resource ``jupyter_vertex``).
:class:`BaseHandler` turns every failure into ``{message, reason, hint}`` once, for all
routes; no traceback ever reaches the client.
"""

from __future__ import annotations

import json
import re
from http.client import responses
from typing import TYPE_CHECKING, Any, ClassVar

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from jupyter_server.utils import url_path_join
from tornado import web

from . import errors
from .validation import operation

if TYPE_CHECKING:
    from .app import VertexApp
    from .services.resource import ResourceService

API_PREFIX = "/jupyter-vertex/api"
AUTH_RESOURCE = "jupyter_vertex"

_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

_STATUS_ERRORS: dict[int, type[errors.VertexError]] = {
    400: errors.InvalidArgument,
    401: errors.Unauthenticated,
    403: errors.PermissionDenied,
    404: errors.NotFound,
    409: errors.FailedPrecondition,
    429: errors.ResourceExhausted,
    503: errors.Unavailable,
}


class MethodNotAllowed(errors.VertexError):
    status_code = 405
    reason = "METHOD_NOT_ALLOWED"


def template_to_regex(template: str) -> str:
    """``/models/{modelId}`` → ``/models/(?P<modelId>[^/]+)`` (checked later by the spec)."""
    return _PARAM.sub(lambda m: f"(?P<{m.group(1)}>[^/]+)", template)


def regex_to_template(pattern: str) -> str:
    """The inverse of :func:`template_to_regex` (tests compare routes with the spec)."""
    return re.sub(r"\(\?P<([A-Za-z_][A-Za-z0-9_]*)>\[\^/\]\+\)", r"{\1}", pattern).rstrip("$")


class BaseHandler(ExtensionHandlerMixin, APIHandler):
    """Common behaviour: the error format, request parsing against the spec."""

    auth_resource = AUTH_RESOURCE
    #: the path template of this handler, as in the OpenAPI spec (None: not an API route)
    route: ClassVar[str | None] = None

    @property
    def vertex(self) -> VertexApp:
        app: VertexApp = self.settings["jupyter_vertex"]
        return app

    def set_default_headers(self) -> None:
        super().set_default_headers()
        self.set_header("Cache-Control", "no-store")

    # -- parsing -------------------------------------------------------------------

    def _operation(self) -> Any:
        assert self.route is not None and self.request.method is not None
        return operation(self.route, self.request.method.lower())

    def params(self) -> dict[str, Any]:
        """Path and query parameters, converted and checked against the spec."""
        op = self._operation()
        values = dict(op.path_args(self.path_kwargs))
        # Unstripped: a value is checked (and passed on) exactly as it was sent.
        values.update(op.query_args(lambda name: self.get_query_arguments(name, strip=False)))
        return values

    def json_body(self) -> Any:
        """The JSON body, checked against the spec's request body schema."""
        return self._operation().body(self.request.body or b"")

    def reply(self, data: Any, status: int = 200) -> None:
        self.set_status(status)
        self.finish(json.dumps(data))

    def reply_created(self, data: Any, *path: str) -> None:
        """201 with the new resource's API address in ``Location``."""
        self.set_header("Location", url_path_join(self.base_url, API_PREFIX, *path))
        self.reply(data, status=201)

    def reply_no_content(self) -> None:
        self.set_status(204)
        self.finish()

    # -- errors --------------------------------------------------------------------

    def _error_for(self, status_code: int, exc: BaseException | None) -> errors.VertexError:
        if isinstance(exc, web.HTTPError):
            code = exc.status_code
            message = exc.log_message or exc.reason or responses.get(code, "Error")
            if code == 405:
                return MethodNotAllowed(f"{self.request.method} is not supported here.")
            if code == 403:
                return errors.PermissionDenied(
                    message if exc.log_message else "Forbidden.",
                    hint=(
                        "Log in to Jupyter (the request had no valid token or session "
                        "cookie), or ask the server's administrator for access to "
                        f"the '{AUTH_RESOURCE}' resource."
                    ),
                )
            klass = _STATUS_ERRORS.get(code)
            if klass is None:
                klass = errors.InvalidArgument if 400 <= code < 500 else errors.InternalError
            error = klass(message)
            return error
        if exc is not None:
            return errors.to_vertex_error(exc)
        klass = _STATUS_ERRORS.get(status_code, errors.InternalError)
        return klass(responses.get(status_code, "Error"))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc_info = kwargs.get("exc_info")
        exc = exc_info[1] if exc_info else None
        error = self._error_for(status_code, exc)
        status = error.status_code
        if isinstance(exc, web.HTTPError) and exc.status_code not in (403, 405):
            status = exc.status_code
        self.set_status(status)
        if isinstance(error, MethodNotAllowed):
            self.set_header("Allow", ", ".join(self.allowed_methods()))
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(error.to_json()))

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, web.HTTPError):
            super().log_exception(typ, value, tb)
            return
        error = errors.to_vertex_error(value) if value is not None else None
        if error is None or isinstance(error, errors.InternalError):
            # Unexpected: the traceback goes to the server log, never to the client.
            self.log.error(
                "jupyter_vertex: %s %s failed",
                self.request.method,
                self.request.path,
                exc_info=(typ, value, tb),
            )
        else:
            self.log.info(
                "jupyter_vertex: %s %s -> %s %s: %s",
                self.request.method,
                self.request.path,
                error.status_code,
                error.reason,
                error.message,
            )

    @classmethod
    def allowed_methods(cls) -> list[str]:
        """The HTTP methods this handler implements (for ``Allow``)."""
        names = [m for m in ("get", "post", "put", "patch", "delete") if cls.implements(m)]
        return [m.upper() for m in names]

    @classmethod
    def implements(cls, method: str) -> bool:
        func = getattr(cls, method, None)
        return func is not None and func is not getattr(web.RequestHandler, method, None)


class StatusHandler(BaseHandler):
    route = "/status"

    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.params()
        self.reply(await self.vertex.status_service.status())


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


class ModelsHandler(ResourcesHandler):
    route = "/models"

    def resources(self) -> ResourceService:
        return self.vertex.models_service


class ModelHandler(ResourceHandler):
    route = "/models/{modelId}"
    id_param = "modelId"

    def resources(self) -> ResourceService:
        return self.vertex.models_service


class ModelVersionsHandler(BaseHandler):
    route = "/models/{modelId}/versions"

    @web.authenticated
    @authorized
    async def get(self, **_: str) -> None:
        p = self.params()
        page = await self.vertex.models_service.versions(
            p["modelId"], page_size=p.get("pageSize"), page_token=p.get("pageToken")
        )
        self.reply(page)


class EndpointsHandler(ResourcesHandler):
    route = "/endpoints"

    def resources(self) -> ResourceService:
        return self.vertex.endpoints_service

    @web.authenticated
    @authorized
    async def post(self) -> None:
        self.params()
        body = self.json_body()
        created = await self.vertex.endpoints_service.create(body)
        self.reply_created(created, "endpoints", created["id"])


class EndpointHandler(ResourceHandler):
    route = "/endpoints/{endpointId}"
    id_param = "endpointId"

    def resources(self) -> ResourceService:
        return self.vertex.endpoints_service


class JobsHandler(BaseHandler):
    route = "/jobs"

    @web.authenticated
    @authorized
    async def get(self) -> None:
        p = self.params()
        page = await self.vertex.training_service.list(
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
        created = await self.vertex.training_service.create(body)
        self.reply_created(created, "jobs", created["kind"], created["id"])


class JobHandler(BaseHandler):
    route = "/jobs/{kind}/{jobId}"

    @web.authenticated
    @authorized
    async def get(self, **_: str) -> None:
        p = self.params()
        self.reply(await self.vertex.training_service.get(p["kind"], p["jobId"]))

    @web.authenticated
    @authorized
    async def delete(self, **_: str) -> None:
        p = self.params()
        await self.vertex.training_service.delete(p["kind"], p["jobId"])
        self.reply_no_content()


class JobCancelHandler(BaseHandler):
    route = "/jobs/{kind}/{jobId}/cancel"

    @web.authenticated
    @authorized
    async def post(self, **_: str) -> None:
        p = self.params()
        self.reply(await self.vertex.training_service.cancel(p["kind"], p["jobId"]))


class JobLogsHandler(BaseHandler):
    route = "/jobs/{kind}/{jobId}/logs"

    @web.authenticated
    @authorized
    async def get(self, **_: str) -> None:
        p = self.params()
        page = await self.vertex.training_service.logs(
            p["kind"], p["jobId"], cursor=p.get("cursor"), page_size=p.get("pageSize")
        )
        self.reply(page)


class JobCodeHandler(BaseHandler):
    route = "/jobs/{kind}/{jobId}/code"

    @web.authenticated
    @authorized
    async def get(self, **_: str) -> None:
        p = self.params()
        self.reply(await self.vertex.training_service.code(p["kind"], p["jobId"]))


class NotFoundHandler(BaseHandler):
    """Any other path under the API prefix: a JSON 404 (after authentication)."""

    # One decorated method per verb: jupyter_server's @authorized remembers the action
    # (read/write) of its first call, so a shared method would authorize POST as "read".
    def _not_found(self) -> None:
        raise errors.NotFound(f"No such API path: {self.request.path}")

    @web.authenticated
    @authorized
    async def get(self, *_: str) -> None:
        self._not_found()

    @web.authenticated
    @authorized
    async def post(self, *_: str) -> None:
        self._not_found()

    @web.authenticated
    @authorized
    async def put(self, *_: str) -> None:
        self._not_found()

    @web.authenticated
    @authorized
    async def patch(self, *_: str) -> None:
        self._not_found()

    @web.authenticated
    @authorized
    async def delete(self, *_: str) -> None:
        self._not_found()


ROUTE_HANDLERS: tuple[type[BaseHandler], ...] = (
    StatusHandler,
    ModelsHandler,
    ModelHandler,
    ModelVersionsHandler,
    EndpointsHandler,
    EndpointHandler,
    JobsHandler,
    JobHandler,
    JobCancelHandler,
    JobLogsHandler,
    JobCodeHandler,
)


def all_route_handlers() -> tuple[type[BaseHandler], ...]:
    """Every API handler: these core ones plus each feature's own route module."""
    # Imported here: the feature modules import BaseHandler from this module.
    from . import instance_routes, metrics_routes, serving_routes, training_routes

    return (
        ROUTE_HANDLERS
        + serving_routes.HANDLERS
        + metrics_routes.HANDLERS
        + instance_routes.HANDLERS
        + training_routes.HANDLERS
    )


def default_handlers() -> list[tuple[str, type[BaseHandler]]]:
    """``(pattern, handler)`` pairs, relative to the server's base URL."""
    handlers: list[tuple[str, type[BaseHandler]]] = []
    for handler in all_route_handlers():
        assert handler.route is not None
        pattern = url_path_join(API_PREFIX, template_to_regex(handler.route)) + "$"
        handlers.append((pattern, handler))
    handlers.append((url_path_join(API_PREFIX, "(.*)"), NotFoundHandler))
    return handlers
