"""Children started in their own process group: stopping them with everything they started,
tying their life to the embedded Vertex's, and recording them so that the next start on the
same data dir ends any that a killed embedded Vertex left behind.

A child that must not outlive the embedded Vertex (model servers, Workbench instances'
servers; not training replicas, which outlive restarts on purpose) is started with
:func:`dies_with_parent` as ``preexec_fn``: the kernel signals it once the embedded Vertex
is gone (Linux ``PR_SET_PDEATHSIG``, set before its interpreter even starts, so before any
slow import), and :data:`PARENT_ENV` tells it which parent to expect, so a child whose parent
died before the signal was armed exits at once. :class:`ProcessRecords` keeps one small file
per running group (``D/processes/PID.json``: pid, pgid, start time, kind, owner, paths);
:meth:`ProcessRecords.reap` ends the recorded groups still alive and removes their paths.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import os
import shutil
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: The pid a child expects as its parent (it exits at once if another one adopted it).
PARENT_ENV = "JUPYTER_VERTEX_PARENT_PID"
_PR_SET_PDEATHSIG = 1


async def stop_group(process: asyncio.subprocess.Process, grace: float) -> None:
    """SIGTERM the process group, SIGKILL after ``grace`` seconds; wait for the exit."""
    if process.returncode is None:
        signal_group(process.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), grace)
        except asyncio.TimeoutError:
            signal_group(process.pid, signal.SIGKILL)
            await process.wait()
    signal_group(process.pid, signal.SIGKILL)  # anything left in its group


def signal_group(pid: int, signum: int) -> None:
    """Signal the group led by ``pid``; a group already gone is fine."""
    try:
        os.killpg(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def _libc_prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl: Callable[..., int] = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # pragma: no cover - no usable libc
        return None
    return prctl


_PRCTL = _libc_prctl()  # loaded here: a forked child should only call it


def dies_with_parent(signum: int = signal.SIGKILL) -> Callable[[], None]:
    """A ``preexec_fn`` (run in the child between fork and exec): the child gets ``signum``
    when the thread that started it ends, and exits at once if that parent is already gone.
    The kernel ties the signal to the forking *thread*: start children from the event loop's
    thread (asyncio subprocesses do), never from a worker thread."""
    parent = os.getpid()

    def arm() -> None:
        if _PRCTL is not None:
            _PRCTL(_PR_SET_PDEATHSIG, int(signum), 0, 0, 0)
        if os.getppid() != parent:  # died between fork and prctl: nobody would signal us
            os._exit(1)

    return arm


def exit_if_orphaned() -> None:
    """In a child: exit now if the parent named by :data:`PARENT_ENV` is no longer ours."""
    expected = os.environ.get(PARENT_ENV, "")
    if expected.isdigit() and os.getppid() != int(expected):
        os._exit(1)


def start_time(pid: int) -> int | None:
    """The process's start time (clock ticks after boot, ``/proc/PID/stat`` field 22): with
    the pid it names one process, whatever pid reuse happens later. None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    fields = raw.rsplit(")", 1)[1].split()
    return int(fields[19])


def group_alive(pgid: int) -> bool:
    """Whether any live (not zombie) process is in process group ``pgid``: training replicas
    and recorded model/instance servers are followed by their group."""
    if not Path("/proc/self").exists():  # pragma: no cover - macOS
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        return True
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            return True
    return False


class ProcessRecords:
    """``D/processes/PID.json`` for each child group that must not outlive the embedded
    Vertex. Blocking file work: call from a thread (``asyncio.to_thread``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def add(self, pid: int, kind: str, owner: str, paths: tuple[str, ...] = ()) -> None:
        """Record the group led by ``pid`` (started with ``start_new_session``) and the paths
        it works in (removed with it when a later start reaps it)."""
        record = {
            "pid": pid,
            "pgid": pid,
            "startTime": start_time(pid),
            "kind": kind,
            "owner": owner,
            "paths": list(paths),
        }
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = self.folder / f".{pid}.json.tmp"
        temporary.write_text(json.dumps(record), encoding="utf-8")
        temporary.replace(self.folder / f"{pid}.json")  # whole or absent, even when killed

    def remove(self, pid: int) -> None:
        with contextlib.suppress(FileNotFoundError):
            (self.folder / f"{pid}.json").unlink()

    def records(self) -> list[dict[str, Any]]:
        found = []
        for path in sorted(self.folder.glob("*.json")):
            try:
                record = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                record = {}
            found.append({**record, "_file": str(path)})
        return found

    def reap(self) -> list[dict[str, Any]]:
        """End every recorded group still alive (a previous embedded Vertex's: this one owns
        none yet), remove its paths and its record; answer the records that were alive."""
        ended = []
        for record in self.records():
            if self._end(record):
                ended.append(record)
            for path in record.get("paths") or []:
                _remove(str(path))
            with contextlib.suppress(FileNotFoundError):
                os.unlink(record["_file"])
        for leftover in self.folder.glob(".*.json.tmp"):
            leftover.unlink(missing_ok=True)
        return ended

    @staticmethod
    def _end(record: dict[str, Any]) -> bool:
        pid, pgid = record.get("pid"), record.get("pgid")
        if not isinstance(pid, int) or not isinstance(pgid, int) or pgid <= 1:
            return False
        started = start_time(pid)
        if started is not None and started != record.get("startTime"):
            return False  # the pid was reused: another process, not ours to end
        # With the leader gone, a live group of that id is still the recorded one: Linux
        # gives no new process a pid that is in use as a process group id.
        if not group_alive(pgid):
            return False
        signal_group(pgid, signal.SIGKILL)
        return True


def _remove(path: str) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError, IsADirectoryError):
            os.unlink(path)
