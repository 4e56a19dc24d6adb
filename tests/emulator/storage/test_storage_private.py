"""Local storage answers only this user (issue 16, point 4): a request without the embedded
Vertex's token is refused with Cloud Storage's error; a plain client works through a relay
that adds the token, and that relay refuses another user of the machine."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
import uuid

import pytest
import requests
from google.auth.exceptions import InvalidOperation
from google.cloud import storage  # type: ignore[attr-defined]
from google.oauth2.credentials import Credentials

from jupyter_vertex.emulator.storage.peers import owner_in
from jupyter_vertex.emulator.storage.relay import storage_relay
from jupyter_vertex.emulator.testing import EmulatorProcess

NOBODY = 65534
ANONYMOUS = (
    "Anonymous caller does not have access to local Cloud Storage: it answers requests with "
    "'Authorization: Bearer <token>' (the embedded Vertex's token), as "
    "jupyter_vertex.emulator.init() sets up."
)
WHERE = {"domain": "global", "locationType": "header", "location": "Authorization"}


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


def test_a_request_without_the_token_is_refused(
    emulator: EmulatorProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    buckets = f"{emulator.storage_url}/storage/v1/b"
    bucket = f"private-{uuid.uuid4().hex[:8]}"
    anonymous = requests.post(buckets, params={"project": "p"}, json={"name": bucket}, timeout=10)
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"] == 'Bearer realm="local Cloud Storage"'
    assert anonymous.json() == {
        "error": {
            "code": 401,
            "message": ANONYMOUS,
            "errors": [{"message": ANONYMOUS, "reason": "required", **WHERE}],
        }
    }
    wrong = requests.get(buckets, headers={"Authorization": "Bearer not-it"}, timeout=10)
    assert wrong.status_code == 401
    assert wrong.json() == {
        "error": {
            "code": 401,
            "message": "Invalid Credentials",
            "errors": [{"message": "Invalid Credentials", "reason": "authError", **WHERE}],
        }
    }
    # google-cloud-storage, as a user's code builds it: anonymous to an emulator host. On
    # a 401 it asks its credentials for a new token, which anonymous ones cannot give.
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", emulator.storage_url)
    with pytest.raises(InvalidOperation, match="^Anonymous credentials cannot be refreshed.$"):
        storage.Client(project="p").create_bucket(bucket)
    # given the token as its credentials, the same client is served
    client = storage.Client(project="p", credentials=Credentials(token=emulator.token))
    assert client.lookup_bucket(bucket) is None  # nothing was created by the refused ones
    client.create_bucket(bucket).blob("a.txt").upload_from_string(b"mine")
    assert client.bucket(bucket).blob("a.txt").download_as_bytes() == b"mine"


def test_a_plain_client_reaches_storage_through_a_relay_that_adds_the_token(
    emulator: EmulatorProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    relay = storage_relay(emulator.storage_url, emulator.token)
    assert relay.startswith("http://127.0.0.1:") and relay != emulator.storage_url
    assert storage_relay(emulator.storage_url, emulator.token) == relay  # one per process
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", relay)
    bucket = f"relayed-{uuid.uuid4().hex[:8]}"
    client = storage.Client(project="p")
    blob = client.create_bucket(bucket).blob("dir/data.bin")
    blob.upload_from_string(b"x" * 300_000)  # more than one read of the relay
    assert [b.name for b in client.list_blobs(bucket)] == ["dir/data.bin"]
    found = client.bucket(bucket).get_blob("dir/data.bin")
    assert found is not None and found.media_link.startswith(f"{relay}/download/")
    assert found.download_as_bytes() == b"x" * 300_000
    # the relay's token replaces whatever a client sent
    wrong = storage.Client(project="p", credentials=Credentials(token="not-it"))
    assert wrong.bucket(bucket).blob("dir/data.bin").download_as_bytes() == b"x" * 300_000


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


def test_a_relay_refuses_another_user_and_serves_this_one(emulator: EmulatorProcess) -> None:
    if os.getuid() != 0:
        pytest.skip("acting as another user needs root (CI runs as root)")
    relay = storage_relay(emulator.storage_url, emulator.token)
    status, body = _request(relay, as_nobody=False)
    assert status == 200, body
    status, body = _request(relay, as_nobody=True)
    assert status == 403
    message = "This relay to local Cloud Storage answers only the user who runs it."
    assert json.loads(body) == {
        "error": {
            "code": 403,
            "message": message,
            "errors": [{"message": message, "domain": "global", "reason": "forbidden"}],
        }
    }
