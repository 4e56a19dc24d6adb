"""Google's error model, as the Vertex AI REST frontend answers it.

A failed call answers ``{"error": {"code": <http status>, "message": ..., "status": <canonical
code name>}}``. The same canonical codes (``google.rpc.Code``) fill ``Operation.error`` when a
long-running operation fails, where ``code`` is the numeric rpc code instead.

Note on clients: ``google.api_core`` maps a REST error to an exception class by HTTP status
alone, so over REST both INVALID_ARGUMENT and FAILED_PRECONDITION raise ``BadRequest`` (their
common base class) and ALREADY_EXISTS / ABORTED raise ``Conflict``; the canonical status is in
the response body. An operation that *fails* carries the rpc code, so ``operation.result()``
raises the precise subclass (``InvalidArgument``, ``FailedPrecondition``, ...).
"""

from __future__ import annotations

from typing import Any

# canonical name -> (rpc code, HTTP status), as in google/rpc/code.proto and AIP-193.
CODES: dict[str, tuple[int, int]] = {
    "CANCELLED": (1, 499),
    "UNKNOWN": (2, 500),
    "INVALID_ARGUMENT": (3, 400),
    "DEADLINE_EXCEEDED": (4, 504),
    "NOT_FOUND": (5, 404),
    "ALREADY_EXISTS": (6, 409),
    "PERMISSION_DENIED": (7, 403),
    "RESOURCE_EXHAUSTED": (8, 429),
    "FAILED_PRECONDITION": (9, 400),
    "ABORTED": (10, 409),
    "OUT_OF_RANGE": (11, 400),
    "UNIMPLEMENTED": (12, 501),
    "INTERNAL": (13, 500),
    "UNAVAILABLE": (14, 503),
    "UNAUTHENTICATED": (16, 401),
}


class ApiError(Exception):
    """An error answered to the client in Google's error model."""

    def __init__(self, status: str, message: str) -> None:
        if status not in CODES:
            raise ValueError(f"unknown canonical status {status!r}")
        super().__init__(message)
        self.status = status
        self.message = message

    @property
    def rpc_code(self) -> int:
        return CODES[self.status][0]

    @property
    def http_status(self) -> int:
        return CODES[self.status][1]

    def to_http_body(self) -> dict[str, Any]:
        """The JSON body of an HTTP error answer."""
        return {"error": {"code": self.http_status, "message": self.message, "status": self.status}}

    def to_rpc_status(self) -> dict[str, Any]:
        """A ``google.rpc.Status`` as JSON, for ``Operation.error``."""
        return {"code": self.rpc_code, "message": self.message}

    def __repr__(self) -> str:
        return f"ApiError({self.status}, {self.message!r})"


def invalid_argument(message: str) -> ApiError:
    return ApiError("INVALID_ARGUMENT", message)


def not_found(message: str) -> ApiError:
    return ApiError("NOT_FOUND", message)


def already_exists(message: str) -> ApiError:
    return ApiError("ALREADY_EXISTS", message)


def failed_precondition(message: str) -> ApiError:
    return ApiError("FAILED_PRECONDITION", message)


def aborted(message: str) -> ApiError:
    return ApiError("ABORTED", message)


def unauthenticated(message: str) -> ApiError:
    return ApiError("UNAUTHENTICATED", message)


def internal(message: str) -> ApiError:
    return ApiError("INTERNAL", message)
