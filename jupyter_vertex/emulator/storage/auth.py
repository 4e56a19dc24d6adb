"""Who local Cloud Storage answers: holders of the embedded Vertex's token.

Every request needs ``Authorization: Bearer <token>``, the same token as the embedded
Vertex's own API (``DATA_DIR/token``, 0600). A token, not the kernel's word on who owns a
loopback socket, because a secret works on every system and for every client that can send
a header; those that cannot are given a relay that adds it (:mod:`.relay`):

- google-cloud-storage keeps the credentials it is given even with ``STORAGE_EMULATOR_HOST``
  set (it substitutes ``AnonymousCredentials`` only for ``credentials=None``), so the SDK
  after ``emulator.init()`` (``credentials=Credentials(token)``, which its storage clients
  reuse), the extension's client factory and the embedded Vertex's own requests send it;
- a plain ``storage.Client()`` sends nothing: user code in training replicas, model
  servers, pipeline tasks and kernels after ``init()`` reaches storage through a relay.

A refusal is Cloud Storage's own JSON error (401, ``errors[].reason`` ``required`` without
credentials, ``authError`` with wrong ones), so clients raise ``Unauthorized`` as they would
against Google. Cheap to import: a replica's wrapper imports it.
"""

from __future__ import annotations

import json

from ..core.auth import is_authorized

__all__ = ["authorized", "error_answer", "unauthorized_answer", "with_token"]

HEADER = b"authorization:"


def authorized(header: str | None, token: str) -> bool:
    """Whether an ``Authorization`` header value carries ``token`` (constant time)."""
    return bool(token) and is_authorized(header, token)


def error_body(code: int, message: str, reason: str, location: bool = False) -> bytes:
    """Cloud Storage's JSON error: ``{"error": {"code", "message", "errors": [...]}}``."""
    item: dict[str, str] = {"message": message, "domain": "global", "reason": reason}
    if location:  # what Cloud Storage says of a credential problem: where it looked
        item.update(locationType="header", location="Authorization")
    return json.dumps({"error": {"code": code, "message": message, "errors": [item]}}).encode()


def unauthorized_answer(header: str | None) -> tuple[int, bytes]:
    """Status and body for a request without the token (``header``: what it sent)."""
    if not header:
        message = (
            "Anonymous caller does not have access to local Cloud Storage: it answers "
            "requests with 'Authorization: Bearer <token>' (the embedded Vertex's token), "
            "as jupyter_vertex.emulator.init() sets up."
        )
        return 401, error_body(401, message, "required", location=True)
    return 401, error_body(401, "Invalid Credentials", "authError", location=True)


def error_answer(status: str, code: int, body: bytes) -> bytes:
    """A whole HTTP/1.0 answer (the relay's own refusals; the connection closes after it)."""
    head = (
        f"HTTP/1.0 {code} {status}\r\nContent-Type: application/json; charset=UTF-8\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


def with_token(head: bytes, token: str) -> bytes:
    """A request head (request line and header lines, without the blank line) carrying
    ``Authorization: Bearer <token>`` instead of any ``Authorization`` it had."""
    lines = head.split(b"\r\n")
    kept = [line for line in lines[1:] if not line.lower().startswith(HEADER)]
    return b"\r\n".join([lines[0], b"Authorization: Bearer " + token.encode("ascii"), *kept])
