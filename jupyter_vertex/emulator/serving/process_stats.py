"""CPU time and resident memory of model server processes (and their children), read from
/proc. Linux only; elsewhere, or for a process that is gone, they read as nothing."""

from __future__ import annotations

import os
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _tree(pid: int) -> list[int]:
    """The process and all its descendants."""
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                text = (task / "children").read_text()
                todo.extend(int(child) for child in text.split())
        except OSError:
            continue
    return out


def _cpu_seconds(pid: int) -> float:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    # the command name (field 2) may hold spaces: count fields after its closing paren
    fields = text.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime + stime


def _rss_bytes(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def usage(pids: list[int]) -> tuple[float, int]:
    """(CPU seconds used so far, resident bytes now) of these processes and their children."""
    cpu, rss = 0.0, 0
    for pid in pids:
        for member in _tree(pid):
            cpu += _cpu_seconds(member)
            rss += _rss_bytes(member)
    return cpu, rss
