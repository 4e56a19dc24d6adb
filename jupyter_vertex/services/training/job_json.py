"""Training jobs as the API's ``Job``: Vertex AI ``CustomJob`` and ``TrainingPipeline``
messages read into one JSON shape (state, spec, source file, git provenance).

Inputs are ``google.cloud.aiplatform_v1`` proto-plus messages; nothing here imports them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any

from ..convert import resource_id, timestamp
from .packaging import KINDS, PACKAGE_FILE
from .provenance import provenance_from_labels

__all__ = [
    "COLLECTION",
    "JOB_KINDS",
    "SOURCE_MARK",
    "STATES",
    "STATE_PREFIX",
    "custom_job_to_json",
    "plain",
    "source_of",
    "spec_of",
    "training_pipeline_to_json",
]

JOB_KINDS = ("customJob", "trainingPipeline")
COLLECTION = {"customJob": "customJobs", "trainingPipeline": "trainingPipelines"}
STATE_PREFIX = {"customJob": "JOB_STATE_", "trainingPipeline": "PIPELINE_STATE_"}
# States each kind has (the API's names, without Vertex AI's prefixes).
STATES = {
    "customJob": {
        "QUEUED",
        "PENDING",
        "RUNNING",
        "SUCCEEDED",
        "FAILED",
        "CANCELLING",
        "CANCELLED",
        "PAUSED",
        "EXPIRED",
        "UPDATING",
        "PARTIALLY_SUCCEEDED",
    },
    "trainingPipeline": {
        "QUEUED",
        "PENDING",
        "RUNNING",
        "SUCCEEDED",
        "FAILED",
        "CANCELLING",
        "CANCELLED",
        "PAUSED",
    },
}
SOURCE_MARK = "/source/"


# -- JSON helpers ------------------------------------------------------------------------


def _get(data: Mapping[str, Any] | None, *keys: str) -> Any:
    """``data[key]`` for the first key present (JSON camelCase or proto snake_case)."""
    if not data:
        return None
    for key in keys:
        if key in data:
            return data[key]
    return None


def plain(value: Any) -> Any:
    """proto-plus containers (MapComposite, RepeatedComposite) as dicts and lists."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, str | bytes):
        return value
    if isinstance(value, Sequence) or type(value).__name__.startswith("Repeated"):
        return [plain(v) for v in value]
    return value


def _message_dict(message: Any) -> dict[str, Any]:
    out: dict[str, Any] = type(message).to_dict(message, preserving_proto_field_name=False)
    return out


def source_of(package_uris: Sequence[str]) -> dict[str, Any] | None:
    """The training file a package of this extension was built from (in its staged URI)."""
    for uri in package_uris:
        if SOURCE_MARK in uri and uri.endswith("/" + PACKAGE_FILE):
            path = uri.split(SOURCE_MARK, 1)[1][: -len(PACKAGE_FILE) - 1]
            suffix = PurePosixPath(path).suffix
            if suffix in KINDS:
                return {"path": path, "kind": KINDS[suffix]}
    return None


def spec_of(job_spec: Mapping[str, Any]) -> dict[str, Any]:
    pools = _get(job_spec, "workerPoolSpecs", "worker_pool_specs") or []
    first = pools[0] if pools else {}
    machine = _get(first, "machineSpec", "machine_spec") or {}
    package = _get(first, "pythonPackageSpec", "python_package_spec")
    container = _get(first, "containerSpec", "container_spec")
    runnable = package or container or {}
    accelerator = _get(machine, "acceleratorType", "accelerator_type")
    if accelerator in (None, "", "ACCELERATOR_TYPE_UNSPECIFIED", 0):
        accelerator = None
    env = _get(runnable, "env") or []
    base = _get(job_spec, "baseOutputDirectory", "base_output_directory") or {}
    return {
        "imageUri": (
            _get(package, "executorImageUri", "executor_image_uri")
            if package
            else _get(container, "imageUri", "image_uri")
        )
        or None,
        "packageUris": list(_get(package, "packageUris", "package_uris") or []),
        "pythonModule": _get(package, "pythonModule", "python_module") or None,
        "args": [str(a) for a in (_get(runnable, "args") or [])],
        "env": {str(e.get("name")): str(e.get("value", "")) for e in env},
        "machineType": _get(machine, "machineType", "machine_type") or None,
        "acceleratorType": accelerator if isinstance(accelerator, str) else None,
        "acceleratorCount": int(_get(machine, "acceleratorCount", "accelerator_count") or 0)
        if accelerator
        else None,
        "replicaCount": sum(
            int(_get(pool, "replicaCount", "replica_count") or 0) for pool in pools[:2]
        )
        or 1,
        "baseOutputDirectory": _get(base, "outputUriPrefix", "output_uri_prefix") or None,
    }


def _error_of(message: Any) -> dict[str, Any] | None:
    if "error" not in message or not (message.error.code or message.error.message):
        return None
    return {"code": int(message.error.code), "message": str(message.error.message)}


def _state(message: Any, kind: str) -> str:
    name = getattr(message.state, "name", str(message.state))
    return name.removeprefix(STATE_PREFIX[kind])


def _job_json(
    message: Any, kind: str, job_spec: Mapping[str, Any], extra: Mapping[str, Any]
) -> dict[str, Any]:
    labels = {str(k): str(v) for k, v in (message.labels or {}).items()}
    spec = spec_of(job_spec)
    source = source_of(spec["packageUris"])
    notebook_output = None
    if source and source["kind"] == "notebook" and spec["baseOutputDirectory"]:
        name = PurePosixPath(source["path"]).name
        notebook_output = f"{spec['baseOutputDirectory'].rstrip('/')}/executed/{name}"
    return {
        "name": message.name,
        "id": resource_id(message.name),
        "kind": kind,
        "displayName": message.display_name,
        "state": _state(message, kind),
        "createTime": timestamp(message.create_time),
        "startTime": timestamp(message.start_time),
        "endTime": timestamp(message.end_time),
        "updateTime": timestamp(message.update_time),
        "error": _error_of(message),
        "labels": labels,
        "git": provenance_from_labels(labels),
        "source": source,
        "notebookOutput": notebook_output,
        "spec": spec,
        **extra,
    }


def custom_job_to_json(job: Any) -> dict[str, Any]:
    """``google.cloud.aiplatform_v1.CustomJob`` → the API's ``Job``."""
    job_spec = plain(_message_dict(job.job_spec)) if "job_spec" in job else {}
    return _job_json(job, "customJob", job_spec, {"customJob": job.name, "model": None})


def training_pipeline_to_json(pipeline: Any) -> dict[str, Any]:
    """``google.cloud.aiplatform_v1.TrainingPipeline`` → the API's ``Job``."""
    inputs = plain(pipeline.training_task_inputs) or {}
    metadata = plain(pipeline.training_task_metadata) or {}
    backing = _get(metadata, "backingCustomJob", "backing_custom_job") or None
    model = None
    if "model_to_upload" in pipeline:
        upload = pipeline.model_to_upload
        image = upload.container_spec.image_uri if "container_spec" in upload else None
        uploaded = upload.name or None
        if uploaded and upload.version_id and "@" not in uploaded:
            uploaded = f"{uploaded}@{upload.version_id}"
        model = {
            "displayName": upload.display_name,
            "servingContainerImageUri": image or None,
            "parentModel": pipeline.parent_model or None,
            "uploadedModel": uploaded,
        }
    return _job_json(
        pipeline,
        "trainingPipeline",
        inputs if isinstance(inputs, dict) else {},
        {"customJob": backing, "model": model},
    )
