"""Asking a model server whether it is ready, and saying why it is not.

Health checks go over the server's unix socket (its only address): one ``GET`` on a fresh
connection, the status line read back. A server's failure is told by the line of its output
that names the error (an exception's last line, not a library's warning), and an artifact
download that could not connect is told as "cannot reach storage".
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Iterable

# An exception's last traceback line: ``ValueError: …``, ``requests.exceptions.ConnectionError:
# …``, ``SystemExit: 1`` (not indented; the name ends the way Python's exception names do).
_EXCEPTION = re.compile(
    r"^(?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*(?:Error|Exception|Exit|Interrupt|Failure|Fault)(?::.*)?$"
)
_UNREACHABLE = ("Connection refused", "Max retries exceeded", "Failed to establish")


async def healthy(socket_path: str, route: str, timeout: float = 2.0) -> bool:
    """Whether the server on ``socket_path`` answers ``GET route`` with 200."""
    try:
        status = await asyncio.wait_for(_status_line(socket_path, route), timeout)
    except (OSError, asyncio.TimeoutError):
        return False  # not listening yet, or gone
    parts = status.split()
    return len(parts) >= 2 and parts[1] == b"200"


async def _status_line(socket_path: str, route: str) -> bytes:
    reader, writer = await asyncio.open_unix_connection(socket_path)
    try:
        request = f"GET {route} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        writer.write(request.encode())
        await writer.drain()
        return await reader.readline()
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


def last_error(lines: Iterable[str]) -> str:
    """The line that says what went wrong: the last exception line, else the last line that
    is not a warning, else the last line ("" for no output)."""
    kept = [line.strip() for line in lines if line.strip()]
    for line in reversed(kept):
        if _EXCEPTION.match(line):
            return line
    for line in reversed(kept):
        if "warning" not in line.lower():
            return line
    return kept[-1] if kept else ""


def failure(status: str, lines: Iterable[str], storage_url: str) -> str:
    """Why a server ended (``status``: "exited with status 1" …), in one line."""
    error = last_error(lines)
    if any(marker in error for marker in _UNREACHABLE):
        return f"cannot reach storage at {storage_url} to download the model's artifacts ({error})"
    return f"{status}: {error}" if error else status
