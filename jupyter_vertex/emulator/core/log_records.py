"""Reading the emulator's JSON-lines logs (replica output, Workbench script output)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def read_records(path: Path) -> list[dict[str, Any]]:
    """The file's records, one JSON object a line; none for a file that cannot be read.

    A line that is not JSON is passed over: it is the line being written right now."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    records: list[dict[str, Any]] = []
    for line in lines:
        try:
            records.append(json.loads(line))
        except ValueError:
            continue
    return records
