"""The error family: Google/auth/transport exceptions → HTTP status + {message, reason, hint}."""

from __future__ import annotations

import pytest
from google.api_core import exceptions as gexc

from jupyter_vertex import errors


@pytest.mark.parametrize(
    ("exc", "status", "reason"),
    [
        (gexc.NotFound("Model projects/p/locations/l/models/9 not found"), 404, "NOT_FOUND"),
        (gexc.InvalidArgument("bad filter"), 400, "INVALID_ARGUMENT"),
        (gexc.BadRequest("bad"), 400, "INVALID_ARGUMENT"),
        (gexc.OutOfRange("page"), 400, "INVALID_ARGUMENT"),
        (gexc.PermissionDenied("aiplatform.models.list denied"), 403, "PERMISSION_DENIED"),
        (gexc.Forbidden("no"), 403, "PERMISSION_DENIED"),
        (gexc.FailedPrecondition("model is deployed"), 409, "FAILED_PRECONDITION"),
        (gexc.Aborted("concurrent change"), 409, "FAILED_PRECONDITION"),
        (gexc.AlreadyExists("exists"), 409, "ALREADY_EXISTS"),
        (gexc.Conflict("exists"), 409, "ALREADY_EXISTS"),
        (gexc.Unauthenticated("token expired"), 401, "UNAUTHENTICATED"),
        (gexc.Unauthorized("token expired"), 401, "UNAUTHENTICATED"),
        (gexc.ResourceExhausted("quota"), 429, "RESOURCE_EXHAUSTED"),
        (gexc.TooManyRequests("slow down"), 429, "RESOURCE_EXHAUSTED"),
        (gexc.ServiceUnavailable("down"), 503, "UNAVAILABLE"),
        (gexc.DeadlineExceeded("slow"), 503, "UNAVAILABLE"),
        (gexc.InternalServerError("boom"), 502, "INTERNAL"),
        (gexc.Unknown("?"), 502, "INTERNAL"),
    ],
)
def test_google_api_core_exceptions(exc: Exception, status: int, reason: str) -> None:
    error = errors.to_vertex_error(exc)
    assert (error.status_code, error.reason) == (status, reason)
    assert exc.message in error.message  # type: ignore[attr-defined]
    assert set(error.to_json()) == {"message", "reason", "hint"}


def test_retry_error_uses_its_cause() -> None:
    exc = gexc.RetryError("gave up", cause=gexc.ServiceUnavailable("down"))
    error = errors.to_vertex_error(exc)
    assert (error.status_code, error.reason, error.message) == (503, "UNAVAILABLE", "down")


def test_unauthenticated_hint_says_how_to_sign_in() -> None:
    error = errors.to_vertex_error(gexc.Unauthenticated("Request had invalid credentials."))
    assert error.hint is not None and "gcloud auth application-default login" in error.hint


def test_google_auth_exceptions() -> None:
    from google.auth import exceptions as aexc

    missing = errors.to_vertex_error(aexc.DefaultCredentialsError("not found"))
    assert (missing.status_code, missing.reason) == (503, "CONFIGURATION")
    assert missing.hint is not None and "application-default login" in missing.hint
    refresh = errors.to_vertex_error(aexc.RefreshError("invalid_grant"))
    assert (refresh.status_code, refresh.reason) == (401, "UNAUTHENTICATED")
    transport = errors.to_vertex_error(aexc.TransportError("dns"))
    assert (transport.status_code, transport.reason) == (503, "UNAVAILABLE")


def test_transport_errors_are_unavailable() -> None:
    import requests

    for exc in (requests.ConnectionError("refused"), requests.Timeout("slow"), OSError()):
        if isinstance(exc, OSError) and not isinstance(exc, ConnectionError | TimeoutError):
            continue
        error = errors.to_vertex_error(exc)
        assert (error.status_code, error.reason) == (503, "UNAVAILABLE")
    refused = errors.to_vertex_error(ConnectionRefusedError(111, "Connection refused"))
    assert refused.reason == "UNAVAILABLE"


def test_unknown_exceptions_are_internal_without_details() -> None:
    error = errors.to_vertex_error(KeyError("secret internal detail"))
    assert (error.status_code, error.reason) == (500, "INTERNAL")
    assert "secret" not in error.message and "Traceback" not in error.message
    assert error.hint == "See the Jupyter server log for details."


def test_own_errors_pass_through() -> None:
    error = errors.InvalidArgument("Field 'displayName' must be of type string.")
    assert errors.to_vertex_error(error) is error
    assert error.to_json() == {
        "message": "Field 'displayName' must be of type string.",
        "reason": "INVALID_ARGUMENT",
        "hint": None,
    }


class FakeResponse:
    def __init__(self, payload: object) -> None:
        self.payload = payload

    def json(self) -> object:
        return self.payload


@pytest.mark.parametrize(
    ("code", "status", "expected_status", "expected_reason"),
    [
        (400, "FAILED_PRECONDITION", 409, "FAILED_PRECONDITION"),
        (400, "INVALID_ARGUMENT", 400, "INVALID_ARGUMENT"),
        (409, "ABORTED", 409, "FAILED_PRECONDITION"),
        (409, "ALREADY_EXISTS", 409, "ALREADY_EXISTS"),
        (400, "OUT_OF_RANGE", 400, "INVALID_ARGUMENT"),
        (504, "DEADLINE_EXCEEDED", 503, "UNAVAILABLE"),
        (501, "UNIMPLEMENTED", 502, "INTERNAL"),
        (400, None, 400, "INVALID_ARGUMENT"),
    ],
)
def test_rest_errors_use_the_google_status_of_the_body(
    code: int, status: str | None, expected_status: int, expected_reason: str
) -> None:
    """Over REST, api_core picks the class from the HTTP code; the body knows better."""
    body = {"error": {"code": code, "message": "Model version is the default", "status": status}}
    exc = gexc.from_http_status(
        code,
        "DELETE http://127.0.0.1:1/v1/x: Model version is the default",
        response=FakeResponse(body),
    )
    error = errors.to_vertex_error(exc)
    assert (error.status_code, error.reason) == (expected_status, expected_reason)
    assert error.message == "Model version is the default"  # no method and URL
