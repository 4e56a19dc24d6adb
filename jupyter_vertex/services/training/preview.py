"""What the Train dialog shows before anything is submitted.

- :func:`training_catalog`: the frameworks, versions, machine types and the accelerators
  each takes, read from :mod:`.options` (the table the server checks requests
  with), so the dialog offers only what the server accepts.
- :meth:`TrainingPreview.provenance`: the file's git state, as the job's labels will say it.
- :meth:`TrainingPreview.code`: the SDK code of a ``TrainingCreate`` body, written by the
  same generator as a created job's code (:func:`.sdk_code.sdk_code`).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from ...backend.blocking import run_blocking
from ...backend.clients import ClientFactory
from ...errors import InvalidArgument
from .options import (
    DEFAULT_FRAMEWORK,
    DEFAULT_MACHINE_TYPE,
    PREBUILT_TRAINING_IMAGES,
    accelerator_rule,
    check_machine,
    parse_options,
    prebuilt_registry,
)
from .packaging import PACKAGE_FILE, RUNNER_MODULE, resolve_source
from .provenance import git_provenance
from .sdk_code import sdk_code

__all__ = ["MACHINE_TYPES", "PREBUILT_SERVING_IMAGES", "TrainingPreview", "training_catalog"]

# The machine types the dialog offers, in this order; each must pass the rule table.
MACHINE_TYPES: tuple[str, ...] = (
    "n1-standard-4",
    "n1-standard-8",
    "n1-standard-16",
    "n1-standard-32",
    "n1-highmem-4",
    "n1-highmem-8",
    "n1-highmem-16",
    "n1-highcpu-16",
    "n1-highcpu-32",
    "e2-standard-4",
    "e2-standard-8",
    "e2-standard-16",
    "e2-highmem-4",
    "n2-standard-4",
    "n2-standard-8",
    "n2-standard-16",
    "c2-standard-8",
    "c2-standard-16",
    "g2-standard-4",
    "g2-standard-8",
    "g2-standard-12",
    "g2-standard-16",
    "g2-standard-24",
    "g2-standard-32",
    "g2-standard-48",
    "g2-standard-96",
    "a2-highgpu-1g",
    "a2-highgpu-2g",
    "a2-highgpu-4g",
    "a2-highgpu-8g",
    "a2-megagpu-16g",
    "a2-ultragpu-1g",
    "a2-ultragpu-2g",
    "a2-ultragpu-4g",
    "a2-ultragpu-8g",
    "a3-highgpu-8g",
)

# framework -> Vertex AI's prebuilt prediction image (without the registry), for
# "register a model". https://cloud.google.com/vertex-ai/docs/predictions/pre-built-containers
PREBUILT_SERVING_IMAGES: dict[str, str] = {
    "scikit-learn": "sklearn-cpu.1-3",
    "xgboost": "xgboost-cpu.1-7",
    "tensorflow": "tf2-cpu.2-15",
    "pytorch": "pytorch-cpu.2-1",
}

# Shown in the SDK code of a preview where the submitted job will have its staging folder.
PREVIEW_STAGING_FOLDER = "<submit-time>"


def _machine(machine_type: str) -> dict[str, Any]:
    rule = accelerator_rule(machine_type)
    assert rule is not None, f"{machine_type} is not in the rule table"
    types, counts = rule
    try:
        check_machine(machine_type, None, None)
        required = False
    except InvalidArgument:
        required = True
    return {
        "machineType": machine_type,
        "acceleratorTypes": list(types),
        "acceleratorCounts": list(counts),
        "acceleratorRequired": required,
    }


def training_catalog(region: str) -> dict[str, Any]:
    """The API's ``TrainingOptions``: what a ``TrainingCreate`` may ask for, for a region."""
    registry = prebuilt_registry(region)
    return {
        "region": region,
        "defaultFramework": DEFAULT_FRAMEWORK,
        "defaultMachineType": DEFAULT_MACHINE_TYPE,
        "frameworks": [
            {
                "name": name,
                "versions": [
                    {"version": version, "gpu": gpu is not None}
                    for version, (_, gpu) in versions.items()
                ],
            }
            for name, versions in PREBUILT_TRAINING_IMAGES.items()
        ],
        "machineTypes": [_machine(m) for m in MACHINE_TYPES],
        "servingImages": {
            name: f"{registry}/vertex-ai/prediction/{image}:latest"
            for name, image in PREBUILT_SERVING_IMAGES.items()
        },
    }


class TrainingPreview:
    """The Train dialog's read-only questions about a file and a request."""

    def __init__(self, clients: ClientFactory, *, root_dir: str) -> None:
        self.clients = clients
        self.root_dir = root_dir

    async def region(self) -> str:
        location = await self.clients.location()
        return location.region

    async def provenance(self, path: str) -> dict[str, Any]:
        """``{path, kind, git}`` of a trainable file (git: null outside a repository)."""
        source = await run_blocking(resolve_source, self.root_dir, path)
        git = await git_provenance(source.folder)
        return {
            "path": source.path,
            "kind": source.kind,
            "git": None
            if git is None
            else {"commit": git.commit, "branch": git.branch, "dirty": git.dirty},
        }

    async def code(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """The SDK code that would do what ``POST /jobs`` with ``body`` does.

        The request is checked exactly as ``POST /jobs`` checks it; nothing is packaged,
        staged or created.
        """
        options = parse_options(body)
        location = await self.clients.location()
        image = options.executor_image(location.region)
        source = await run_blocking(resolve_source, self.root_dir, options.path)
        git = await git_provenance(source.folder)
        labels = {**options.labels, **(git.labels() if git else {})}
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
        display_name = options.display_name or f"{source.file.stem}-{stamp}"
        bucket = await self.clients.staging_bucket(create=False) or "gs://STAGING_BUCKET"
        prefix = f"{bucket}/jupyter-vertex/{PREVIEW_STAGING_FOLDER}"
        parent_model = options.parent_model
        if parent_model and "/" not in parent_model:
            parent_model = f"{location.parent}/models/{parent_model}"
        job = {
            "displayName": display_name,
            "labels": labels,
            "source": {"path": source.path, "kind": source.kind},
            "spec": {
                "imageUri": image,
                "packageUris": [f"{prefix}/source/{source.path}/{PACKAGE_FILE}"],
                "pythonModule": RUNNER_MODULE,
                "args": list(options.args),
                "env": dict(options.env),
                "machineType": options.machine_type,
                "acceleratorType": options.accelerator_type,
                "acceleratorCount": options.accelerator_count,
                "replicaCount": options.replica_count,
                "baseOutputDirectory": f"{prefix}/output",
            },
            "model": None
            if not options.registers_model
            else {
                "displayName": options.model_display_name or display_name,
                "servingContainerImageUri": options.serving_container_image_uri,
                "parentModel": parent_model,
                "uploadedModel": None,
            },
        }
        text = sdk_code(
            job, project=location.project, region=location.region, staging_bucket=bucket
        )
        return {"language": "python", "code": text}
