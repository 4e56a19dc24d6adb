"""The predict forward's HTTP/1.1 client against a real socket server: kept-alive reuse,
chunked bodies, a connection the server closed meanwhile, nothing listening."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest

from jupyter_vertex.emulator.serving.loopback_http import LoopbackClient


class Server:
    """An HTTP/1.1 server on loopback that echoes the body, then ``close_after`` answers
    closes the connection (as a keep-alive timeout does)."""

    def __init__(self, close_after: int = 1000, chunked: bool = False) -> None:
        self.close_after = close_after
        self.chunked = chunked
        self.connections = 0
        self.server: asyncio.AbstractServer | None = None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        port: int = self.server.sockets[0].getsockname()[1]
        return port

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        for _ in range(self.close_after):
            request = await reader.readline()
            if not request:
                break
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            body = await reader.readexactly(length)
            if self.chunked:
                half = len(body) // 2
                payload = b"".join(
                    f"{len(part):x}\r\n".encode() + part + b"\r\n"
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
                    + f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
            await writer.drain()
        writer.close()

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()


async def _run(
    server: Server, client: LoopbackClient, bodies: list[bytes]
) -> list[tuple[int, str, bytes]]:
    port = await server.start()
    out = []
    try:
        for body in bodies:
            response = await client.post(
                f"http://127.0.0.1:{port}/predict",
                content=body,
                headers={"Content-Type": "application/json"},
            )
            out.append((response.status_code, response.headers["content-type"], response.content))
            await asyncio.sleep(0.01)  # lets the server's close reach the client
    finally:
        await client.aclose()
        await server.stop()
    return out


def test_connections_are_kept_alive() -> None:
    server = Server()
    bodies = [b'{"instances": [%d]}' % i for i in range(5)]
    answers = asyncio.run(_run(server, LoopbackClient(), bodies))
    assert answers == [(200, "application/json", body) for body in bodies]
    assert server.connections == 1


def test_a_connection_closed_by_the_server_is_replaced() -> None:
    server = Server(close_after=2)
    bodies = [b"a" * 10, b"b" * 20, b"c" * 30, b"d" * 40, b"e"]
    answers = asyncio.run(_run(server, LoopbackClient(), bodies))
    assert [a[2] for a in answers] == bodies
    assert server.connections == 3


def test_chunked_answers_are_read_whole() -> None:
    answers = asyncio.run(_run(Server(chunked=True), LoopbackClient(), [b"0123456789", b"x"]))
    assert answers == [(201, "text/plain", b"0123456789"), (201, "text/plain", b"x")]


def test_nothing_listening_is_a_connect_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening

        async def post() -> None:
            await LoopbackClient().post(f"http://127.0.0.1:{port}/p", content=b"", headers={})

        with pytest.raises(httpx.ConnectError, match=f"cannot connect to 127.0.0.1:{port}"):
            asyncio.run(post())
