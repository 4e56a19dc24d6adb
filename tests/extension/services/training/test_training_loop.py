"""Packaging and staging a big folder never stall the server's event loop."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def vertex_config(emulated: dict[str, Any]) -> dict[str, Any]:
    return emulated


async def test_the_server_answers_while_a_big_folder_is_packaged(
    api: Any, jp_root_dir: Path
) -> None:
    folder = jp_root_dir / "big"
    folder.mkdir()
    (folder / "train.py").write_text("print('done')\n")

    def write_data() -> None:
        with (folder / "data.bin").open("wb") as f:  # incompressible: gzip has real work
            for _ in range(48):
                f.write(os.urandom(1024 * 1024))

    await asyncio.to_thread(write_data)

    post = asyncio.ensure_future(api("POST", "jobs", body={"path": "big/train.py"}))
    started = time.monotonic()
    latencies = []
    while not post.done():
        before = time.monotonic()
        status, _ = await api("GET", "status")
        assert status == 200
        latencies.append(time.monotonic() - before)
    took = time.monotonic() - started
    status, job = await post
    assert status == 201, job
    assert len(latencies) >= 3, (took, latencies)
    # Each status answer took a small part of the packaging time: the loop stayed free.
    assert max(latencies) < max(0.5, took / 3), (took, latencies)
