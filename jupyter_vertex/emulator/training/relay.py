"""The relays a training replica's wrapper runs, so the replica reaches the embedded Vertex
across restarts and local storage without holding a Cloud Storage client's credentials.

Replicas outlive the emulator (see :mod:`.replica_process`), but the addresses in their
environment (``STORAGE_EMULATOR_HOST``, ``JUPYTER_VERTEX_EMULATOR_URL``) are fixed when they
start, and a restart may get other ports. So the wrapper runs one relay
(:class:`..storage.relay.Relay`) per such address, on a free loopback port of its own, and
gives the steps the relay's address instead. Each new connection goes to the address
recorded in the data dir's ``addresses.json`` at that moment (read again per connection).
The storage relay also adds the embedded Vertex's token to each request, as local storage
requires it (:mod:`..storage.auth`) and a plain ``storage.Client()`` sends none; it answers
only this user. Everything stops with the wrapper's process.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..core.addresses import port_of, read_addresses
from ..core.connection import STORAGE_ENV, URL_ENV
from ..storage.relay import Relay, Target

STORAGE_KEY = "storage_url"  # the key in addresses.json whose relay adds the token


def target_of(addresses: Path, key: str) -> Target | None:
    """The (host, port) recorded under ``key``; None while there is none."""
    url = read_addresses(addresses).get(key)
    host = urllib.parse.urlsplit(url or "").hostname
    port = port_of(url)
    return (host, port) if host and port else None


def _locator(addresses: Path, key: str) -> Callable[[], Target | None]:
    return lambda: target_of(addresses, key)


def relay_spec(addresses: Path, env: dict[str, str], url: str, token: str) -> dict[str, Any]:
    """For a replica's ``steps.json``: which of its variables (``env``) name the embedded
    Vertex's addresses (its API at ``url``, local storage) for the wrapper to relay, and the
    token the storage relay adds."""
    names = {STORAGE_ENV: STORAGE_KEY}
    if url and env.get(URL_ENV) == url:
        names[URL_ENV] = "url"
    return {"addresses": str(addresses), "env": names, "token": token}


def start_relays(spec: dict[str, object] | None, env: dict[str, str]) -> list[Relay]:
    """Start a relay for each variable ``spec`` names that ``env`` has, and point the
    variable at it. ``spec``: ``{"addresses": PATH, "env": {NAME: KEY}, "token": T}`` (see
    the runner); the relay for :data:`STORAGE_KEY` adds ``T``."""
    if not spec:
        return []
    addresses = Path(str(spec["addresses"]))
    names = spec.get("env")
    token = str(spec.get("token") or "")
    relays = []
    for name, key in (names if isinstance(names, dict) else {}).items():
        if not env.get(name):
            continue
        host = urllib.parse.urlsplit(env[name]).hostname or "127.0.0.1"
        relay = Relay(_locator(addresses, str(key)), host, token if key == STORAGE_KEY else "")
        env[name] = relay.url
        relays.append(relay)
    return relays
