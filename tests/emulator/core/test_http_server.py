"""The embedded Vertex's HTTP/1.1 server, spoken to byte by byte over a raw socket:
keep-alive, pipelining, chunked bodies, ``Expect: 100-continue``, limits, malformed input."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from ..emulator_api import Api


class Wire:
    """One raw connection to the embedded Vertex, reading answers by Content-Length."""

    def __init__(self, api: Api) -> None:
        parts = urlsplit(api.emu.url)
        self.sock = socket.create_connection((parts.hostname, parts.port), timeout=30)
        self.buffer = b""
        self.auth = f"Authorization: Bearer {api.emu.token}\r\n".encode()
        self.models = f"/v1/{api.parent}/models".encode()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _fill(self) -> bool:
        chunk = self.sock.recv(65536)
        self.buffer += chunk
        return bool(chunk)

    def answer(self) -> tuple[int, dict[str, str], bytes]:
        """The next answer: status, headers (lowercase names) and body."""
        while b"\r\n\r\n" not in self.buffer:
            assert self._fill(), f"the connection closed; read {self.buffer!r}"
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
        size = int(headers.get("content-length", "0"))
        while len(self.buffer) < size:
            assert self._fill(), "the connection closed mid-body"
        body, self.buffer = self.buffer[:size], self.buffer[size:]
        return int(status_line.split()[1]), headers, body

    def closed(self) -> bool:
        """Whether the server closed the connection (after anything still buffered)."""
        return not self.buffer and self.sock.recv(1) == b""


@pytest.fixture
def wire(api: Api) -> Iterator[Wire]:
    connection = Wire(api)
    yield connection
    connection.sock.close()


def _get(wire: Wire, extra: bytes = b"") -> bytes:
    return b"GET %s HTTP/1.1\r\nHost: x\r\n%s%s\r\n" % (wire.models, wire.auth, extra)


def test_one_connection_answers_many_requests(wire: Wire) -> None:
    for _ in range(50):
        wire.send(_get(wire))
        status, headers, body = wire.answer()
        assert (status, json.loads(body)) == (200, {})
        assert headers["content-type"] == "application/json; charset=UTF-8"
        assert "connection" not in headers


def test_pipelined_requests_are_answered_in_order(api: Api, wire: Wire) -> None:
    api.ok("POST", f"v1/{api.parent}/endpoints", {"displayName": "piped"})
    missing = b"GET /v1/%s/endpoints/404 HTTP/1.1\r\nHost: x\r\n%s\r\n" % (
        api.parent.encode(),
        wire.auth,
    )
    listing = b"GET /v1/%s/endpoints HTTP/1.1\r\nHost: x\r\n%s\r\n" % (
        api.parent.encode(),
        wire.auth,
    )
    wire.send((missing + listing) * 20)  # one write: the server reads them all at once
    for _ in range(20):
        status, _, body = wire.answer()
        assert (status, json.loads(body)["error"]["status"]) == (404, "NOT_FOUND")
        status, _, body = wire.answer()
        assert status == 200
        assert [e["displayName"] for e in json.loads(body)["endpoints"]] == ["piped"]


def test_a_chunked_body_is_read_whole(wire: Wire, api: Api) -> None:
    body = json.dumps({"displayName": "chunked"}).encode()
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:7], body[7:]))
    wire.send(
        b"POST /v1/%s/endpoints HTTP/1.1\r\nHost: x\r\n%sTransfer-Encoding: chunked\r\n"
        b"Content-Type: application/json\r\n\r\n%s0\r\n\r\n"
        % (api.parent.encode(), wire.auth, chunks)
    )
    status, _, answer = wire.answer()
    assert status == 200, answer
    listed = api.ok("GET", f"v1/{api.parent}/endpoints")["endpoints"]
    assert [e["displayName"] for e in listed] == ["chunked"]


def test_expect_100_continue_is_answered_before_the_body(wire: Wire, api: Api) -> None:
    body = json.dumps({"displayName": "continued"}).encode()
    wire.send(
        b"POST /v1/%s/endpoints HTTP/1.1\r\nHost: x\r\n%sExpect: 100-continue\r\n"
        b"Content-Length: %d\r\n\r\n" % (api.parent.encode(), wire.auth, len(body))
    )
    assert wire.answer()[0] == 100  # before any byte of the body was sent
    wire.send(body)
    status, _, answer = wire.answer()
    assert status == 200, answer


def test_connection_close_and_http_1_0_end_the_connection(wire: Wire, api: Api) -> None:
    wire.send(_get(wire, b"Connection: close\r\n"))
    status, headers, _ = wire.answer()
    assert (status, headers["connection"]) == (200, "close")
    assert wire.closed()
    old = Wire(api)
    old.send(b"GET %s HTTP/1.0\r\n%s\r\n" % (old.models, old.auth))
    assert old.answer()[0] == 200
    assert old.closed()
    old.sock.close()


def test_a_malformed_request_gets_400_and_a_closed_connection(wire: Wire) -> None:
    wire.send(b"GET / HTTP/1.1\r\nHost x\r\nno colon here\r\n\r\n")
    status, _, body = wire.answer()
    assert status == 400
    assert body.startswith(b"malformed HTTP request")
    assert wire.closed()


def test_a_head_over_64_kib_gets_431_free_of_the_rest(wire: Wire) -> None:
    wire.send(_get(wire, b"X-Big: " + b"a" * (70 * 1024) + b"\r\n"))
    status, _, body = wire.answer()
    assert (status, body) == (431, b"request head over 65536 bytes")
    assert wire.closed()


def test_a_declared_body_over_the_hard_limit_is_refused_unread(wire: Wire, api: Api) -> None:
    wire.send(
        b"POST /v1/%s/endpoints HTTP/1.1\r\nHost: x\r\n%sContent-Length: %d\r\n\r\n{"
        % (api.parent.encode(), wire.auth, 256 * 1024 * 1024 + 1)
    )
    status, _, body = wire.answer()
    assert (status, body) == (413, b"request body too large")
    assert wire.closed()
    assert api.ok("GET", f"v1/{api.parent}/endpoints") == {}


def test_an_unsupported_method_is_a_google_error(wire: Wire) -> None:
    wire.send(b"OPTIONS %s HTTP/1.1\r\nHost: x\r\n%s\r\n" % (wire.models, wire.auth))
    status, _, body = wire.answer()
    assert status == 400
    assert json.loads(body)["error"] == {
        "code": 400,
        "message": "Method OPTIONS is not supported.",
        "status": "INVALID_ARGUMENT",
    }
