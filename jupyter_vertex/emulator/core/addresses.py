"""Reading the data dir's ``addresses.json`` (see :mod:`.connection`), apart from the rest
of the connection helpers: a training replica's wrapper reads it in every relayed connection
and imports this module at each start, so it imports only what these need."""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

__all__ = ["port_of", "read_addresses"]


def read_addresses(path: Path | str) -> dict[str, str]:
    """The addresses recorded in an ``addresses.json`` ({} when absent or unreadable)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


def port_of(url: str | None) -> int:
    """The port of an ``http://host:port`` URL; 0 when it has none or is not one."""
    try:
        return urllib.parse.urlsplit(url or "").port or 0
    except ValueError:
        return 0
