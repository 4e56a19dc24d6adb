"""Logs live: a replica's line reaches ``GET /jobs/…/logs`` while the replica runs, a
notebook job streams its cells' outputs as they run, and the state answered with lines is
never older than them.

No sleeps that hope: each training file prints, then waits for a marker file that the test
creates only after it has read that line through the API, then prints again (the file gives
up after a bound of its own, so that a failing test does not leave it running).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

FINAL = {"SUCCEEDED", "FAILED", "CANCELLED"}
WAIT_FOR_MARKER = """
import os, time
deadline = time.monotonic() + 120
while not os.path.exists({marker!r}) and time.monotonic() < deadline:
    time.sleep(0.05)
"""


@pytest.fixture
def vertex_config(emulated: dict[str, Any]) -> dict[str, Any]:
    return emulated


async def _lines_until(
    api: Any, job: dict[str, Any], wanted: str, cursor: str | None = None
) -> tuple[list[str], str, str | None]:
    """Follow the log as the panel does (passing the cursor back) until ``wanted`` shows;
    answer the lines read, the state that came with ``wanted`` and the cursor."""
    timeout = 120.0
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while True:
        params = {"cursor": cursor} if cursor else {}
        status, page = await api("GET", "jobs", job["kind"], job["id"], "logs", params=params)
        assert status == 200, page
        lines += [e["message"] for e in page["entries"]]
        cursor = page["cursor"] or cursor
        if wanted in lines:
            return lines, page["state"], cursor
        assert page["state"] not in FINAL, f"the job ended before {wanted!r}: {lines}"
        assert time.monotonic() < deadline, f"no {wanted!r} after {timeout} s: {lines}"
        await asyncio.sleep(0.2)


def _cell(number: int) -> str:
    """Papermill's progress line as a cell starts."""
    return f"Executing Cell {number:-<40}"


async def _ended(api: Any, job: dict[str, Any]) -> dict[str, Any]:
    """The whole log page, once the job has ended."""
    deadline = time.monotonic() + 120
    while True:
        status, page = await api("GET", "jobs", job["kind"], job["id"], "logs")
        assert status == 200, page
        if page["state"] in FINAL:
            return page
        assert time.monotonic() < deadline, page["state"]
        await asyncio.sleep(0.2)


async def test_a_script_line_reaches_the_log_while_the_replica_runs(
    api: Any, jp_root_dir: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "go"
    (jp_root_dir / "live").mkdir()
    (jp_root_dir / "live" / "train.py").write_text(
        "print('first line')\n" + WAIT_FOR_MARKER.format(marker=str(marker)) + "print('second')\n"
    )
    status, job = await api("POST", "jobs", body={"path": "live/train.py"})
    assert status == 201, job

    lines, state, cursor = await _lines_until(api, job, "first line")
    assert lines == ["first line"]
    # the state that came with the line is RUNNING, and so is the job's own
    assert state == "RUNNING"
    status, shown = await api("GET", "jobs", job["kind"], job["id"])
    assert shown["state"] == "RUNNING" and shown["startTime"] is not None

    marker.write_text("go")
    more, _, _ = await _lines_until(api, job, "second", cursor)
    assert more == ["second"]  # the cursor: newer lines only
    page = await _ended(api, job)
    assert page["state"] == "SUCCEEDED"
    assert [e["message"] for e in page["entries"]] == ["first line", "second"]


async def test_a_notebook_streams_its_cells_outputs_as_they_run(
    api: Any, jp_root_dir: Path, tmp_path: Path
) -> None:
    import nbformat

    marker = tmp_path / "go"
    folder = jp_root_dir / "nb"
    folder.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("print('cell one says hi')"),
        nbformat.v4.new_code_cell(WAIT_FOR_MARKER.format(marker=str(marker))),
        nbformat.v4.new_code_cell("print('cell three')\n6 * 7"),
    ]
    spec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["kernelspec"] = spec
    nbformat.write(nb, folder / "live.ipynb")
    status, job = await api("POST", "jobs", body={"path": "nb/live.ipynb"})
    assert status == 201, job

    # the first cell's output is in the log while the second cell still waits
    lines, state, _ = await _lines_until(api, job, "cell one says hi")
    assert state == "RUNNING"
    assert "cell three" not in lines
    assert _cell(1) in lines
    marker.write_text("go")
    lines, _, _ = await _lines_until(api, job, "cell three")
    assert "42" in lines  # an execute_result is logged too
    page = await _ended(api, job)
    assert page["state"] == "SUCCEEDED"
    every = [e["message"] for e in page["entries"]]
    assert every.index("cell one says hi") < every.index("cell three")
    assert every.index(_cell(3)) < every.index("cell three")
