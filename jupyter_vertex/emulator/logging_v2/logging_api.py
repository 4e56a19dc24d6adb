"""Cloud Logging v2 ``entries:list`` over the context's log sources: the training replicas'
logs (:mod:`..training.job_logs`) and the Workbench instances' post-startup script output
(:mod:`..notebooks_v2.instance_logs`). Logs outlive a deleted job or instance, as they do in
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
from typing import Any

from ..core import offset_pages
from ..core.errors import invalid_argument
from ..core.filters import parse_terms
from ..core.protos import import_types
from ..core.resources import parse_timestamp, project_number
from ..core.routing import Call, Reply, Route

LOGGING = "google.logging.v2."

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


def _timestamp(text: str) -> tuple[int, int]:
    fixed = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text.strip())  # %z gives +0000
    try:
        return parse_timestamp(fixed)
    except ValueError:
        raise invalid_argument(f"Invalid filter: {text!r} is not an RFC 3339 timestamp.") from None


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


# ListLogEntriesRequest's fields and their JSON types: the route takes plain JSON, so the
# handler checks what a message parse would (a wrong type is INVALID_ARGUMENT, not a crash)
_FIELDS: dict[str, type] = {
    "resourceNames": list,
    "projectIds": list,
    "filter": str,
    "orderBy": str,
    "pageSize": int,
    "pageToken": str,
}


def _check_types(request: dict[str, Any]) -> None:
    for key, item in request.items():
        kind = _FIELDS.get(key)
        if kind is None or item is None:  # other names: query parameters (prettyPrint, ...)
            continue
        if kind is int and isinstance(item, str) and re.fullmatch(r"-?[0-9]{1,12}", item):
            item = int(item)  # proto3 JSON takes an int32 as a decimal string too
        ok = isinstance(item, kind) and not isinstance(item, bool)
        if ok and kind is list:
            ok = all(isinstance(name, str) for name in item)
        if ok and kind is int:
            ok = -(2**31) <= item < 2**31
        if not ok:
            raise invalid_argument(f"Invalid value at '{_snake(key)}', {json.dumps(item)[:80]}")


def _snake(name: str) -> str:
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


async def list_entries(call: Call) -> Reply:
    request = call.request
    _check_types(request)
    names = request.get("resourceNames") or []
    if not isinstance(names, list) or not names:
        raise invalid_argument('resource_names is required, e.g. ["projects/my-project"].')
    filter_text = str(request.get("filter") or "")
    terms = parse_terms(filter_text)
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
    entries: list[dict[str, Any]] = []
    for name in names:
        parts = str(name).split("/")
        if len(parts) != 2 or parts[0] != "projects":
            raise invalid_argument(f"Invalid resource_names: {name!r} is not projects/PROJECT.")
        number = project_number(parts[1], "resource_names")
        found: list[dict[str, Any]] = []
        for source in call.ctx.log_sources:
            if kind in (None, source.resource_type):
                found += await asyncio.to_thread(source.entries, parts[1], number, job)
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
    return Reply(LOGGING + "ListLogEntriesResponse", data)


def load_types() -> None:
    """Register Logging's v2 messages (for the gRPC transport) without importing every
    service of ``google.cloud.logging_v2``."""
    import_types("google.cloud.logging_v2", ["logging"], "google-cloud-logging")


def routes() -> list[Route]:
    load_types()
    request = LOGGING + "ListLogEntriesRequest"
    return [Route("POST", "/v2/entries:list", "", list_entries, "*", grpc_request=request)]
