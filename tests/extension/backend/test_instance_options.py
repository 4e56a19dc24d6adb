"""Workbench options (``c.VertexApp.instance_python`` / ``instance_ports``) reach the
supervised embedded Vertex, and its instances' Jupyter servers run with them."""

from __future__ import annotations

import asyncio
import socket
import stat
import sys
from pathlib import Path
from typing import Any

import pytest
from traitlets import TraitError

from jupyter_vertex.app import VertexApp
from jupyter_vertex.backend.publisher import PUBLISHED_ENV

from ..handlers.test_instances_api import finished
from .test_supervised import running, wait_for


def test_instance_options_reach_the_emulator_argv_only_when_set(tmp_path: Path) -> None:
    assert VertexApp().instance_emulator_args() == []
    assert VertexApp(instance_ports="", instance_python="").instance_emulator_args() == []
    app = VertexApp(instance_python=sys.executable, instance_ports=" 9100 - 9199 ")
    assert app.instance_emulator_args() == [
        "--instance-python",
        sys.executable,
        "--instance-ports",
        "9100-9199",
    ]
    assert VertexApp(instance_ports="8888-8888").instance_emulator_args() == [
        "--instance-ports",
        "8888-8888",
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("9100", "instance_ports '9100' is not a port range LOW-HIGH"),
        ("9200-9100", "instance_ports '9200-9100' is not a port range LOW-HIGH"),
        ("0-10", "instance_ports '0-10' is not a port range LOW-HIGH"),
        ("9000-65536", "instance_ports '9000-65536' is not a port range LOW-HIGH"),
        ("a-b", "instance_ports 'a-b' is not a port range LOW-HIGH"),
    ],
)
def test_bad_instance_ports_are_refused(value: str, message: str) -> None:
    with pytest.raises(TraitError) as refused:
        VertexApp(instance_ports=value)
    assert str(refused.value) == f"{message} with 1 <= LOW <= HIGH <= 65535"


def test_bad_instance_python_is_refused(tmp_path: Path) -> None:
    not_executable = tmp_path / "python"
    not_executable.write_text("")
    for value in ("python3", str(tmp_path / "missing"), str(not_executable), str(tmp_path)):
        with pytest.raises(TraitError) as refused:
            VertexApp(instance_python=value)
        assert str(refused.value) == (
            f"instance_python {value!r} is not an executable absolute path"
        )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def wrapper(tmp_path: Path) -> tuple[Path, Path]:
    """An interpreter that notes each of its runs, then is this test's Python."""
    marker = tmp_path / "instance-python-runs.txt"
    script = tmp_path / "instance-python"
    script.write_text(f'#!/bin/sh\necho "$@" >> {marker}\nexec {sys.executable} "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, marker


@pytest.fixture
def port() -> int:
    return _free_port()


@pytest.fixture
def vertex_config(
    monkeypatch: pytest.MonkeyPatch, wrapper: tuple[Path, Path], port: int
) -> dict[str, Any]:
    for name in PUBLISHED_ENV:
        monkeypatch.delenv(name, raising=False)
    return {
        "emulator_restart_backoff": 0.1,
        "instance_python": str(wrapper[0]),
        "instance_ports": f"{port}-{port}",
    }


async def test_the_supervised_emulator_runs_instances_with_the_options(
    api: Any, wrapper: tuple[Path, Path], port: int
) -> None:
    status = await wait_for(api, running)
    cmdline = Path(f"/proc/{status['emulator']['pid']}/cmdline")
    argv = (await asyncio.to_thread(cmdline.read_bytes)).split(b"\0")
    args = [a.decode() for a in argv if a]
    assert args[args.index("--instance-python") + 1] == str(wrapper[0])
    assert args[args.index("--instance-ports") + 1] == f"{port}-{port}"

    code, operation = await api("POST", "instances", body={"instanceId": "configured"})
    assert code == 202, operation
    try:
        assert (await finished(api, operation))["error"] is None
        code, instance = await api("GET", "instances", "configured")
        assert (code, instance["state"]) == (200, "ACTIVE")
        # The one port of the range, and the configured interpreter ran its server.
        assert instance["proxyUri"].startswith(f"127.0.0.1:{port}/lab?token=")
        runs = (await asyncio.to_thread(wrapper[1].read_text)).splitlines()
        assert len(runs) == 1
        assert runs[0].split()[0].endswith("/jupyter_vertex/emulator/notebooks_v2/jupyterserver.py")
        assert f"--ServerApp.port={port}" in runs[0].split()
    finally:
        code, deleting = await api("DELETE", "instances", "configured")
        assert code == 202, deleting
        assert (await finished(api, deleting))["error"] is None
