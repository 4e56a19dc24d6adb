"""The supervisor's process handling, against a fake CLI that follows the contract."""

from __future__ import annotations

import asyncio
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
from jupyter_vertex.backend.supervisor import EmulatorSupervisor
from jupyter_vertex.errors import Unavailable

FAKE = [sys.executable, str(Path(__file__).with_name("fake_emulator.py"))]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still "exists"; look at its state.
    try:
        status = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return False
    return status != "Z"


async def until(predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PUBLISHED_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def make(tmp_path: Path, clean_env: None) -> Any:
    made: list[EmulatorSupervisor] = []

    def factory(mode: str = "ok", **kwargs: Any) -> EmulatorSupervisor:
        kwargs.setdefault("restart_backoff", 0.05)
        kwargs.setdefault("runtime_file", tmp_path / "runtime" / "jupyter_vertex_emulator.json")
        supervisor = EmulatorSupervisor(
            data_dir=str(tmp_path / "emulator"),
            env={"FAKE_EMULATOR_MODE": mode},
            **kwargs,
        )
        supervisor.command = FAKE
        made.append(supervisor)
        return supervisor

    factory.made = made  # type: ignore[attr-defined]
    return factory


async def test_start_publish_stop(make: Any, tmp_path: Path) -> None:
    sup = make(project="proj", region="europe-west1")
    await sup.start()
    assert sup.status()["state"] == "starting"
    endpoint = await sup.wait_ready(20)
    try:
        status = sup.status()
        assert status == {
            "state": "running",
            "managed": True,
            "url": endpoint.url,
            "pid": endpoint.pid,
            "restarts": 0,
            "reason": None,
        }
        assert alive(endpoint.pid)
        token = (tmp_path / "emulator" / "token").read_text()
        assert endpoint.token == token
        assert os.environ["JUPYTER_VERTEX_EMULATOR_URL"] == endpoint.url
        assert os.environ["JUPYTER_VERTEX_EMULATOR_TOKEN"] == token
        assert os.environ["STORAGE_EMULATOR_HOST"] == endpoint.storage_url
        assert os.environ["JUPYTER_VERTEX_PROJECT"] == "proj"
        assert os.environ["JUPYTER_VERTEX_REGION"] == "europe-west1"
        runtime = sup.runtime_file
        assert stat.S_IMODE(runtime.stat().st_mode) == 0o600
        from jupyter_vertex.emulator.core.connection import EmulatorConnection

        assert EmulatorConnection.read(runtime) == EmulatorConnection(
            url=endpoint.url,
            token=token,
            storage_url=endpoint.storage_url,
            project="proj",
            location="europe-west1",
        )
        # The child does not get the published connection of a previous run.
        starts = (tmp_path / "emulator" / "starts").read_text().split()
        assert starts[2] == "None"
        # It is told who its parent is, so it exits if the server is killed.
        assert starts[3] == str(os.getpid())
    finally:
        await sup.stop()
    assert not alive(endpoint.pid)
    assert sup.status()["state"] == "stopped"
    assert not runtime.exists()
    assert all(name not in os.environ for name in PUBLISHED_ENV)


async def test_killed_emulator_is_restarted_on_the_same_port(make: Any) -> None:
    sup = make()
    await sup.start()
    first = await sup.wait_ready(20)
    try:
        os.kill(first.pid, signal.SIGKILL)
        await until(lambda: sup.status()["restarts"] == 1 and sup.status()["state"] == "running")
        second = await sup.wait_ready(20)
        assert second.pid != first.pid
        assert second.url == first.url  # kernels' connection stays valid
        assert second.token == first.token
        assert not alive(first.pid)
    finally:
        await sup.stop()
    assert not alive(second.pid)


async def test_status_while_restarting_says_why(make: Any) -> None:
    sup = make(restart_backoff=5)
    await sup.start()
    first = await sup.wait_ready(20)
    try:
        os.kill(first.pid, signal.SIGKILL)
        await until(lambda: sup.status()["state"] == "restarting")
        status = sup.status()
        assert status["reason"] == "killed by signal 9"
        assert status["url"] is None
        with pytest.raises(Unavailable) as info:
            await sup.wait_ready(0.1)
        assert "restarting" in info.value.message
    finally:
        await sup.stop()


async def test_crashing_emulator_gives_up_after_max_restarts(make: Any, tmp_path: Path) -> None:
    sup = make("crash", max_restarts=2)
    await sup.start()
    await until(lambda: sup.status()["state"] == "failed")
    status = sup.status()
    assert status["restarts"] == 2
    assert status["reason"].startswith("exited with code 3 before it was ready")
    assert "boom: cannot start" in status["reason"]
    assert status["reason"].endswith("gave up after 2 restarts")
    assert len((tmp_path / "emulator" / "starts").read_text().splitlines()) == 3
    with pytest.raises(Unavailable) as info:
        await sup.wait_ready(1)
    assert "failed" in info.value.message
    await sup.stop()
    assert sup.status()["state"] == "failed"


async def test_startup_timeout(make: Any) -> None:
    sup = make("hang", max_restarts=0, startup_timeout=0.5)
    await sup.start()
    await until(lambda: sup.status()["state"] == "failed")
    assert sup.status()["reason"].startswith("not ready within 0.5 s")
    pid = sup.status()["pid"]
    await sup.stop()
    assert pid is None or not alive(pid)


async def test_stubborn_emulator_is_killed(make: Any) -> None:
    sup = make("stubborn")
    sup.stop_timeout = 0.3
    await sup.start()
    endpoint = await sup.wait_ready(20)
    started = time.monotonic()
    await sup.stop()
    assert not alive(endpoint.pid)
    assert time.monotonic() - started < 5


async def test_output_is_drained(make: Any) -> None:
    """A child that writes a lot must not block on a full pipe (and is kept short)."""
    sup = make("chatty")
    sup.log_output = 50
    await sup.start()
    await sup.wait_ready(20)
    try:
        await until(lambda: any("log line 19999" in line for line in sup.output))
        assert len(sup.output) == 50
    finally:
        await sup.stop()


async def test_wait_ready_starts_it_when_needed(make: Any) -> None:
    sup = make()
    endpoint = await sup.wait_ready(20)
    try:
        assert sup.status()["state"] == "running"
        assert endpoint.url.startswith("http://127.0.0.1:")
    finally:
        await sup.stop()


def test_non_loopback_hosts_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        EmulatorSupervisor(data_dir=str(tmp_path), host="0.0.0.0")
