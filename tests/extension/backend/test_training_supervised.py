"""Training options reach the supervised embedded Vertex, and a job runs through it."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from jupyter_vertex.backend.publisher import PUBLISHED_ENV

from .test_supervised import running, wait_for


@pytest.fixture
def vertex_config(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    for name in PUBLISHED_ENV:
        monkeypatch.delenv(name, raising=False)
    return {
        "emulator_restart_backoff": 0.1,
        "training_python": sys.executable,
        "training_image_python": {"us-docker.pkg.dev/vertex-ai/training/tf-": sys.executable},
        "training_max_concurrent_jobs": 2,
    }


async def test_the_supervised_emulator_gets_the_training_options(
    api: Any, jp_root_dir: Path
) -> None:
    status = await wait_for(api, running)
    cmdline = Path(f"/proc/{status['emulator']['pid']}/cmdline")
    argv = (await asyncio.to_thread(cmdline.read_bytes)).split(b"\0")
    args = [a.decode() for a in argv if a]
    assert args[args.index("--training-python") + 1] == sys.executable
    assert args[args.index("--image-python") + 1] == (
        f"us-docker.pkg.dev/vertex-ai/training/tf-={sys.executable}"
    )
    assert args[args.index("--max-concurrent-jobs") + 1] == "2"

    (jp_root_dir / "hello.py").write_text("import sys\nprint('hello from', sys.executable)\n")
    code, job = await api("POST", "jobs", body={"path": "hello.py"})
    assert code == 201, job
    deadline = time.monotonic() + 120
    while job["state"] not in ("SUCCEEDED", "FAILED", "CANCELLED"):
        assert time.monotonic() < deadline, job
        await asyncio.sleep(0.3)
        code, job = await api("GET", "jobs", "customJob", job["id"])
    assert job["state"] == "SUCCEEDED", job
    code, logs = await api("GET", "jobs", "customJob", job["id"], "logs")
    assert f"hello from {sys.executable}" in [e["message"] for e in logs["entries"]]
