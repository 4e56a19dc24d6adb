"""Loopback relays that let a training replica reach the embedded Vertex across restarts.

Replicas outlive the emulator (see :mod:`.replica_process`), but the addresses in their
environment (``STORAGE_EMULATOR_HOST``, and ``JUPYTER_VERTEX_EMULATOR_URL`` when they have
it) are fixed when they start, and a restart may get other ports. So the replica wrapper
runs one relay per such address, listening on a free loopback port of its own, and gives the
steps the relay's address instead. Each new connection goes to the address recorded in the
data dir's ``addresses.json`` at that moment (read again per connection); while no emulator
answers there (it is restarting), the connection waits up to :data:`CONNECT_WAIT` seconds for
one. Bytes pass through unchanged. Threads only, bounded: at most :data:`MAX_CONNECTIONS`
connections at once (more are closed at once), each closed after :data:`IDLE_LIMIT` seconds
without traffic; everything stops with the wrapper's process.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time
import urllib.parse
from pathlib import Path

from ..core.addresses import port_of, read_addresses

MAX_CONNECTIONS = 32
CONNECT_WAIT = 60.0  # seconds a connection waits for an emulator (google-cloud-storage: 60)
IDLE_LIMIT = 600.0
RETRY_EVERY = 0.1
CHUNK = 65536


class Relay:
    """Forwards connections to the address under ``key`` in ``addresses`` (a file)."""

    def __init__(self, addresses: Path, key: str, host: str = "127.0.0.1") -> None:
        self.addresses = addresses
        self.key = key
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._listener = socket.create_server((host, 0), family=family)
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        port = self._listener.getsockname()[1]
        self.url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
        threading.Thread(target=self._accept, name=f"relay-{key}", daemon=True).start()

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
            upstream = self._connect()
            if upstream is not None:
                with upstream:
                    pipe(client, upstream)
        finally:
            client.close()
            self._slots.release()

    def _connect(self) -> socket.socket | None:
        deadline = time.monotonic() + CONNECT_WAIT
        while True:
            target = target_of(self.addresses, self.key)
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


def target_of(addresses: Path, key: str) -> tuple[str, int] | None:
    """The (host, port) recorded under ``key``; None while there is none."""
    url = read_addresses(addresses).get(key)
    host = urllib.parse.urlsplit(url or "").hostname
    port = port_of(url)
    return (host, port) if host and port else None


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


def start_relays(spec: dict[str, object] | None, env: dict[str, str]) -> list[Relay]:
    """Start a relay for each variable ``spec`` names that ``env`` has, and point the
    variable at it. ``spec``: ``{"addresses": PATH, "env": {NAME: KEY}}`` (see the runner)."""
    if not spec:
        return []
    addresses = Path(str(spec["addresses"]))
    names = spec.get("env")
    relays = []
    for name, key in (names if isinstance(names, dict) else {}).items():
        if not env.get(name):
            continue
        host = urllib.parse.urlsplit(env[name]).hostname or "127.0.0.1"
        relay = Relay(addresses, str(key), host)
        env[name] = relay.url
        relays.append(relay)
    return relays
