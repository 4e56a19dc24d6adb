"""The base of the extension's handlers under ``{base_url}jupyter-vertex/api/``.

Thin handlers: parse (checked against ``api/openapi.yaml``) → service → JSON. Every method
is ``@tornado.web.authenticated`` and ``@authorized`` (resource ``jupyter_vertex``).
:class:`BaseHandler` turns every failure into ``{message, reason, hint}`` once, for all
routes; no traceback ever reaches the client. No registry here: see
:func:`jupyter_vertex.handlers.all_handlers`.
"""

from __future__ import annotations

import json
import re
from http.client import responses
from typing import Any, ClassVar

from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from jupyter_server.utils import url_path_join
from tornado import web

from .. import errors
from ..api.validation import operation
from ..services import SETTINGS_KEY, Services

API_PREFIX = "/jupyter-vertex/api"
AUTH_RESOURCE = "jupyter_vertex"

_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

STATUS_ERRORS: dict[int, type[errors.VertexError]] = {
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
    def services(self) -> Services:
        """The app's services (built once by :func:`jupyter_vertex.services.build_services`)."""
        services: Services = self.settings[SETTINGS_KEY]
        return services

    def set_default_headers(self) -> None:
        super().set_default_headers()
        self.set_header("Cache-Control", "no-store")

    # -- parsing -------------------------------------------------------------------

    def operation(self) -> Any:
        """The spec's operation of this route and method."""
        assert self.route is not None and self.request.method is not None
        return operation(self.route, self.request.method.lower())

    def params(self) -> dict[str, Any]:
        """Path and query parameters, converted and checked against the spec."""
        op = self.operation()
        values = dict(op.path_args(self.path_kwargs))
        # Unstripped: a value is checked (and passed on) exactly as it was sent.
        values.update(op.query_args(lambda name: self.get_query_arguments(name, strip=False)))
        return values

    def json_body(self) -> Any:
        """The JSON body, checked against the spec's request body schema."""
        return self.operation().body(self.request.body or b"")

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
            klass = STATUS_ERRORS.get(code)
            if klass is None:
                klass = errors.InvalidArgument if 400 <= code < 500 else errors.InternalError
            error = klass(message)
            return error
        if exc is not None:
            return errors.to_vertex_error(exc)
        klass = STATUS_ERRORS.get(status_code, errors.InternalError)
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
