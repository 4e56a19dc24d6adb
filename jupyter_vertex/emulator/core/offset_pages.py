"""Page tokens for lists that are computed whole and then cut by offset (Logging entries,
Monitoring series): the token carries the offset and a fingerprint of the query, so a token
is refused for any other query."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from .errors import invalid_argument


def fingerprint(query: Any) -> str:
    """A short digest of what selects and orders the list (not the page token or size)."""
    return hashlib.sha256(json.dumps(query, sort_keys=True).encode()).hexdigest()[:16]


def token(fingerprint: str, offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([fingerprint, offset]).encode()).decode()


def offset(token: str, fingerprint: str, *, field: str, unreadable: str) -> int:
    """The offset a token names; 0 for none. ``field`` names the token in the messages,
    ``unreadable`` is the message for a token this API did not give."""
    if not token:
        return 0
    try:
        found, start = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, TypeError):
        raise invalid_argument(unreadable) from None
    if found != fingerprint or not isinstance(start, int) or start < 0:
        raise invalid_argument(f"Invalid {field}: it belongs to another query.")
    return start
