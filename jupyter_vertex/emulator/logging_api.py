"""Cloud Logging v2 ``entries:list`` over the training replicas' logs and the Workbench
instances' post-startup script output (:mod:`.instance_logs`).

Each replica's ``log.jsonl`` (written by ``replica.py``) is served as LogEntries the way
Vertex AI's jobs appear in Cloud Logging: ``logName`` ``projects/P/logs/workerpool0-0``,
``resource`` ``{type: ml_job, labels: {job_id, project_id, task_name}}``, ``severity`` INFO
(stdout) or ERROR (stderr), ``textPayload``. Logs outlive a deleted job, as they do in
Cloud Logging.

``filter``: restrictions joined by ``AND`` (or juxtaposed): ``resource.type``,
``resource.labels.job_id`` / ``task_name`` / ``project_id``, ``logName``, ``severity``
(``=``, ``>=`` …, by severity order), ``timestamp`` (``=``, ``>``, ``>=``, ``<``, ``<=``,
quoted RFC 3339; the client library adds ``timestamp>="…"`` itself), ``insertId``, and
``textPayload`` (``=`` or ``:`` substring). ``orderBy`` ``timestamp asc|desc``; ``pageSize``
(default and max 1000) and ``pageToken`` (an offset tied to the query).
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

from . import instance_logs, offset_pages
from .errors import invalid_argument
from .log_records import read_records
from .resources import parse_timestamp, project_number
from .routing import Call, Reply, Route

MAX_PAGE = 1000
SEVERITIES = [
    "DEFAULT",
    "DEBUG",
    "INFO",
    "NOTICE",
    "WARNING",
    "ERROR",
    "CRITICAL",
    "ALERT",
    "EMERGENCY",
]
_TERM = re.compile(
    r"\s*(?P<field>[A-Za-z_][\w.]*)\s*(?P<op>>=|<=|!=|=|>|<|:)\s*"
    r'(?P<value>"(?:[^"\\]|\\.)*"|[^\s()"]+)\s*'
)


def _timestamp(text: str) -> tuple[int, int]:
    fixed = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text.strip())  # %z gives +0000
    try:
        return parse_timestamp(fixed)
    except ValueError:
        raise invalid_argument(f"Invalid filter: {text!r} is not an RFC 3339 timestamp.") from None


def parse_filter(text: str) -> list[tuple[str, str, str]]:
    terms: list[tuple[str, str, str]] = []
    pos, text = 0, text.strip()
    while pos < len(text):
        if terms:
            conj = re.match(r"\s*AND\s+", text[pos:])
            if conj:
                pos += conj.end()
        match = _TERM.match(text, pos)
        if not match:
            raise invalid_argument(
                f"Invalid filter at position {pos}: expected FIELD OP VALUE joined by AND "
                f"(the embedded Vertex supports this subset), got {text[pos : pos + 40]!r}."
            )
        value = match.group("value")
        if value.startswith('"'):
            value = json.loads(value)
        terms.append((match.group("field"), match.group("op"), value))
        pos = match.end()
    return terms


def _compare(actual: Any, op: str, expected: Any) -> bool:
    if op == "=":
        return bool(actual == expected)
    if op == "!=":
        return bool(actual != expected)
    if op == ">":
        return bool(actual > expected)
    if op == ">=":
        return bool(actual >= expected)
    if op == "<":
        return bool(actual < expected)
    if op == "<=":
        return bool(actual <= expected)
    return str(expected) in str(actual)  # ':' has


def _field(entry: dict[str, Any], field: str) -> Any:
    if field == "timestamp":
        return entry["timestamp"]
    value: Any = entry
    for part in field.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def matches(entry: dict[str, Any], terms: list[tuple[str, str, str]]) -> bool:
    for field, op, expected in terms:
        if field == "timestamp":
            if not _compare(_timestamp(entry["timestamp"]), op, _timestamp(expected)):
                return False
        elif field == "severity":
            if expected.upper() not in SEVERITIES:
                raise invalid_argument(f"Invalid filter: unknown severity {expected!r}.")
            rank = SEVERITIES.index(entry["severity"])
            if not _compare(rank, op, SEVERITIES.index(expected.upper())):
                return False
        elif field in ("resource.type", "logName", "insertId", "textPayload") or field.startswith(
            "resource.labels."
        ):
            if not _compare(_field(entry, field), op, expected):
                return False
        else:
            raise invalid_argument(
                f"Invalid filter: the embedded Vertex cannot filter on {field!r} (supported: "
                "resource.type, resource.labels.*, logName, severity, timestamp, insertId, "
                "textPayload)."
            )
    return True


def _read_entries(
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
                            "type": "ml_job",
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


async def list_entries(call: Call) -> Reply:
    runner = call.ctx.runner
    request = call.request
    names = request.get("resourceNames") or []
    if not isinstance(names, list) or not names:
        raise invalid_argument('resource_names is required, e.g. ["projects/my-project"].')
    filter_text = str(request.get("filter") or "")
    terms = parse_filter(filter_text)
    order = str(request.get("orderBy") or "timestamp asc").strip().lower()
    if order not in ("timestamp asc", "timestamp desc", "timestamp"):
        raise invalid_argument(
            f'Invalid order_by: {order!r}; use "timestamp asc" or "timestamp desc".'
        )
    size = int(request.get("pageSize") or MAX_PAGE)
    if size < 0:
        raise invalid_argument("Invalid page_size: it must not be negative.")
    size = min(size or MAX_PAGE, MAX_PAGE)
    job = next((v for f, op, v in terms if f == "resource.labels.job_id" and op == "="), None)
    kind = next((v for f, op, v in terms if f == "resource.type" and op == "="), None)
    instances = call.ctx.instances
    entries: list[dict[str, Any]] = []
    for name in names:
        parts = str(name).split("/")
        if len(parts) != 2 or parts[0] != "projects":
            raise invalid_argument(f"Invalid resource_names: {name!r} is not projects/PROJECT.")
        number = project_number(parts[1], "resource_names")
        found: list[dict[str, Any]] = []
        if (
            runner is not None
            and kind in (None, "ml_job")
            and (job is None or re.match(r"^[\w-]+$", job))
        ):
            found += await asyncio.to_thread(_read_entries, runner.jobs_dir, parts[1], number, job)
        if instances is not None and kind in (None, instance_logs.RESOURCE_TYPE) and job is None:
            found += await asyncio.to_thread(
                instance_logs.read_entries, instances.logs_dir, parts[1], number
            )
        entries += [e for e in found if matches(e, terms)]
    entries.sort(
        key=lambda e: (_timestamp(e["timestamp"]), e["insertId"]), reverse=order.endswith("desc")
    )
    fingerprint = offset_pages.fingerprint([names, filter_text, order])
    start = offset_pages.offset(
        str(request.get("pageToken") or ""),
        fingerprint,
        field="page_token",
        unreadable="Invalid page_token.",
    )
    page = entries[start : start + size]
    data: dict[str, Any] = {"entries": page} if page else {}
    if start + size < len(entries):
        data["nextPageToken"] = offset_pages.token(fingerprint, start + size)
    return Reply("", data)


def routes() -> list[Route]:
    return [Route("POST", "/v2/entries:list", "", list_entries, "*")]
