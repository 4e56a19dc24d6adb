"""What the runner knows of a job's replicas from outside: their folders and files, their
process ids and groups (read from ``/proc``)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.gpus import CUDA_ENV
from . import replica_process

TAIL_LINES = 10


@dataclass
class ReplicaStatus:
    task: str
    folder: Path
    exit_code: int | None  # None: no exit status (yet)
    pid: int | None
    alive: bool
    end_time: str = ""  # when the replica's step ended (its exit.json), "" before


def job_id(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def process_alive(pid: int, marker: str) -> bool:
    """A live (not zombie) process whose command line contains ``marker``."""
    proc = Path(f"/proc/{pid}")
    if not Path("/proc/self").exists():  # pragma: no cover - macOS
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    try:
        stat = (proc / "stat").read_text()
        cmdline = (proc / "cmdline").read_bytes().decode("utf-8", "replace")
    except OSError:
        return False
    if stat.rsplit(")", 1)[1].split()[0] == "Z":
        return False
    return not cmdline or marker in cmdline  # empty while an exec is under way


def tail(folder: Path, count: int = TAIL_LINES) -> list[str]:
    try:
        lines = (folder / replica_process.LOG).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    out = []
    for line in lines[-count:]:
        try:
            out.append(json.loads(line)["m"])
        except (ValueError, KeyError):
            continue
    return out


def signal_groups(groups: list[int], signum: int) -> None:
    for pgid in groups:
        try:
            os.killpg(pgid, signum)
        except (ProcessLookupError, PermissionError):
            pass


def wrapper_tail(folder: Path, count: int = TAIL_LINES) -> str:
    try:
        text = (folder / "wrapper.log").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.strip().splitlines()[-count:])


def write_meta(folder: Path, meta: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    replica_process.write_atomic(folder / "job.json", meta)


def write_steps(
    rdir: Path,
    steps: list[list[str]],
    env: dict[str, str],
    relays: dict[str, Any] | None = None,
    notice: str = "",
) -> None:
    rdir.mkdir(parents=True, exist_ok=True)
    spec: dict[str, Any] = {"steps": steps, "env": env}
    if relays:
        spec["relays"] = relays
    if notice:
        spec["notice"] = notice
    replica_process.write_atomic(rdir / replica_process.STEPS, spec)


def held_gpus(job_folder: Path) -> dict[str, list[int]]:
    """The GPU indexes each replica of a job was given (its steps' CUDA_VISIBLE_DEVICES)."""
    held: dict[str, list[int]] = {}
    for rdir in sorted((job_folder / "replicas").glob("*")):
        try:
            spec = json.loads((rdir / replica_process.STEPS).read_text(encoding="utf-8"))
            given = str(spec["env"].get(CUDA_ENV) or "")
            held[rdir.name] = [int(i) for i in given.split(",") if i.strip()]
        except (OSError, ValueError, KeyError, AttributeError):
            continue
    return held
