"""Loopback relays: a port of a process's own that forwards to the embedded Vertex.

Two uses. A training replica outlives restarts of the embedded Vertex, which may get other
ports, so its wrapper relays to the address recorded *now* (``locate`` is asked per
connection; training/relay.py). And plain Cloud Storage clients (``storage.Client()``,
which sends no credentials to an emulator host) reach local storage, which answers only
the token (:mod:`.auth`), through a relay given the token: it puts ``Authorization: Bearer``
into each connection's request head. Such a relay runs inside the process that needs it (a
replica's wrapper, a model server, a pipeline's driver, a kernel after
``emulator.init()``) and ends with it.

A relay that adds the token must not be a way in for others, so it answers only connections
whose socket the kernel says belongs to this user or root (:mod:`.peers`, Linux; elsewhere
it cannot tell and answers anyone on the machine, see docs/emulator.md); others get 403 in
Cloud Storage's error format. One request per connection is given the token: local storage
speaks HTTP/1.0 and closes each connection after its answer, so a client never sends a
second request on it; one that did would reach storage without the token and be refused.

Bytes otherwise pass through unchanged. Threads only, bounded: at most
:data:`MAX_CONNECTIONS` at once (more are closed at once), each closed after
:data:`IDLE_LIMIT` seconds without traffic. While ``locate`` answers nothing, or nothing
listens there (a restart), a connection waits up to :data:`CONNECT_WAIT` seconds. Cheap to
import: a replica's wrapper imports it at each start.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable

from . import peers
from .auth import error_answer, error_body, with_token

MAX_CONNECTIONS = 32
CONNECT_WAIT = 60.0  # seconds a connection waits for an emulator (google-cloud-storage: 60)
IDLE_LIMIT = 600.0
RETRY_EVERY = 0.1
CHUNK = 65536
MAX_HEAD = 65536  # bytes of request head; gcp-storage-emulator's own line limit is 64 KiB

Target = tuple[str, int]


class Relay:
    """Forwards each connection to ``locate()``; with ``token``, adds it (see above)."""

    def __init__(
        self, locate: Callable[[], Target | None], host: str = "127.0.0.1", token: str = ""
    ) -> None:
        self.locate = locate
        self.token = token
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._listener = socket.create_server((host, 0), family=family)
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self.port = int(self._listener.getsockname()[1])
        self.url = f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"
        self._checking = bool(token) and peers.can_check()
        self._allowed = peers.allowed_uids()
        threading.Thread(target=self._accept, name=f"relay-{self.port}", daemon=True).start()

    def close(self) -> None:
        self._listener.close()  # ends the accept loop

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:  # closed
                return
            if not self._slots.acquire(blocking=False):
                client.close()
                continue
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            if self._refused(client):
                return
            upstream = self._connect()
            if upstream is None:
                return
            with upstream:
                if self.token and not self._send_head(client, upstream):
                    return
                pipe(client, upstream)
        except OSError:
            return
        finally:
            client.close()
            self._slots.release()

    def _refused(self, client: socket.socket) -> bool:
        """Answer 403 to another user's connection (only where the kernel can tell)."""
        if not self._checking:
            return False
        if peers.peer_uid(client.getpeername()[1], self.port) in self._allowed:
            return False
        message = "This relay to local Cloud Storage answers only the user who runs it."
        client.sendall(error_answer("Forbidden", 403, error_body(403, message, "forbidden")))
        return True

    def _send_head(self, client: socket.socket, upstream: socket.socket) -> bool:
        """Read the request head, send it on with the token, then what followed it."""
        data = b""
        while b"\r\n\r\n" not in data:
            if len(data) > MAX_HEAD:
                return False
            chunk = client.recv(CHUNK)
            if not chunk:
                return False
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        upstream.sendall(with_token(head, self.token) + b"\r\n\r\n" + rest)
        return True

    def _connect(self) -> socket.socket | None:
        deadline = time.monotonic() + CONNECT_WAIT
        while True:
            target = self.locate()
            if target is not None:
                try:
                    upstream = socket.create_connection(target, timeout=5)
                    upstream.settimeout(None)
                    return upstream
                except OSError:  # restarting: not listening yet
                    pass
            if time.monotonic() >= deadline:
                return None
            time.sleep(RETRY_EVERY)


def target(url: str) -> Target | None:
    """``(host, port)`` of an ``http://host:port`` URL; None when it names none."""
    try:
        parts = urllib.parse.urlsplit(url)
        return (parts.hostname, parts.port) if parts.hostname and parts.port else None
    except ValueError:
        return None


def pipe(a: socket.socket, b: socket.socket) -> None:
    """Copy bytes both ways until both sides have finished sending (or an error, or
    :data:`IDLE_LIMIT` seconds without traffic); a side's end is passed on as a half-close."""
    peer = {a: b, b: a}
    reading = [a, b]
    while reading:
        ready, _, _ = select.select(reading, [], [], IDLE_LIMIT)
        if not ready:
            return
        for sock in ready:
            try:
                data = sock.recv(CHUNK)
                if data:
                    peer[sock].sendall(data)
                    continue
            except OSError:
                return
            reading.remove(sock)
            with contextlib.suppress(OSError):
                peer[sock].shutdown(socket.SHUT_WR)


_lock = threading.Lock()
_in_process: dict[tuple[str, str], Relay] = {}


def storage_relay(storage_url: str, token: str) -> str:
    """The address of a relay in this process that adds ``token`` to requests for the local
    storage at ``storage_url`` (one per address and token, started on first use): what a
    process gives its plain Cloud Storage clients as ``STORAGE_EMULATOR_HOST``."""
    fixed = target(storage_url)
    if fixed is None or not token:
        return storage_url
    with _lock:
        relay = _in_process.get((storage_url, token))
        if relay is None:
            relay = Relay(lambda: fixed, fixed[0], token)
            _in_process[(storage_url, token)] = relay
        return relay.url
