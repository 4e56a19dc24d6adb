"""The real thing: the Jupyter server runs and supervises its own embedded Vertex.

No external emulator here: the extension starts ``python -m jupyter_vertex.emulator``,
publishes the connection for kernels, restarts it after a SIGKILL and stops it with the
server.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import stat
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from jupyter_vertex.backend.publisher import PUBLISHED_ENV
from jupyter_vertex.emulator.core.connection import EmulatorConnection

from .test_supervisor import alive


@pytest.fixture
def vertex_config(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    for name in PUBLISHED_ENV:
        monkeypatch.delenv(name, raising=False)
    return {"emulator_restart_backoff": 0.1}


async def wait_for(
    api: Any, predicate: Callable[[dict[str, Any]], bool], timeout: float = 60
) -> dict[str, Any]:
    """Poll GET /status until ``predicate(status)``; fail at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        code, status = await api("GET", "status")
        assert code == 200, status
        if predicate(status):
            return status
        assert time.monotonic() < deadline, f"status never matched: {status}"
        await asyncio.sleep(0.05)


def running(status: dict[str, Any]) -> bool:
    return status["emulator"]["state"] == "running"


@pytest.fixture
def envdump_kernel(jp_kernel_dir: Path, tmp_path: Path) -> Path:
    """A kernelspec whose "kernel" writes its environment to a file and waits."""
    out = tmp_path / "kernel-env.json"
    code = (
        "import json, os, sys, time; "
        f"open({str(out)!r} + '.tmp', 'w').write(json.dumps(dict(os.environ))); "
        f"os.replace({str(out)!r} + '.tmp', {str(out)!r}); "
        "time.sleep(60)"
    )
    spec = jp_kernel_dir / "envdump"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-c", code, "{connection_file}"],
                "display_name": "envdump",
                "language": "python",
            }
        )
    )
    return out


def read_if_there(path: Path) -> str:
    return path.read_text() if path.exists() else ""


async def kernel_environment(jp_fetch: Any, jp_serverapp: Any, out: Path) -> dict[str, str]:
    """Start the envdump kernel through Jupyter's REST API; answer its environment."""
    response = await jp_fetch("api", "kernels", method="POST", body=json.dumps({"name": "envdump"}))
    kernel_id = json.loads(response.body)["id"]
    try:
        deadline = time.monotonic() + 30
        while not (text := read_if_there(out)):
            assert time.monotonic() < deadline, "the kernel never started"
            await asyncio.sleep(0.05)
        environment: dict[str, str] = json.loads(text)
        return environment
    finally:
        await jp_serverapp.kernel_manager.shutdown_kernel(kernel_id, now=True)


async def test_supervised_lifecycle(
    api: Any,
    jp_fetch: Any,
    jp_serverapp: Any,
    jp_runtime_dir: Path,
    jp_data_dir: Path,
    envdump_kernel: Path,
) -> None:
    status = await wait_for(api, running)
    emulator = status["emulator"]
    pid = emulator["pid"]
    assert status["backend"] == "local"
    assert (status["project"], status["region"], status["account"]) == (
        "local-project",
        "us-central1",
        None,
    )
    assert emulator["managed"] is True
    assert (emulator["restarts"], emulator["reason"]) == (0, None)
    assert emulator["url"].startswith("http://127.0.0.1:")
    assert alive(pid)

    # Its state lives under the Jupyter data dir; its connection is published for kernels.
    data_dir = jp_data_dir / "jupyter_vertex" / "emulator"
    assert (data_dir / "vertex.sqlite3").exists()
    token = EmulatorConnection.read(data_dir / "connection.json").token
    runtime_file = jp_runtime_dir / "jupyter_vertex_emulator.json"
    assert stat.S_IMODE(runtime_file.stat().st_mode) == 0o600
    published = EmulatorConnection.read(runtime_file)
    assert published.url == emulator["url"]
    assert published.token == token
    assert (published.project, published.location) == ("local-project", "us-central1")
    assert published.storage_url and published.storage_url.startswith("http://127.0.0.1:")
    assert EmulatorConnection.from_env() == published

    # A kernel started by this server inherits the connection.
    environment = await kernel_environment(jp_fetch, jp_serverapp, envdump_kernel)
    assert EmulatorConnection.from_env(environment) == published

    # The API works through the supervised emulator.
    code, created = await api("POST", "endpoints", body={"displayName": "survivor"})
    assert code == 201

    # Killed: restarted, on the same address, with a new pid and the same state.
    os.kill(pid, signal.SIGKILL)
    status = await wait_for(api, lambda s: running(s) and s["emulator"]["pid"] not in (None, pid))
    assert status["emulator"]["restarts"] == 1
    assert status["emulator"]["url"] == emulator["url"]
    assert not alive(pid)
    assert await api("GET", "endpoints", created["id"]) == (200, created)
    assert EmulatorConnection.read(runtime_file) == published
    new_pid = status["emulator"]["pid"]

    # The server stops: so does the emulator; the published connection is withdrawn.
    await jp_serverapp.cleanup_extensions()
    assert not alive(new_pid)
    assert not runtime_file.exists()
    assert all(name not in os.environ for name in PUBLISHED_ENV)


class TestFailingEmulator:
    """An emulator that cannot start: status says why, the API answers 503, not 500."""

    @pytest.fixture
    def vertex_config(self, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
        monkeypatch.setenv("FAKE_EMULATOR_MODE", "crash")
        return {"emulator_max_restarts": 1, "emulator_restart_backoff": 0.05}

    @pytest.fixture
    def jp_server_config(self, jp_server_config: Any) -> Any:
        from .test_supervisor import FAKE

        jp_server_config.EmulatorSupervisor.command = FAKE
        return jp_server_config

    async def test_failure_is_reported(self, api: Any) -> None:
        status = await wait_for(api, lambda s: s["emulator"]["state"] == "failed")
        emulator = status["emulator"]
        assert emulator["restarts"] == 1
        assert emulator["reason"].startswith("exited with code 3 before it was ready")
        assert emulator["reason"].endswith("gave up after 1 restarts")
        assert emulator["url"] is None
        code, error = await api("GET", "models")
        assert (code, error["reason"]) == (503, "UNAVAILABLE")
        assert error["message"].startswith("The embedded Vertex failed: exited with code 3")


class TestConnectionFile:
    """``emulator_connection_file``: use a running emulator described by its file."""

    @pytest.fixture
    def vertex_config(self, emulator: Any, project_id: str) -> dict[str, Any]:
        return {
            "emulator_connection_file": str(Path(emulator.data_dir) / "connection.json"),
            "project": project_id,
        }

    async def test_status_and_calls(self, api: Any, emulator: Any, project_id: str) -> None:
        code, status = await api("GET", "status")
        assert code == 200
        assert status["project"] == project_id
        assert status["emulator"] == {
            "state": "running",
            "managed": False,
            "url": emulator.url,
            "pid": emulator.pid,
            "restarts": 0,
            "reason": None,
        }
        assert await api("GET", "models") == (200, {"models": [], "nextPageToken": None})
        assert os.environ["JUPYTER_VERTEX_EMULATOR_URL"] == emulator.url
        assert os.environ["JUPYTER_VERTEX_PROJECT"] == project_id


class TestSwappableClasses:
    """``client_factory_class`` and ``supervisor_class`` are traitlets Types."""

    @pytest.fixture
    def vertex_config(self) -> dict[str, Any]:
        from jupyter_vertex.backend.clients import ClientFactory
        from jupyter_vertex.backend.supervisor import EmulatorSupervisor

        class MyFactory(ClientFactory):
            pass

        class MySupervisor(EmulatorSupervisor):
            pass

        return {"client_factory_class": MyFactory, "supervisor_class": MySupervisor}

    async def test_the_configured_classes_are_used(self, vertex_app: Any) -> None:
        assert type(vertex_app.clients).__name__ == "MyFactory"
        assert type(vertex_app.emulator).__name__ == "MySupervisor"
        assert vertex_app.clients.emulator is vertex_app.emulator
        await vertex_app.emulator.stop()
