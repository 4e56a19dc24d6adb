"""Cloud Logging entries of Workbench instances: each line of a post-startup script's output.

On Vertex AI a Workbench instance is a Compute Engine VM, and what runs on it shows up in
Cloud Logging under the VM's monitored resource: ``resource`` ``{type: gce_instance,
labels: {project_id, instance_id, zone}}`` with the entry label
``compute.googleapis.com/resource_name`` (the VM's name, which is the instance's id). The
embedded Vertex has no VM; ``instance_id`` is the instance's unique ``id`` (the Notebooks
API's ``Instance.id``), so a client finds an instance's lines by its id.

Entries are kept apart from the instance's folder, in ``D/workbench-logs/NUMBER/ZONE/ID.jsonl``
(one JSON record a line), so that they outlive a deleted instance as they do in Cloud Logging.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import IO, Any

from ..core.log_records import read_records
from ..core.resources import timestamp

LOGS_DIR = "workbench-logs"
SCRIPT_LOG_ID = "notebooks.googleapis.com/post_startup_script"
RESOURCE_TYPE = "gce_instance"
NAME_LABEL = "compute.googleapis.com/resource_name"
# Cloud Logging refuses entries over 256 KiB; a longer line is cut into entries of this size.
MAX_LINE_BYTES = 256 * 1024
READ_BYTES = 64 * 1024


def log_name(project: str) -> str:
    """``projects/P/logs/notebooks.googleapis.com%2Fpost_startup_script`` (the id URL-encoded)."""
    return f"projects/{project}/logs/{SCRIPT_LOG_ID.replace('/', '%2F')}"


class ScriptLog:
    """Writes one instance's post-startup script lines as log records (appending)."""

    def __init__(self, folder: Path, name: str, instance_uid: str) -> None:
        parts = name.split("/")  # projects/N/locations/ZONE/instances/ID
        self.zone, self.instance = parts[3], parts[5]
        self.path = folder / parts[1] / self.zone / f"{self.instance}.jsonl"
        self.uid = instance_uid
        self._handle: IO[str] | None = None
        self._count = 0

    def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(self.path, encoding="utf-8") as existing:
                self._count = sum(1 for _ in existing)
        except FileNotFoundError:
            self._count = 0
        self._handle = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()

    def _write(self, text: str, severity: str) -> None:
        if self._handle is None:
            self._open()
        assert self._handle is not None
        record = {
            "t": timestamp(),
            "s": severity,
            "m": text,
            "n": self._count,
            "z": self.zone,
            "i": self.instance,
            "u": self.uid,
        }
        self._count += 1
        self._handle.write(json.dumps(record) + "\n")
        self._handle.flush()

    async def write(self, text: str, severity: str = "INFO") -> None:
        await asyncio.to_thread(self._write, text, severity)

    async def close(self) -> None:
        if self._handle is not None:
            await asyncio.to_thread(self._handle.close)
            self._handle = None


async def copy_lines(stream: asyncio.StreamReader, file: IO[bytes], log: ScriptLog | None) -> None:
    """Copy a script's output to its log file as it comes, and each line to ``log``."""
    pending = b""
    while True:
        chunk = await stream.read(READ_BYTES)
        if not chunk:
            break
        await asyncio.to_thread(_append, file, chunk)
        pending += chunk
        *lines, pending = pending.split(b"\n")
        while len(pending) > MAX_LINE_BYTES:  # a line without end yet: cut what cannot grow
            lines.append(pending[:MAX_LINE_BYTES])
            pending = pending[MAX_LINE_BYTES:]
        if log is not None:
            for line in lines:
                for start in range(0, max(len(line), 1), MAX_LINE_BYTES):
                    await log.write(_text(line[start : start + MAX_LINE_BYTES]))
    if pending and log is not None:
        await log.write(_text(pending))


def _append(file: IO[bytes], data: bytes) -> None:
    file.write(data)
    file.flush()


def _text(line: bytes) -> str:
    return line.rstrip(b"\r").decode("utf-8", "replace")


def read_entries(folder: Path, project: str, number: str) -> list[dict[str, Any]]:
    """The project's Workbench log entries as Cloud Logging ``LogEntry`` JSON."""
    entries: list[dict[str, Any]] = []
    for path in sorted((folder / number).glob("*/*.jsonl")):
        for record in read_records(path):
            entries.append(
                {
                    "logName": log_name(project),
                    "resource": {
                        "type": RESOURCE_TYPE,
                        "labels": {
                            "instance_id": record["u"],
                            "project_id": project,
                            "zone": record["z"],
                        },
                    },
                    "labels": {NAME_LABEL: record["i"]},
                    "timestamp": record["t"],
                    "receiveTimestamp": record["t"],
                    "severity": record["s"],
                    "textPayload": record["m"],
                    "insertId": f"{record['u']}-{record['n']:09d}",
                }
            )
    return entries


class InstanceLogs:
    """The log source of the Workbench instances' script logs under ``folder``."""

    resource_type = RESOURCE_TYPE

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def entries(self, project: str, number: str, job_id: str | None) -> list[dict[str, Any]]:
        if job_id is not None:  # a filter on a job's id: no instance line matches it
            return []
        return read_entries(self.folder, project, number)
