"""The embedded Vertex's HTTP/1.1 server: an asyncio protocol on httptools (the parser
uvicorn uses), answering each request with an application's complete response.

Tornado spent ~0.5 ms of CPU per request here, more than the whole model server behind a
forwarded prediction; this protocol spends ~0.03 ms (issue 17, docs/performance.md). It does
only what the API needs: keep-alive, pipelined requests answered in order, chunked request
bodies, ``Expect: 100-continue``, a body limit past which the body is read and dropped (the
application answers it), a hard limit past which the connection is closed, and a limit on
the size of the request head. Every response has a ``Content-Length``.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus

import httptools

log = logging.getLogger(__name__)

MAX_HEAD_BYTES = 64 * 1024  # request line and headers; 431 beyond this
MAX_PIPELINED = 16  # requests read ahead of their answers before reading pauses


@dataclass
class HttpRequest:
    method: str
    path: str  # as sent: still percent-encoded
    query: str  # the raw query string, without "?"
    headers: dict[str, str]  # lowercase names; a repeated header keeps its last value
    body: bytes = b""
    body_too_large: bool = False  # the body passed the limit: it was read and dropped


@dataclass
class HttpResponse:
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


App = Callable[[HttpRequest], Awaitable[HttpResponse]]


_REASONS = {status.value: status.phrase.encode() for status in HTTPStatus}


def _reason(status: int) -> bytes:
    return _REASONS.get(status, b"Unknown")


def _plain(status: int, text: str) -> bytes:
    body = text.encode()
    return (
        b"HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Content-Length: %d\r\nConnection: close\r\n\r\n%s"
        % (status, _reason(status), len(body), body)
    )


class _Connection(asyncio.Protocol):
    """One client connection: parses requests and answers them in order."""

    def __init__(self, server: HttpServer) -> None:
        self.server = server
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpRequestParser(self)
        self.queue: deque[tuple[HttpRequest, bool]] = deque()
        self.worker: asyncio.Task[None] | None = None
        self.paused = False
        self.head_too_large = False
        self._reset()

    def _reset(self) -> None:
        self.url = b""
        self.headers: dict[str, str] = {}
        self.head_bytes = 0
        self.chunks: list[bytes] = []
        self.size = 0
        self.too_large = False

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's is no subclass
        self.server.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.server.connections.discard(self)
        self.queue.clear()  # a running answer finishes; its write is dropped

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._refuse(400, "protocol upgrades are not supported")
        except httptools.HttpParserError as error:
            if self.head_too_large:
                self._refuse(431, f"request head over {MAX_HEAD_BYTES} bytes")
            else:
                self._refuse(400, f"malformed HTTP request: {error}")

    # httptools callbacks

    def on_message_begin(self) -> None:
        self._reset()

    def on_url(self, url: bytes) -> None:
        self.url += url
        self._count_head(len(url))

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers[name.decode("latin-1").lower()] = value.decode("latin-1")
        self._count_head(len(name) + len(value))

    def _count_head(self, size: int) -> None:
        self.head_bytes += size
        if self.head_bytes > MAX_HEAD_BYTES:
            self.head_too_large = True
            raise httptools.HttpParserError("request head too large")

    def on_headers_complete(self) -> None:
        length = self.headers.get("content-length", "")
        declared = int(length) if length.isdigit() else 0
        if declared > self.server.hard_limit:
            self._refuse(413, "request body too large")
            return
        if self.headers.get("expect", "").lower() == "100-continue" and self.transport:
            self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")

    def on_body(self, body: bytes) -> None:
        self.size += len(body)
        if self.size > self.server.hard_limit:
            self._refuse(413, "request body too large")
        elif self.too_large:
            return
        elif self.size > self.server.body_limit:
            self.too_large, self.chunks = True, []
        else:
            self.chunks.append(body)

    def on_message_complete(self) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        target, _, query = self.url.decode("latin-1").partition("?")
        request = HttpRequest(
            method=self.parser.get_method().decode("latin-1"),
            path=target,
            query=query,
            headers=self.headers,
            body=b"".join(self.chunks),
            body_too_large=self.too_large,
        )
        self.queue.append((request, self.parser.should_keep_alive()))
        if len(self.queue) >= MAX_PIPELINED and not self.paused:
            self.paused = True
            self.transport.pause_reading()
        if self.worker is None:
            self.worker = asyncio.get_running_loop().create_task(self._answer_all())

    # answering

    def _refuse(self, status: int, text: str) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(_plain(status, text))
            self.transport.close()
        self.queue.clear()

    async def _answer_all(self) -> None:
        try:
            while self.queue:
                request, keep_alive = self.queue.popleft()
                transport = self.transport
                if self.paused and len(self.queue) < MAX_PIPELINED // 2 and transport:
                    self.paused = False
                    if not transport.is_closing():
                        transport.resume_reading()
                started = time.perf_counter()
                try:
                    response = await self.server.app(request)
                except Exception:  # the application answers its own errors: this is a bug
                    log.exception("%s %s failed", request.method, request.path)
                    self._refuse(500, "internal error")
                    return
                self._write(response, keep_alive)
                if log.isEnabledFor(logging.DEBUG):
                    uri = request.path + (f"?{request.query}" if request.query else "")
                    took = (time.perf_counter() - started) * 1000
                    log.debug("%s %s %s %.1fms", response.status, request.method, uri, took)
                if not keep_alive:
                    return
        finally:
            self.worker = None

    def _write(self, response: HttpResponse, keep_alive: bool) -> None:
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        head = [
            b"HTTP/1.1 %d %s\r\n" % (response.status, _reason(response.status)),
            b"Content-Type: %s\r\nContent-Length: %d\r\n"
            % (response.content_type.encode("latin-1"), len(response.body)),
        ]
        for name, value in response.headers.items():
            head.append(f"{name}: {value}\r\n".encode("latin-1"))
        if not keep_alive:
            head.append(b"Connection: close\r\n")
        head.append(b"\r\n")
        transport.write(b"".join(head) + response.body)
        if not keep_alive:
            transport.close()


class HttpServer:
    """Serves ``app`` on listening sockets until ``stop``."""

    def __init__(self, app: App, *, body_limit: int, hard_limit: int) -> None:
        self.app = app
        self.body_limit = body_limit
        self.hard_limit = hard_limit
        self.connections: set[_Connection] = set()
        self._servers: list[asyncio.AbstractServer] = []

    async def start(self, sockets: list[socket.socket]) -> None:
        loop = asyncio.get_running_loop()
        for sock in sockets:
            self._servers.append(await loop.create_server(lambda: _Connection(self), sock=sock))

    async def stop(self, timeout: float = 5.0) -> None:
        """Stop listening; close the connections once their answers in progress are written
        (at most ``timeout`` seconds)."""
        for server in self._servers:
            server.close()
        self._servers = []
        busy = [c.worker for c in self.connections if c.worker is not None]
        if busy:
            await asyncio.wait(busy, timeout=timeout)
        for connection in list(self.connections):
            if connection.transport is not None:
                connection.transport.close()
        self.connections.clear()
