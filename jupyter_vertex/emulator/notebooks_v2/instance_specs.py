"""A Workbench instance's record: message names, what CreateInstance accepts (validated as
Vertex does) and the row's health fields."""

from __future__ import annotations

import importlib
import os
import re
import secrets
import uuid
from typing import Any

from ... import machines
from ..core import filters
from ..core.errors import already_exists, invalid_argument, not_found
from ..core.resources import parse_location, validate_labels
from ..core.store import Tx

NB = "google.cloud.notebooks.v2"
INSTANCE = f"{NB}.Instance"
OPERATION_METADATA = f"{NB}.OperationMetadata"
OPERATION = "google.longrunning.Operation"
EMPTY = "google.protobuf.Empty"
KIND = "workbenchInstance"

INSTANCE_ID = re.compile(r"^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$")
ZONE = re.compile(r"^[a-z]+-[a-z]+[0-9]+-[a-z]$")
DEFAULT_MACHINE_TYPE = "e2-standard-4"
BOOT_DISK_GB = (150, 64000)
DATA_DISK_GB = (100, 64000)
DEFAULT_IMAGE = {"project": "cloud-notebooks-managed", "family": "workbench-instances"}
SCRIPT_KEY = "post-startup-script"
BEHAVIOR_KEY = "post-startup-script-behavior"
BEHAVIORS = ("run_once", "run_every_start", "download_and_run_every_start")
SCRIPT_FILE = "post-startup-script"

LIST_SPEC = filters.ListSpec(
    filters={
        "state": filters.string_field("state"),
        "labels": filters.map_field("labels"),
        "create_time": filters.timestamp_field("createTime"),
    },
    orders={"create_time": "createTime", "update_time": "updateTime", "name": "name"},
)


def load_types() -> None:
    """Register the Notebooks v2 messages (requests, Instance, OperationMetadata)."""
    importlib.import_module("google.cloud.notebooks_v2.types.service")


def render(row: dict[str, Any]) -> dict[str, Any]:
    """The Instance as answered: the row without its private part."""
    return {k: v for k, v in row.items() if not k.startswith("_")}


def lab_location(row: dict[str, Any]) -> tuple[str, str]:
    """(project, region) of the instance's own jupyter_vertex: the project it was created in
    (its number for rows from before that was kept) and its zone's region."""
    _, number, _, zone, _, _ = row["name"].split("/")
    return (row.get("_local") or {}).get("project") or number, zone.rsplit("-", 1)[0]


def proxy_uri(port: int, token: str) -> str:
    return f"127.0.0.1:{port}/lab?token={token}"


# validation ------------------------------------------------------------------------------


def _disk_size(disk: dict[str, Any], field: str, bounds: tuple[int, int]) -> int:
    size = int(disk.get("diskSizeGb") or 0) or bounds[0]
    if not bounds[0] <= size <= bounds[1]:
        raise invalid_argument(
            f"Invalid {field}.disk_size_gb: {size} is out of range; it must be between "
            f"{bounds[0]} and {bounds[1]} (GB)."
        )
    return size


def _disk(disk: dict[str, Any], field: str, bounds: tuple[int, int]) -> dict[str, Any]:
    size = _disk_size(disk, field, bounds)
    kind = disk.get("diskType") or "DISK_TYPE_UNSPECIFIED"
    return {
        **disk,
        "diskSizeGb": str(size),
        "diskType": "PD_BALANCED" if kind == "DISK_TYPE_UNSPECIFIED" else kind,
        "diskEncryption": disk.get("diskEncryption") or "GMEK",
    }


def _script_uri(uri: str) -> None:
    if uri.startswith(("gs://", "https://", "http://")) or os.path.isabs(uri):
        if uri.startswith("gs://") and "/" not in uri[len("gs://") :].strip("/"):
            pass  # falls through to the error: a bucket without an object
        else:
            return
    raise invalid_argument(
        f'Invalid instance.gce_setup.metadata["{SCRIPT_KEY}"]: {uri!r} must be a gs:// URI '
        "of an object, an https:// URL or an absolute path on this machine."
    )


def check_gce_setup(gce: dict[str, Any], project_number: str) -> dict[str, Any]:
    """Vertex's checks of ``instance.gce_setup``; answer it with Vertex's defaults."""
    out = dict(gce)
    machine = out.get("machineType") or DEFAULT_MACHINE_TYPE
    out["machineType"] = machine
    accelerators = list(out.get("acceleratorConfigs") or [])
    if len(accelerators) > 1:
        raise invalid_argument(
            "Invalid instance.gce_setup.accelerator_configs: at most one accelerator "
            "configuration is supported."
        )
    accelerator_type: str | None = None
    count: int | None = None
    if accelerators:
        accelerator_type = accelerators[0].get("type") or None
        count = int(accelerators[0].get("coreCount") or 0)
        if accelerator_type in (None, "ACCELERATOR_TYPE_UNSPECIFIED"):
            raise invalid_argument(
                "Invalid instance.gce_setup.accelerator_configs[0].type: it is required."
            )
        if count < 1:
            raise invalid_argument(
                "Invalid instance.gce_setup.accelerator_configs[0].core_count: it must be at "
                "least 1."
            )
        accelerators[0] = {"type": accelerator_type, "coreCount": str(count)}
        out["acceleratorConfigs"] = accelerators
    problem = machines.machine_problem(machine, accelerator_type, count)
    if problem is not None:
        raise invalid_argument(f"Invalid instance.gce_setup: {problem}")
    out["bootDisk"] = _disk(out.get("bootDisk") or {}, "instance.gce_setup.boot_disk", BOOT_DISK_GB)
    data = list(out.get("dataDisks") or [{}])
    if len(data) > 1:
        raise invalid_argument(
            "Invalid instance.gce_setup.data_disks: at most one data disk is supported."
        )
    out["dataDisks"] = [_disk(data[0], "instance.gce_setup.data_disks[0]", DATA_DISK_GB)]
    if not out.get("vmImage") and not out.get("containerImage"):
        out["vmImage"] = dict(DEFAULT_IMAGE)
    if not out.get("serviceAccounts"):
        out["serviceAccounts"] = [
            {
                "email": f"{project_number}-compute@developer.gserviceaccount.com",
                "scopes": ["https://www.googleapis.com/auth/cloud-platform"],
            }
        ]
    metadata = dict(out.get("metadata") or {})
    if SCRIPT_KEY in metadata:
        _script_uri(metadata[SCRIPT_KEY])
    behavior = metadata.get(BEHAVIOR_KEY)
    if behavior is not None and behavior not in BEHAVIORS:
        raise invalid_argument(
            f'Invalid instance.gce_setup.metadata["{BEHAVIOR_KEY}"]: {behavior!r} is not one '
            f"of {', '.join(BEHAVIORS)}."
        )
    return out


class CreatePlan:
    def __init__(self, request: dict[str, Any]) -> None:
        self.location = parse_location(request.get("parent", ""), "parent")
        if not ZONE.match(self.location.location):
            raise invalid_argument(
                f"Invalid parent: {self.location.location!r} is not a zone (like "
                "us-central1-a); Workbench instances live in a zone."
            )
        instance_id = request.get("instanceId", "")
        if not instance_id:
            raise invalid_argument("instance_id is required.")
        if not INSTANCE_ID.match(instance_id):
            raise invalid_argument(
                f"Invalid instance_id: {instance_id!r} must start with a lowercase letter, "
                "contain only lowercase letters, digits and hyphens, end with a letter or "
                "digit and be at most 63 characters long (^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$)."
            )
        body = dict(request.get("instance") or {})
        validate_labels(body.get("labels") or {}, "instance.labels")
        self.path = self.location.child("instances", instance_id)
        # The project as the caller named it (an id, unlike the path's number): the one the
        # instance's own jupyter_vertex works in, like a real instance's metadata server.
        self.project = request["parent"].split("/")[1]
        self.gce = check_gce_setup(body.get("gceSetup") or {}, self.location.project)
        self.labels = body.get("labels") or {}
        self.disable_proxy_access = bool(body.get("disableProxyAccess"))

    def check(self, tx: Tx) -> None:
        if tx.exists(self.path):
            raise already_exists(f"Instance {self.path} already exists.")

    def insert(self, tx: Tx) -> None:
        self.check(tx)
        row: dict[str, Any] = {
            "name": self.path,
            "gceSetup": self.gce,
            "state": "PROVISIONING",
            "id": str(uuid.uuid4()),
            "createTime": tx.now,
            "updateTime": tx.now,
            "_local": {"token": secrets.token_hex(24), "scriptRuns": 0, "project": self.project},
        }
        if self.labels:
            row["labels"] = self.labels
        if self.disable_proxy_access:
            row["disableProxyAccess"] = True
        tx.insert(KIND, self.path, self.location.path, row)


def row_of(tx: Tx, path: str) -> dict[str, Any]:
    found = tx.get(path, KIND)
    if found is None:
        raise not_found(f"Instance {path} not found.")
    return found


def check_exists(tx: Tx, path: str) -> None:
    row_of(tx, path)


def set_health(row: dict[str, Any], **info: str) -> None:
    health = dict(row.get("healthInfo") or {})
    health.update(info)
    row["healthInfo"] = health
