"""Local storage answers only the user who runs the embedded Vertex (issue 18: "only this
user"): another user's request is refused with Google's error model, this user's served."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request

import pytest

from jupyter_vertex.emulator.storage.peers import owner_in
from jupyter_vertex.emulator.testing import EmulatorProcess

NOBODY = 65534


TABLE = """  sl  local_address rem_address   st tx_queue rx_queue tr tm->when ... uid timeout
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1 1
   1: 0100007F:D431 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1001        0 2 1
   2: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000  1000        0 3 1
   3: 0100007F:D432 0100007F:1F90 06 00000000:00000000 00:00000000 00000000  1002        0 4 1
"""


def test_the_client_end_of_a_connection_names_its_owner() -> None:
    # 0xD431 -> 0x1F90 (54321 -> 8080) is the client's end, owned by uid 1001
    assert owner_in(TABLE, 54321, 8080) == 1001
    # the server's end of the same connection is not the client's
    assert owner_in(TABLE, 8080, 54321) == 1000
    # a closing (TIME_WAIT) socket and an unknown pair say nothing
    assert owner_in(TABLE, 54322, 8080) is None
    assert owner_in(TABLE, 1, 8080) is None


def _request(url: str, *, as_nobody: bool) -> tuple[int, str]:
    """GET the bucket list from a forked child, as ``nobody`` when asked (the child only
    uses modules already imported: nobody may not read this interpreter's files)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer "STATUS BODY" on the pipe, whatever happens
        code = 1
        try:
            if as_nobody:
                os.setgid(NOBODY)
                os.setuid(NOBODY)
            try:
                page = f"{url}/storage/v1/b?project=p"
                with urllib.request.urlopen(page, timeout=10) as r:  # noqa: S310 - loopback
                    out = f"{r.status} {r.read().decode()}"
            except urllib.error.HTTPError as error:
                out = f"{error.code} {error.read().decode()}"
            os.write(write_end, out.encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as answer:
        text = answer.read().decode()
    _, status_code = os.waitpid(pid, 0)
    assert status_code == 0, text
    status, _, body = text.partition(" ")
    return int(status), body


def test_another_user_is_refused_and_this_user_served(emulator: EmulatorProcess) -> None:
    if os.getuid() != 0:
        pytest.skip("acting as another user needs root (CI runs as root)")
    status, body = _request(emulator.storage_url, as_nobody=False)
    assert status == 200, body
    status, body = _request(emulator.storage_url, as_nobody=True)
    assert status == 403
    assert json.loads(body) == {
        "error": {
            "code": 403,
            "message": "Local Cloud Storage answers only the user who runs the embedded "
            f"Vertex (uid {os.getuid()}).",
            "status": "PERMISSION_DENIED",
        }
    }
