"""One family of errors for the extension, and how each one looks over HTTP.

Every failure the extension's REST API reports is a :class:`VertexError`: it carries the
HTTP status, a machine-readable ``reason`` (Google's status names plus ``CONFIGURATION``)
and a ``hint`` that tells the user what to do. Errors raised by Google's client libraries
(``google.api_core.exceptions.*``, ``google.auth.exceptions.*``) and by their HTTP
transport are translated here, in one place, by :func:`to_vertex_error`.

This module imports no Google library at import time.
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "AlreadyExists",
    "ConfigurationError",
    "FailedPrecondition",
    "InternalError",
    "InvalidArgument",
    "NotFound",
    "PermissionDenied",
    "ResourceExhausted",
    "Unauthenticated",
    "Unavailable",
    "VertexError",
    "to_vertex_error",
]

ADC_LOGIN_HINT = (
    "Sign in with Application Default Credentials: run "
    "`gcloud auth application-default login` in a terminal, or point "
    "GOOGLE_APPLICATION_CREDENTIALS at a service-account key file."
)


class VertexError(Exception):
    """Base of the family: an error with an HTTP status, a reason and a hint."""

    status_code: ClassVar[int] = 500
    reason: ClassVar[str] = "INTERNAL"
    default_hint: ClassVar[str | None] = None

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint if hint is not None else self.default_hint

    def to_json(self) -> dict[str, Any]:
        """The error body of the REST API: ``{message, reason, hint}``."""
        return {"message": self.message, "reason": self.reason, "hint": self.hint}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class InvalidArgument(VertexError):
    status_code = 400
    reason = "INVALID_ARGUMENT"


class Unauthenticated(VertexError):
    status_code = 401
    reason = "UNAUTHENTICATED"
    default_hint = ADC_LOGIN_HINT


class PermissionDenied(VertexError):
    status_code = 403
    reason = "PERMISSION_DENIED"
    default_hint = (
        "The signed-in account lacks a Vertex AI permission for this project. Ask a project "
        "owner for the 'Vertex AI User' role (roles/aiplatform.user), or switch project."
    )


class NotFound(VertexError):
    status_code = 404
    reason = "NOT_FOUND"


class FailedPrecondition(VertexError):
    status_code = 409
    reason = "FAILED_PRECONDITION"


class AlreadyExists(VertexError):
    status_code = 409
    reason = "ALREADY_EXISTS"


class ResourceExhausted(VertexError):
    status_code = 429
    reason = "RESOURCE_EXHAUSTED"
    default_hint = "A quota or rate limit was reached; wait a moment and retry."


class InternalError(VertexError):
    """An unexpected failure. Its message never contains a traceback."""

    status_code = 500
    reason = "INTERNAL"
    default_hint = "See the Jupyter server log for details."


class UpstreamError(InternalError):
    """Vertex AI (or the embedded Vertex) failed on its side."""

    status_code = 502
    default_hint = "Vertex AI reported an internal error; retry later."


class Unavailable(VertexError):
    status_code = 503
    reason = "UNAVAILABLE"
    default_hint = "Vertex AI could not be reached; retry in a moment."


class ConfigurationError(VertexError):
    """The extension lacks configuration (project, region, credentials)."""

    status_code = 503
    reason = "CONFIGURATION"


# ---------------------------------------------------------------------------
# translation of foreign exceptions

# google.api_core.exceptions class name -> our class. Looked up along the MRO by name,
# so that google.api_core is never imported just to translate an error.
_GOOGLE_API_CORE: dict[str, type[VertexError]] = {
    "NotFound": NotFound,
    "InvalidArgument": InvalidArgument,
    "OutOfRange": InvalidArgument,
    "BadRequest": InvalidArgument,
    "PermissionDenied": PermissionDenied,
    "Forbidden": PermissionDenied,
    "Unauthenticated": Unauthenticated,
    "Unauthorized": Unauthenticated,
    "FailedPrecondition": FailedPrecondition,
    "Aborted": FailedPrecondition,
    "AlreadyExists": AlreadyExists,
    "Conflict": AlreadyExists,
    "ResourceExhausted": ResourceExhausted,
    "TooManyRequests": ResourceExhausted,
    "ServiceUnavailable": Unavailable,
    "DeadlineExceeded": Unavailable,
    "GatewayTimeout": Unavailable,
    "RetryError": Unavailable,
    "Cancelled": Unavailable,
    "MethodNotImplemented": UpstreamError,
    "InternalServerError": UpstreamError,
    "Unknown": UpstreamError,
    "DataLoss": UpstreamError,
    "ServerError": UpstreamError,
    "ClientError": InvalidArgument,
    "GoogleAPICallError": UpstreamError,
    "GoogleAPIError": UpstreamError,
}


# google.rpc.Code names (the "status" of Google's JSON error body) -> our class. Over
# REST, api_core picks the exception class from the HTTP status alone (FAILED_PRECONDITION
# arrives as a 400 BadRequest), so the body's status is the better witness.
_GOOGLE_STATUS: dict[str, type[VertexError]] = {
    "INVALID_ARGUMENT": InvalidArgument,
    "OUT_OF_RANGE": InvalidArgument,
    "NOT_FOUND": NotFound,
    "PERMISSION_DENIED": PermissionDenied,
    "UNAUTHENTICATED": Unauthenticated,
    "FAILED_PRECONDITION": FailedPrecondition,
    "ABORTED": FailedPrecondition,
    "ALREADY_EXISTS": AlreadyExists,
    "RESOURCE_EXHAUSTED": ResourceExhausted,
    "UNAVAILABLE": Unavailable,
    "DEADLINE_EXCEEDED": Unavailable,
    "CANCELLED": Unavailable,
    "INTERNAL": UpstreamError,
    "UNKNOWN": UpstreamError,
    "DATA_LOSS": UpstreamError,
    "UNIMPLEMENTED": UpstreamError,
}


def _rest_error_body(exc: BaseException) -> tuple[str | None, str | None]:
    """``(status, message)`` of the Google JSON error body of a REST response, if any."""
    response = getattr(exc, "response", None)
    json_method = getattr(response, "json", None)
    if not callable(json_method):
        return None, None
    try:
        payload = json_method()
    except Exception:
        return None, None
    if isinstance(payload, list):
        payload = next((item for item in payload if isinstance(item, dict)), {})
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        return None, None
    status = error.get("status")
    message = error.get("message")
    return (
        status if isinstance(status, str) else None,
        message if isinstance(message, str) and message else None,
    )


def _google_message(exc: BaseException) -> str:
    message = getattr(exc, "message", None)
    if isinstance(message, str) and message:
        return message
    return str(exc) or type(exc).__name__


def _from_google_api_core(exc: BaseException) -> VertexError | None:
    for klass in type(exc).__mro__:
        if not klass.__module__.startswith("google.api_core"):
            continue
        target = _GOOGLE_API_CORE.get(klass.__name__)
        if target is None:
            continue
        status, body_message = _rest_error_body(exc)
        target = _GOOGLE_STATUS.get(status or "", target)
        message = body_message or _google_message(exc)
        if target is Unauthenticated:
            return Unauthenticated(f"Vertex AI rejected the credentials: {message}")
        if target is Unavailable and klass.__name__ == "RetryError":
            cause = getattr(exc, "cause", None)
            if cause is not None:
                inner = to_vertex_error(cause)
                if not isinstance(inner, InternalError):
                    return inner
        return target(message)
    return None


def _from_google_auth(exc: BaseException) -> VertexError | None:
    names = {k.__name__ for k in type(exc).__mro__ if k.__module__.startswith("google.auth")}
    if not names:
        return None
    if "DefaultCredentialsError" in names:
        return ConfigurationError(
            f"No Google Cloud credentials were found: {exc}", hint=ADC_LOGIN_HINT
        )
    if "RefreshError" in names or "ReauthFailError" in names:
        return Unauthenticated(f"The Google Cloud credentials could not be refreshed: {exc}")
    if "TransportError" in names:
        return Unavailable(f"Google Cloud authentication could not be reached: {exc}")
    return Unauthenticated(f"Google Cloud authentication failed: {exc}")


def _from_transport(exc: BaseException) -> VertexError | None:
    names = {
        k.__name__
        for k in type(exc).__mro__
        if k.__module__.startswith(("requests", "urllib3", "grpc"))
    }
    if names & {"ConnectionError", "Timeout", "NewConnectionError", "MaxRetryError"}:
        return Unavailable(f"Vertex AI could not be reached: {type(exc).__name__}")
    if isinstance(exc, ConnectionError | TimeoutError):
        return Unavailable(f"Vertex AI could not be reached: {type(exc).__name__}")
    return None


def to_vertex_error(exc: BaseException) -> VertexError:
    """Translate any exception into the error family (unknown ones become INTERNAL)."""
    if isinstance(exc, VertexError):
        return exc
    for translate in (_from_google_api_core, _from_google_auth, _from_transport):
        translated = translate(exc)
        if translated is not None:
            return translated
    return InternalError("An unexpected error occurred in the jupyter_vertex extension.")
