"""The training replicas' logs as Cloud Logging entries (a log source of ``entries:list``).

Each replica's ``log.jsonl`` (written by :mod:`.replica_process`) is served as LogEntries the
way Vertex AI's jobs appear in Cloud Logging: ``logName`` ``projects/P/logs/workerpool0-0``,
``resource`` ``{type: ml_job, labels: {job_id, project_id, task_name}}``, ``severity`` INFO
(stdout) or ERROR (stderr), ``textPayload``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ..core.log_records import read_records

RESOURCE_TYPE = "ml_job"


class JobLogs:
    """The log source of the jobs under ``jobs_dir`` (the runner's folder)."""

    resource_type = RESOURCE_TYPE

    def __init__(self, jobs_dir: Path) -> None:
        self.jobs_dir = jobs_dir

    def entries(self, project: str, number: str, job_id: str | None) -> list[dict[str, Any]]:
        if job_id is not None and not re.match(r"^[\w-]+$", job_id):
            return []  # not a job id: no folder to read
        return read_entries(self.jobs_dir, project, number, job_id)


def read_entries(
    jobs_dir: Path, project: str, number: str, job: str | None
) -> list[dict[str, Any]]:
    folders = [jobs_dir / job] if job else sorted(p for p in jobs_dir.glob("*") if p.is_dir())
    entries: list[dict[str, Any]] = []
    for folder in folders:
        try:
            meta = json.loads((folder / "job.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if meta.get("project") != number:
            continue
        for rdir in sorted((folder / "replicas").glob("*")):
            for record in read_records(rdir / "log.jsonl"):
                entries.append(
                    {
                        "logName": f"projects/{project}/logs/{rdir.name}",
                        "resource": {
                            "type": RESOURCE_TYPE,
                            "labels": {
                                "job_id": folder.name,
                                "project_id": project,
                                "task_name": rdir.name,
                            },
                        },
                        "timestamp": record["t"],
                        "receiveTimestamp": record["t"],
                        "severity": record["s"],
                        "textPayload": record["m"],
                        "insertId": f"{folder.name}-{rdir.name}-{record['n']:09d}",
                    }
                )
    return entries
