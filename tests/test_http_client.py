"""The lean HTTP/1.1 client of the prediction hot paths, against real socket servers: kept-alive
reuse, chunked answers, a connection the server closed meanwhile, unix sockets, TLS, nothing
listening, a server that never answers, a malformed answer."""

from __future__ import annotations

import asyncio
import datetime
import socket
import ssl
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from jupyter_vertex.http_client import ConnectError, HttpClient, ReadError, TimeoutError_

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class Echo:
    """An HTTP/1.1 server that echoes the body (Content-Length or chunked answers), then
    closes the connection after ``close_after`` answers (as a keep-alive timeout does)."""

    def __init__(self, close_after: int = 1000, chunked: bool = False) -> None:
        self.close_after = close_after
        self.chunked = chunked
        self.connections = 0
        self.requests: list[bytes] = []

    async def __call__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        for _ in range(self.close_after):
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                break
            length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
            body = await reader.readexactly(length)
            self.requests.append(head.split(b"\r\n")[0] + b" " + body)
            if self.chunked:
                half = len(body) // 2
                payload = b"".join(
                    b"%x\r\n%s\r\n" % (len(part), part)
                    for part in (body[:half], body[half:])
                    if part
                )
                writer.write(
                    b"HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\n"
                    b"Transfer-Encoding: chunked\r\n\r\n" + payload + b"0\r\n\r\n"
                )
            else:
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
                )
            await writer.drain()
        writer.close()


async def _posts(client: HttpClient, url: str, bodies: list[bytes], **kw: str) -> list[tuple]:
    out = []
    for body in bodies:
        answer = await client.post(url, content=body, headers={"X-A": "1"}, **kw)
        out.append((answer.status_code, answer.headers["content-type"], answer.content))
        await asyncio.sleep(0.01)  # lets a server's close reach the client
    return out


async def _tcp(handler: Handler, bodies: list[bytes]) -> list[tuple]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = HttpClient()
    try:
        return await _posts(client, f"http://127.0.0.1:{port}/predict", bodies)
    finally:
        await client.aclose()
        server.close()


def test_connections_are_kept_alive() -> None:
    echo = Echo()
    bodies = [b'{"instances": [%d]}' % i for i in range(5)]
    assert asyncio.run(_tcp(echo, bodies)) == [(200, "application/json", b) for b in bodies]
    assert echo.connections == 1
    assert echo.requests[0] == b'POST /predict HTTP/1.1 {"instances": [0]}'


def test_a_connection_closed_by_the_server_is_replaced() -> None:
    echo = Echo(close_after=2)
    bodies = [b"a" * 10, b"b" * 20, b"c" * 30, b"d" * 40, b"e"]
    assert [a[2] for a in asyncio.run(_tcp(echo, bodies))] == bodies
    assert echo.connections == 3


def test_chunked_answers_are_read_whole() -> None:
    answers = asyncio.run(_tcp(Echo(chunked=True), [b"0123456789", b"x"]))
    assert answers == [(201, "text/plain", b"0123456789"), (201, "text/plain", b"x")]


async def test_posts_over_a_unix_socket(tmp_path: Path) -> None:
    path = str(tmp_path / "s.sock")
    echo = Echo()
    server = await asyncio.start_unix_server(echo, path)
    client = HttpClient()
    try:
        answers = await _posts(client, "http://localhost/predict", [b"0", b"1"], unix_socket=path)
        assert [a[2] for a in answers] == [b"0", b"1"]
        assert echo.requests == [b"POST /predict HTTP/1.1 0", b"POST /predict HTTP/1.1 1"]
        assert echo.connections == 1
    finally:
        await client.aclose()
        server.close()
    with pytest.raises(ConnectError, match="cannot connect to localhost:"):
        await HttpClient().post(
            "http://localhost/p", content=b"", headers={}, unix_socket=str(tmp_path / "none")
        )


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


async def test_https_verifies_the_server_and_keeps_the_connection(tmp_path: Path) -> None:
    cert, key = _certificate(tmp_path)
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(cert, key)
    echo = Echo()
    server = await asyncio.start_server(echo, "127.0.0.1", 0, ssl=server_side)
    port = server.sockets[0].getsockname()[1]
    trusting = ssl.create_default_context(cafile=str(cert))
    client = HttpClient(tls=trusting)
    try:
        answers = await _posts(client, f"https://localhost:{port}/v1/x:predict", [b"1", b"2"])
        assert [a[2] for a in answers] == [b"1", b"2"]
        assert echo.connections == 1
        assert echo.requests[0] == b"POST /v1/x:predict HTTP/1.1 1"
        with pytest.raises(ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            await HttpClient().post(f"https://localhost:{port}/p", content=b"", headers={})
    finally:
        await client.aclose()
        server.close()


async def test_nothing_listening_is_a_connect_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening
        with pytest.raises(ConnectError, match=f"cannot connect to 127.0.0.1:{port}"):
            await HttpClient().post(f"http://127.0.0.1:{port}/p", content=b"", headers={})


async def test_a_silent_server_times_out_and_a_garbled_one_is_a_read_error() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()

    async def garbled(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"not HTTP at all\r\n\r\n")
        await writer.drain()
        await reader.read()

    async def cut(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
        await writer.drain()
        writer.close()

    for handler, error, message in [
        (silent, TimeoutError_, "no answer from .* within 0.3 s"),
        (garbled, ReadError, "a malformed answer"),
        (cut, ReadError, "closed mid-answer"),
    ]:
        server = await asyncio.start_server(handler, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        client = HttpClient(timeout=0.3)
        with pytest.raises(error, match=message):
            await client.post(f"http://127.0.0.1:{port}/p", content=b"x", headers={})
        await client.aclose()
        server.close()
