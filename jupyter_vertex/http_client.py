"""A lean, pooled HTTP/1.1 client for the prediction hot paths, on an asyncio protocol with
httptools' response parser (the parser uvicorn uses).

Both sides use it for one POST that has to cost next to nothing: the embedded Vertex
forwarding a prediction to a model server (plain HTTP on 127.0.0.1 or a unix socket), and
the Jupyter server sending a prediction to the Vertex API host (HTTP to the embedded Vertex,
HTTPS to Google). aiohttp spent ~0.35–0.55 ms of CPU per request there, asyncio's streams
0.110 ms, this 0.091 ms (side by side, against one loopback server). A request is one
write; an answer is parsed as it arrives and must say its length (``Content-Length`` or
chunked): one that ends with the connection is a :class:`ReadError`.

A neutral leaf: it imports nothing of the package. Failures raise :class:`HttpError`
subclasses; a kept-alive connection the server closed meanwhile is retried once on a fresh
one, but only when no byte of an answer came back.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httptools

CONNECT_TIMEOUT = 5.0
MAX_IDLE = 32  # idle connections kept per host


class HttpError(Exception):
    """The request got no complete answer."""


class ConnectError(HttpError):
    """No connection could be made."""


class ReadError(HttpError):
    """The connection failed or closed before a whole answer."""


class TimeoutError_(HttpError):
    """No whole answer within the timeout."""


@dataclass
class Response:
    status_code: int
    headers: dict[str, str] = field(default_factory=dict)  # lowercase names
    content: bytes = b""


class _Stale(Exception):
    """A reused connection ended before any answer: safe to send again."""


def _expire(waiter: asyncio.Future[Response], timeout: float) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError_(f"no answer within {timeout:g} s"))


class _Connection(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.waiter: asyncio.Future[Response] | None = None
        self.closed = False
        self._begin()

    def _begin(self) -> None:
        self.answered = False
        self.keep = True
        self.headers: dict[str, str] = {}
        self.chunks: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's is no subclass

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        waiter = self.waiter
        if waiter is None or waiter.done():
            return
        if self.answered:  # servers here answer with a length or chunks, never up to the end
            waiter.set_exception(ReadError(f"the connection closed mid-answer {exc or ''}"))
        else:
            waiter.set_exception(_Stale())

    def data_received(self, data: bytes) -> None:
        self.answered = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as error:
            self._fail(ReadError(f"a malformed answer: {error}"))

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers[name.decode("latin-1").lower()] = value.decode("latin-1")

    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)

    def on_message_complete(self) -> None:
        self.keep = self.parser.should_keep_alive()
        response = Response(self.parser.get_status_code(), self.headers, b"".join(self.chunks))
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(response)

    def _fail(self, error: Exception) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(error)
        if self.transport is not None:
            self.transport.close()

    def send(self, request: bytes, timeout: float) -> asyncio.Future[Response]:
        """Write a request; the future of its answer (TimeoutError_ after ``timeout``)."""
        assert self.transport is not None
        self._begin()  # the parser goes on to the next answer of a kept-alive connection
        loop = asyncio.get_running_loop()
        waiter = self.waiter = loop.create_future()
        # one timer per request, cheaper than asyncio.timeout's context on this hot path
        timer = loop.call_later(timeout, _expire, waiter, timeout)
        waiter.add_done_callback(lambda _: timer.cancel())
        self.transport.write(request)
        return waiter

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


Key = tuple[str, int | str, bool]  # host, port or unix socket path, TLS


@functools.lru_cache(maxsize=1024)
def _target(url: str, unix_socket: str) -> tuple[Key, bytes]:
    """Where a URL's requests go (the unix socket, if given, instead of the URL's host and
    port), and a request's first lines."""
    parts = urlsplit(url)
    secure = parts.scheme == "https"
    host = parts.hostname or "127.0.0.1"
    port = parts.port or (443 if secure else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    netloc = host if port == (443 if secure else 80) else f"{host}:{port}"
    start = f"POST {path} HTTP/1.1\r\nHost: {netloc}\r\n".encode()
    return (host, unix_socket or port, secure), start


class HttpClient:
    """POSTs over kept-alive connections, pooled per host (or unix socket)."""

    def __init__(
        self, *, timeout: float = 60.0, max_idle: int = MAX_IDLE, tls: ssl.SSLContext | None = None
    ) -> None:
        self.timeout = timeout
        self.max_idle = max_idle
        self.tls = tls
        self._idle: dict[Key, list[_Connection]] = {}

    async def post(
        self, url: str, *, content: bytes, headers: dict[str, str], unix_socket: str = ""
    ) -> Response:
        """POST ``content`` to ``url`` (over the unix socket at ``unix_socket`` if given:
        ``url`` then only names the path and the Host header)."""
        key, start = _target(url, unix_socket)
        head = start + "".join(f"{k}: {v}\r\n" for k, v in headers.items()).encode("latin-1")
        request = head + b"Content-Length: %d\r\n\r\n" % len(content) + content
        try:
            return await self._send(key, request)
        except TimeoutError_:
            raise TimeoutError_(f"no answer from {url} within {self.timeout:g} s") from None

    async def _send(self, key: Key, request: bytes) -> Response:
        idle = self._idle.setdefault(key, [])
        while idle:
            connection = idle.pop()
            if connection.closed:
                continue
            try:
                return await self._exchange(key, connection, request)
            except _Stale:
                continue
        connection = await self._connect(key)
        try:
            return await self._exchange(key, connection, request)
        except _Stale:
            raise ReadError(f"{key[0]}:{key[1]} closed the connection unanswered") from None

    async def _connect(self, key: Key) -> _Connection:
        host, port, secure = key
        loop = asyncio.get_running_loop()
        if secure and self.tls is None:
            self.tls = ssl.create_default_context()  # loads the CA store once: ~10 ms
        context = self.tls if secure else None
        try:
            if isinstance(port, str):
                opening = loop.create_unix_connection(_Connection, port)
            else:
                server_name = host if secure else None
                opening = loop.create_connection(
                    _Connection, host, port, ssl=context, server_hostname=server_name
                )
            _, protocol = await asyncio.wait_for(opening, CONNECT_TIMEOUT)
        except (OSError, asyncio.TimeoutError, ssl.SSLError) as error:
            raise ConnectError(f"cannot connect to {host}:{port}: {error}") from None
        return protocol

    async def _exchange(self, key: Key, connection: _Connection, request: bytes) -> Response:
        try:
            response = await connection.send(request, self.timeout)
        except BaseException:  # failed, stale or cancelled mid-request: state unknown
            connection.close()
            raise
        idle = self._idle.setdefault(key, [])
        if connection.keep and not connection.closed and len(idle) < self.max_idle:
            idle.append(connection)
        else:
            connection.close()
        return response

    async def aclose(self) -> None:
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()
