"""Who is on the other end of a loopback TCP connection: the local user id that owns the
client's socket, read from the kernel's socket tables (Linux ``/proc/net/tcp``, ``tcp6``).

A relay that adds local storage's token for clients that send none (:mod:`.relay`) must not
be a way in for others: it answers only connections whose socket belongs to the user who
runs it (or to root, who can read its files anyway; containers run as root by default).
"""

from __future__ import annotations

import os
from pathlib import Path

TABLES = (Path("/proc/net/tcp"), Path("/proc/net/tcp6"))
ESTABLISHED = "01"


def _port(address: str) -> int:
    return int(address.rsplit(":", 1)[1], 16)


def owner_in(table: str, client_port: int, server_port: int) -> int | None:
    """The uid of the socket in ``table`` (a ``/proc/net/tcp`` text) whose local port is
    ``client_port`` and whose remote port is ``server_port``, or None."""
    for line in table.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 8 or fields[3] != ESTABLISHED:
            continue
        if _port(fields[1]) == client_port and _port(fields[2]) == server_port:
            return int(fields[7])
    return None


def peer_uid(client_port: int, server_port: int) -> int | None:
    """The uid owning the client end of a loopback connection to ``server_port``; None
    when the tables do not say (not Linux, or the client already went)."""
    for table in TABLES:
        try:
            text = table.read_text(encoding="ascii")
        except OSError:
            continue
        found = owner_in(text, client_port, server_port)
        if found is not None:
            return found
    return None


def allowed_uids() -> frozenset[int]:
    return frozenset({os.getuid(), 0})


def can_check() -> bool:
    return TABLES[0].exists()
