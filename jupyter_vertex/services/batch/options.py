"""The create request of a batch prediction job, checked, and its input file in the root.

The API's ``BatchPredictionCreate`` body (already valid for the OpenAPI schema) becomes
:class:`BatchOptions`; what the schema cannot say (a ``gs://`` URI's shape, BigQuery, replica
bounds, a path staying inside the Jupyter root) is refused here with a 4xx naming the field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...errors import InvalidArgument
from ...machines import machine_problem
from ..root_files import file_in_root

__all__ = ["BatchOptions", "InputFile", "count_rows", "parse_batch", "resolve_input"]

INSTANCES_FORMATS = ("jsonl", "csv", "file-list")
PREDICTIONS_FORMATS = ("jsonl", "csv")
DEFAULT_MACHINE = "n1-standard-2"
# gs://bucket/object: a bucket name as Cloud Storage allows it, then any object name
_GS = re.compile(r"gs://[a-z0-9][a-z0-9._-]{1,220}[a-z0-9](?:/.*)?")

_BIGQUERY_HINT = (
    "Export the table to Cloud Storage (jsonl or csv) and score the files, or create the "
    "job with the SDK on Vertex AI."
)


@dataclass(frozen=True)
class BatchOptions:
    input: str  # a gs:// URI (may hold wildcards) or a path relative to the Jupyter root
    instances_format: str
    predictions_format: str
    output_uri_prefix: str | None
    display_name: str | None
    machine_type: str
    starting_replica_count: int
    max_replica_count: int
    batch_size: int | None

    @property
    def staged(self) -> bool:
        """Whether the input is a file of the Jupyter root (staged to Cloud Storage first)."""
        return not self.input.startswith("gs://")


def _check_gs(field: str, value: str, *, wildcards: bool) -> None:
    if value.startswith("bq://"):
        raise InvalidArgument(
            f"Field '{field}': BigQuery ({value[:80]!r}) is not supported here; use Cloud "
            "Storage (gs://).",
            hint=_BIGQUERY_HINT,
        )
    if not _GS.fullmatch(value):
        raise InvalidArgument(
            f"Field '{field}': {value[:80]!r} is not a gs:// URI (gs://bucket/path).",
            hint="Cloud Storage locations start with gs:// and name a bucket.",
        )
    if not wildcards and any(c in value for c in "*?["):
        raise InvalidArgument(f"Field '{field}': {value[:80]!r} may not hold wildcards.")


def parse_batch(body: Mapping[str, Any]) -> BatchOptions:
    """The options of a create request, or InvalidArgument naming the field."""
    source = str(body["input"]).strip()
    if source.startswith(("gs://", "bq://")):
        _check_gs("input", source, wildcards=True)
    output = body.get("outputUriPrefix")
    if output is not None:
        output = str(output).rstrip("/")
        _check_gs("outputUriPrefix", output, wildcards=False)
    machine = str(body.get("machineType") or DEFAULT_MACHINE)
    problem = machine_problem(machine, None, None)
    if problem:
        raise InvalidArgument(f"Field 'machineType': {problem}")
    starting = int(body.get("startingReplicaCount") or 1)
    most = int(body.get("maxReplicaCount") or starting)
    if most < starting:
        raise InvalidArgument(
            f"Field 'maxReplicaCount': {most} is below startingReplicaCount {starting}.",
            hint="Leave it out to keep the starting count, or raise it.",
        )
    size = body.get("batchSize")
    return BatchOptions(
        input=source,
        instances_format=str(body.get("instancesFormat") or "jsonl"),
        predictions_format=str(body.get("predictionsFormat") or "jsonl"),
        output_uri_prefix=output,
        display_name=body.get("displayName") or None,
        machine_type=machine,
        starting_replica_count=starting,
        max_replica_count=most,
        batch_size=int(size) if size is not None else None,
    )


@dataclass(frozen=True)
class InputFile:
    file: Path  # resolved, inside the root
    path: str  # as the request named it (POSIX, relative to the root)


def resolve_input(root_dir: str, path: str) -> InputFile:
    """The file ``path`` names inside the Jupyter root (blocking: call off the loop)."""
    resolved, pure = file_in_root(
        root_dir, path, field="input", expected="a gs:// URI or a path relative to the Jupyter root"
    )
    return InputFile(file=resolved, path=pure.as_posix())


def count_rows(file: Path, instances_format: str) -> int:
    """The instances in a local input file: its non-empty lines (a CSV's header aside)."""
    count = 0
    with open(file, "rb") as handle:
        for line in handle:
            if line.strip():
                count += 1
    if instances_format == "csv" and count:
        count -= 1
    return count
