"""A lean HTTP/1.1 client for the predict hot path: POSTs to model servers on loopback (or on
a unix socket) over kept-alive connections.

httpx costs ~1-3 ms of CPU per request here (its h11/anyio layers), more than the model
itself for a small row; the model servers are our own processes on 127.0.0.1 speaking plain
HTTP/1.1, so a request is one write and a response is a status line, headers and a
``Content-Length`` (or chunked) body. Failures raise httpx's transport errors, so callers
handle them as before. A kept-alive connection the server closed meanwhile is retried once
on a fresh one, but only when no byte of an answer came back.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from urllib.parse import urlsplit

CONNECT_TIMEOUT = 5.0
TIMEOUT = 60.0
MAX_IDLE = 32  # idle connections kept per server
MAX_HEADER_LINES = 100


@dataclass
class Response:
    status_code: int
    headers: dict[str, str]  # lowercase names
    content: bytes


def _error(kind: str, message: str) -> Exception:
    """httpx's transport error ``kind`` (httpx is imported only when something fails)."""
    import httpx

    error: Exception = getattr(httpx, kind)(message)
    return error


class _Stale(Exception):
    """A reused connection ended before any answer: safe to send again."""


Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class LoopbackClient:
    def __init__(self, *, timeout: float = TIMEOUT, max_idle: int = MAX_IDLE) -> None:
        self.timeout = timeout
        self.max_idle = max_idle
        self._idle: dict[tuple[str, int | str], list[Connection]] = {}
        self._targets: dict[str, tuple[str, int, bytes]] = {}

    def _target(self, url: str) -> tuple[str, int, bytes]:
        found = self._targets.get(url)
        if found is None:
            parts = urlsplit(url)
            host, port = parts.hostname or "127.0.0.1", parts.port or 80
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            found = (host, port, f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n".encode())
            if len(self._targets) > 1024:
                self._targets.clear()
            self._targets[url] = found
        return found

    async def post(
        self, url: str, *, content: bytes, headers: dict[str, str], unix_socket: str = ""
    ) -> Response:
        """POST to ``url``; over the unix socket at ``unix_socket`` instead of TCP if given
        (``url`` then only names the path and the Host header)."""
        host, port, start = self._target(url)
        where: int | str = unix_socket or port
        head = start + b"".join(f"{k}: {v}\r\n".encode() for k, v in headers.items())
        request = head + f"Content-Length: {len(content)}\r\n\r\n".encode() + content
        try:
            if sys.version_info >= (3, 11):  # no extra task per request, unlike wait_for
                async with asyncio.timeout(self.timeout):
                    return await self._send(host, where, request)
            return await asyncio.wait_for(self._send(host, where, request), self.timeout)
        except asyncio.TimeoutError:
            raise _error("ReadTimeout", f"no answer from {url} within {self.timeout:g} s") from None

    async def _send(self, host: str, port: int | str, request: bytes) -> Response:
        idle = self._idle.setdefault((host, port), [])
        while idle:
            connection = idle.pop()
            if connection[0].at_eof() or connection[1].is_closing():
                connection[1].close()
                continue
            try:
                return await self._exchange(host, port, connection, request, reused=True)
            except _Stale:
                continue
        opening = (
            asyncio.open_unix_connection(port)
            if isinstance(port, str)
            else asyncio.open_connection(host, port)
        )
        try:
            connection = await asyncio.wait_for(opening, CONNECT_TIMEOUT)
        except (OSError, asyncio.TimeoutError) as error:
            raise _error("ConnectError", f"cannot connect to {host}:{port}: {error}") from None
        try:
            return await self._exchange(host, port, connection, request, reused=False)
        except _Stale:
            raise _error("ReadError", f"{host}:{port} closed the connection") from None

    async def _exchange(
        self, host: str, port: int | str, connection: Connection, request: bytes, *, reused: bool
    ) -> Response:
        reader, writer = connection
        answered = False
        try:
            writer.write(request)
            status_line = await reader.readline()
            if not status_line:
                raise _Stale()
            answered = True
            response, keep = await _read_response(reader, status_line)
        except _Stale:
            writer.close()
            raise
        except (OSError, asyncio.IncompleteReadError, ValueError) as error:
            writer.close()
            if reused and not answered:
                raise _Stale() from None
            raise _error("ReadError", f"reading the answer of {host}:{port}: {error}") from None
        except BaseException:  # cancelled mid-request: the connection is in an unknown state
            writer.close()
            raise
        idle = self._idle.setdefault((host, port), [])
        if keep and len(idle) < self.max_idle:
            idle.append(connection)
        else:
            writer.close()
        return response

    async def aclose(self) -> None:
        for connections in self._idle.values():
            for _, writer in connections:
                writer.close()
        self._idle.clear()


async def _read_response(reader: asyncio.StreamReader, status_line: bytes) -> tuple[Response, bool]:
    """The response after its status line, and whether the connection may be reused."""
    parts = status_line.split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
        raise ValueError(f"not an HTTP/1.x status line: {status_line[:60]!r}")
    status = int(parts[1])
    headers: dict[str, str] = {}
    for _ in range(MAX_HEADER_LINES):
        line = await reader.readline()
        if line in (b"\r\n", b"\n"):
            break
        if not line:
            raise asyncio.IncompleteReadError(b"", None)
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    else:
        raise ValueError("too many header lines")
    keep = headers.get("connection", "").lower() != "close" and parts[0] == b"HTTP/1.1"
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = await _read_chunked(reader)
    elif "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif status in (204, 304) or 100 <= status < 200:
        body = b""
    else:  # delimited by the end of the connection
        body, keep = await reader.read(), False
    return Response(status, headers, body), keep


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks: list[bytes] = []
    while True:
        size = int((await reader.readline()).split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b"".join(chunks)
        chunks.append(await reader.readexactly(size))
        await reader.readexactly(2)  # the chunk's CRLF
