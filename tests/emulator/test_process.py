"""The process: CLI contract, token and connection files, restarts, concurrency, LRO timing."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from jupyter_vertex.emulator.testing import EmulatorProcess

from .emulator_api import Api

PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def own_emulator(tmp_path: Path) -> Iterator[EmulatorProcess]:
    """A private emulator, for tests that restart or stop it."""
    emu = EmulatorProcess(tmp_path / "vertex")
    with emu:
        yield emu


def _cli(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": PACKAGE_ROOT}
    return subprocess.run(
        [sys.executable, "-m", "jupyter_vertex.emulator", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "example.com", "::"])
def test_non_loopback_hosts_are_refused(tmp_path: Path, host: str) -> None:
    result = _cli("--data-dir", str(tmp_path), "--host", host)
    assert result.returncode == 2
    assert "binds loopback addresses only" in result.stderr
    assert "JUPYTER_VERTEX_EMULATOR_READY" not in result.stdout
    assert not (tmp_path / "connection.json").exists()


def test_ready_line_connection_file_and_sigterm(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": PACKAGE_ROOT}
    env.pop("JUPYTER_VERTEX_EMULATOR_TOKEN", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyter_vertex.emulator", "--data-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        prefix, _, payload = line.partition(" ")
        assert prefix == "JUPYTER_VERTEX_EMULATOR_READY"
        ready = json.loads(payload)
        assert set(ready) == {"url", "storage_url", "pid"}
        assert ready["pid"] == process.pid
        assert ready["url"].startswith("http://127.0.0.1:")
        assert ready["storage_url"].startswith("http://127.0.0.1:")
        connection_file = tmp_path / "connection.json"
        connection = json.loads(connection_file.read_text())
        assert connection == {
            **ready,
            "token": connection["token"],
            "grpc_address": connection["grpc_address"],
            "tls_cert": str(tmp_path / "tls" / "cert.pem"),
        }
        assert re.fullmatch(r"127\.0\.0\.1:\d+", connection["grpc_address"])
        assert connection["grpc_address"] != ready["url"].removeprefix("http://")
        assert _mode(tmp_path / "tls" / "key.pem") == 0o600
        assert _mode(connection_file) == 0o600
        token_file = tmp_path / "token"
        assert token_file.read_text().strip() == connection["token"]
        assert _mode(token_file) == 0o600
        assert connection["token"] not in line
        assert (tmp_path / "vertex.sqlite3").exists()
        assert (tmp_path / "storage").is_dir()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        assert not connection_file.exists()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()
        process.stderr.close()


def test_one_process_per_data_dir(own_emulator: EmulatorProcess) -> None:
    result = _cli("--data-dir", str(own_emulator.data_dir))
    assert result.returncode == 2
    assert f"another embedded Vertex (pid {own_emulator.pid}) is using" in result.stderr
    connection = json.loads((own_emulator.data_dir / "connection.json").read_text())
    assert connection["pid"] == own_emulator.pid
    api = Api(own_emulator, "still-serving")
    assert api.ok("GET", f"v1/{api.parent}/models") == {}


def test_sigint_stops_cleanly_too(own_emulator: EmulatorProcess) -> None:
    assert own_emulator.pid is not None
    os.kill(own_emulator.pid, signal.SIGINT)
    assert own_emulator._process is not None
    assert own_emulator._process.wait(timeout=15) == 0


def test_token_is_kept_across_restarts(own_emulator: EmulatorProcess) -> None:
    token_file = own_emulator.data_dir / "token"
    token = own_emulator.token
    assert token and token_file.read_text().strip() == token
    own_emulator.restart()
    assert own_emulator.token == token
    assert _mode(token_file) == 0o600


def test_the_token_can_come_from_the_environment(tmp_path: Path) -> None:
    with EmulatorProcess(tmp_path, token="given-token-123") as emu:
        assert emu.token == "given-token-123"
        api = Api(emu, "p-env")
        assert api.ok("GET", f"v1/{api.parent}/models") == {}
        api.error("GET", f"v1/{api.parent}/models", token="other", status="UNAUTHENTICATED")
    assert not (tmp_path / "token").exists()


def test_state_survives_a_restart(own_emulator: EmulatorProcess) -> None:
    api = Api(own_emulator, "persist")
    model = api.upload("kept", labels={"a": "b"}, modelId="kept-model")
    api.upload("kept", parentModel=model["name"], versionAliases=["canary"])
    endpoint = api.create_endpoint("kept", endpointId="kept-endpoint")
    other = api.create_endpoint("kept-2")
    operations = api.ok("GET", f"v1/{endpoint['name']}/operations")
    before = {
        "models": api.ok("GET", f"v1/{api.parent}/models"),
        "versions": api.ok("GET", f"v1/{model['name']}:listVersions"),
        "endpoints": api.ok("GET", f"v1/{api.parent}/endpoints"),
        "operations": operations,
        "other": api.ok("GET", f"v1/{other['name']}"),
    }
    url = own_emulator.url
    own_emulator.restart()
    assert own_emulator.url == url
    api = Api(own_emulator, "persist")
    after = {
        "models": api.ok("GET", f"v1/{api.parent}/models"),
        "versions": api.ok("GET", f"v1/{model['name']}:listVersions"),
        "endpoints": api.ok("GET", f"v1/{api.parent}/endpoints"),
        "operations": api.ok("GET", f"v1/{endpoint['name']}/operations"),
        "other": api.ok("GET", f"v1/{other['name']}"),
    }
    assert after == before
    # ids keep counting where they were
    assert api.upload("kept", parentModel=model["name"])["versionId"] == "3"


def test_concurrent_writes_do_not_corrupt(emulator: EmulatorProcess) -> None:
    api = Api(emulator, "concurrent")
    model = api.upload("shared")
    errors: list[str] = []
    created: list[str] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        local = Api(emulator, "concurrent")
        try:
            for round_ in range(4):
                endpoint = local.create_endpoint(f"e-{index}-{round_}")
                version = local.upload("shared", parentModel=model["name"])
                alias = f"w{index}-r{round_}"
                local.ok(
                    "POST",
                    f"v1/{model['name']}@{version['versionId']}:mergeVersionAliases",
                    {"versionAliases": [alias, "default"]},
                )
                with lock:
                    created.append(endpoint["name"])
        except Exception as error:  # noqa: BLE001 - collected for the assertion
            with lock:
                errors.append(repr(error))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert len(created) == len(set(created)) == 32
    listed = api.ok("GET", f"v1/{api.parent}/endpoints", params={"pageSize": 1000})["endpoints"]
    assert sorted(e["name"] for e in listed) == sorted(created)
    versions = api.ok("GET", f"v1/{model['name']}:listVersions", params={"pageSize": 100})["models"]
    assert sorted(int(v["versionId"]) for v in versions) == list(range(1, 34))
    holders = [v["versionId"] for v in versions if "default" in v.get("versionAliases", [])]
    assert len(holders) == 1
    all_aliases = [a for v in versions for a in v.get("versionAliases", [])]
    assert len(all_aliases) == len(set(all_aliases)) == 33
    assert api.ok("GET", f"v1/{model['name']}")["versionId"] == holders[0]


# operations that finish later (--operation-delay) ---------------------------------------


@pytest.fixture
def slow_emulator(tmp_path: Path) -> Iterator[EmulatorProcess]:
    with EmulatorProcess(tmp_path / "slow", extra_args=["--operation-delay", "0.3"]) as emu:
        yield emu


def _create(api: Api, name: str) -> dict[str, Any]:
    return api.ok("POST", f"v1/{api.parent}/endpoints", {"displayName": name})


def test_pending_operations_finish_wait_and_cancel(slow_emulator: EmulatorProcess) -> None:
    api = Api(slow_emulator, "slow")
    pending = _create(api, "later")
    assert "done" not in pending
    endpoint_name = pending["name"].split("/operations/")[0]
    api.error("GET", f"v1/{endpoint_name}", status="NOT_FOUND")
    # a short wait answers the operation still running
    short = api.ok("POST", f"v1/{pending['name']}:wait", params={"timeout": "0.01s"})
    assert "done" not in short
    started = time.monotonic()
    finished = api.ok("POST", f"v1/{pending['name']}:wait", params={"timeout": "30s"})
    assert finished["done"] is True and time.monotonic() - started < 10
    assert finished["response"]["name"] == endpoint_name
    assert api.ok("GET", f"v1/{endpoint_name}")["displayName"] == "later"

    cancelled = _create(api, "never")
    assert api.ok("POST", f"v1/{cancelled['name']}:cancel") == {}
    state = api.ok("GET", f"v1/{cancelled['name']}")
    assert state["done"] is True
    assert state["error"] == {"code": 1, "message": "Operation was cancelled."}
    # an operation started after it finishes after it: by then the cancelled one has had
    # its turn, and must not have created anything
    after = _create(api, "after")
    assert api.ok("POST", f"v1/{after['name']}:wait", params={"timeout": "30s"})["done"] is True
    never = cancelled["name"].split("/operations/")[0]
    api.error("GET", f"v1/{never}", status="NOT_FOUND")
    assert api.ok("GET", f"v1/{cancelled['name']}") == state


def test_operations_left_running_are_aborted_on_restart(slow_emulator: EmulatorProcess) -> None:
    slow_emulator.extra_args = ["--operation-delay", "60"]
    slow_emulator.restart()
    api = Api(slow_emulator, "slow")
    pending = _create(api, "interrupted")
    assert "done" not in pending
    slow_emulator.restart()
    state = api.ok("GET", f"v1/{pending['name']}")
    assert state["done"] is True
    assert state["error"]["code"] == 10
    assert "interrupted" in state["error"]["message"]
    api.error("GET", f"v1/{pending['name'].split('/operations/')[0]}", status="NOT_FOUND")


# A stand-in supervisor: starts the emulator in its own session with --parent-pid, prints
# the emulator's pid, then waits to be killed.
_PARENT = """
import subprocess, sys, os, time
child = subprocess.Popen(
    [sys.executable, "-m", "jupyter_vertex.emulator", "--data-dir", sys.argv[1],
     "--parent-pid", str(os.getpid())],
    stdout=subprocess.PIPE, text=True, start_new_session=True,
)
line = child.stdout.readline()
print(child.pid, line.split(" ", 1)[0], flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    """Running, not a zombie (an unreaped orphan is dead for our purposes)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def test_exits_when_its_parent_is_killed(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": PACKAGE_ROOT}
    parent = subprocess.Popen(
        [sys.executable, "-c", _PARENT, str(tmp_path / "vertex")],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert parent.stdout is not None
        child_pid_text, ready = parent.stdout.readline().split()
        assert ready == "JUPYTER_VERTEX_EMULATOR_READY"
        child_pid = int(child_pid_text)
        assert _alive(child_pid)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        # Reparented children are reaped by init (or the nearest subreaper); poll until gone.
        deadline = time.monotonic() + 15
        while _alive(child_pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(child_pid), "the orphaned emulator kept running"
        # It stopped cleanly: the data dir is free again and its connection file removed.
        assert not (tmp_path / "vertex" / "connection.json").exists()
        with EmulatorProcess(tmp_path / "vertex"):
            pass
    finally:
        parent.kill()
        parent.wait(timeout=10)


# addresses that survive restarts ---------------------------------------------------------


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def test_a_new_process_on_the_same_data_dir_gets_the_same_ports(tmp_path: Path) -> None:
    with EmulatorProcess(tmp_path / "vertex") as first:  # port 0, storage port 0
        url, storage_url, grpc_address = first.url, first.storage_url, first.grpc_address
    addresses = tmp_path / "vertex" / "addresses.json"
    assert json.loads(addresses.read_text()) == {
        "url": url,
        "storage_url": storage_url,
        "grpc_url": f"https://{grpc_address}",
    }
    assert _mode(addresses) == 0o600
    with EmulatorProcess(tmp_path / "vertex") as second:  # port 0, storage port 0 again
        assert (second.url, second.storage_url) == (url, storage_url)
        assert second.grpc_address == grpc_address
        api = Api(second, "p-ports")
        assert api.ok("GET", f"v1/{api.parent}/models") == {}


def test_a_taken_port_is_replaced_and_an_asked_for_port_wins(tmp_path: Path) -> None:
    with EmulatorProcess(tmp_path / "vertex") as first:
        url, storage_url = first.url, first.storage_url
    # something else listens on the old storage port meanwhile
    with socket.create_server(("127.0.0.1", _port(storage_url))):
        with EmulatorProcess(tmp_path / "vertex") as second:
            assert second.url == url
            assert second.storage_url != storage_url
            bucket_list = f"{second.storage_url}/storage/v1/b"
            assert requests.get(bucket_list, headers=second.storage_headers, timeout=10).ok
            new_storage_url = second.storage_url
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        asked = int(probe.getsockname()[1])
    with EmulatorProcess(tmp_path / "vertex", port=asked) as third:
        assert third.url == f"http://127.0.0.1:{asked}" != url
        assert third.storage_url == new_storage_url  # the last run's, still free


# only this user ----------------------------------------------------------------------------


def _not_private(root: Path) -> list[tuple[str, str]]:
    """Folders under ``root`` that are not 0700 and files that are not 0600 (sockets and
    other special files aside)."""
    wrong = []
    for top, _dirs, files in os.walk(root):
        for path in [top, *(os.path.join(top, name) for name in files)]:
            try:
                mode = os.lstat(path).st_mode
            except FileNotFoundError:  # gone meanwhile
                continue
            expected = 0o700 if stat.S_ISDIR(mode) else 0o600 if stat.S_ISREG(mode) else None
            if expected is not None and stat.S_IMODE(mode) != expected:
                wrong.append((os.path.relpath(path, root), oct(stat.S_IMODE(mode))))
    return wrong


def test_the_data_dir_is_private_after_a_deploy_and_a_job(tmp_path: Path) -> None:
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression

    from .serving_helpers import sklearn_model, wait_for
    from .training_helpers import create_job, job_body, make_package, pool, wait_done

    data_dir = tmp_path / "vertex"
    with EmulatorProcess(data_dir) as emu:
        api = Api(emu, "p-private")
        features, target = load_digits(return_X_y=True)
        model = sklearn_model(api, LogisticRegression(max_iter=200).fit(features, target))
        endpoint = api.create_endpoint()
        resources = {"machineSpec": {"machineType": "n1-standard-2"}, "minReplicaCount": 1}
        body = {"deployedModel": {"model": model["name"], "dedicatedResources": resources}}
        started = api.ok("POST", f"v1/{endpoint['name']}:deployModel", body)
        deployed = wait_for(
            "the deploy", lambda: (op := api.ok("GET", f"v1/{started['name']}")).get("done") and op
        )
        assert "error" not in deployed, deployed
        code = "open('written-by-the-job.txt', 'w').write('x'); print('done')"
        job = create_job(api, job_body(pool(make_package(tmp_path / "pkg", code))))
        assert wait_done(api, job["name"])["state"] == "JOB_STATE_SUCCEEDED"
        assert list(data_dir.glob("jobs/*/replicas/*/work/written-by-the-job.txt"))
        assert list(data_dir.glob("jobs/*/python/pool0/sdist0/**/task.py"))
        assert list(data_dir.glob("serving/**/model.joblib"))
        assert _not_private(data_dir) == []


def test_an_existing_data_dir_is_made_private_at_start(tmp_path: Path) -> None:
    data_dir = tmp_path / "vertex"
    (data_dir / "storage" / "old-bucket").mkdir(parents=True)
    (data_dir / "storage" / "old-bucket" / "object").write_text("older version")
    (data_dir / "notes.txt").write_text("mine")
    outside = tmp_path / "outside.txt"
    outside.write_text("not the emulator's")
    (data_dir / "link").symlink_to(outside)
    for path in (data_dir, data_dir / "storage", data_dir / "storage" / "old-bucket"):
        path.chmod(0o755)
    for path in (data_dir / "notes.txt", data_dir / "storage" / "old-bucket" / "object", outside):
        path.chmod(0o644)
    with EmulatorProcess(data_dir):
        assert _mode(data_dir) == 0o700
        assert _not_private(data_dir) == []
        assert (data_dir / "notes.txt").read_text() == "mine"
    assert _mode(outside) == 0o644  # links are not followed
