"""The first rows of a batch prediction job's output files, read with the Cloud Storage
client (blocking: run off the loop). Only the start of each file is downloaded.

Both formats give the same table: jsonl lines' fields as columns (an error line's ``error``
object as ``error_code`` and ``error_message``), csv files' header as columns and each cell
read as JSON where it is JSON (so numbers and arrays come back as such).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

__all__ = ["first_rows"]

READ_CHUNK = 256 * 1024


def _cell(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _flat(line: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in line.items() if k != "error"}
    error = line.get("error")
    if isinstance(error, dict):
        out["error_code"] = error.get("code")
        out["error_message"] = error.get("message", "")
    return out


def _records(handle: io.TextIOBase, fmt: str) -> Iterator[dict[str, Any]]:
    if fmt == "csv":
        for row in csv.DictReader(handle):
            yield {k: _cell(v) for k, v in row.items()}
        return
    for line in handle:
        if line.strip():
            yield _flat(json.loads(line))


def first_rows(client: Any, directory: str, stem: str, fmt: str, limit: int) -> dict[str, Any]:
    """``{"columns", "rows", "more"}``: the first ``limit`` rows of ``directory/stem_*``, in
    file order; ``more`` says whether rows were left out."""
    bucket, _, prefix = directory.removeprefix("gs://").partition("/")
    blobs = sorted(
        client.list_blobs(bucket, prefix=f"{prefix}/{stem}_"), key=lambda blob: blob.name
    )
    columns: list[str] = []
    rows: list[list[Any]] = []
    more = False
    for blob in blobs:
        if len(rows) >= limit:
            more = True
            break
        with blob.open("rt", chunk_size=READ_CHUNK, encoding="utf-8", newline="") as handle:
            for record in _records(handle, fmt):
                if len(rows) >= limit:
                    more = True
                    break
                if not columns:
                    columns = list(record)
                rows.append([record.get(c) for c in columns])
    return {"columns": columns, "rows": rows, "more": more}
