"""What a "train from a file" request may ask for, checked the way Vertex AI checks it.

The body's shape is checked against ``api/openapi.yaml`` first; this module adds the rules a
JSON Schema cannot say: which accelerators go with which machine types (with Vertex AI's
INVALID_ARGUMENT wording), the table of Vertex AI's prebuilt training images, and the
worker pool specs (``google.cloud.aiplatform_v1.WorkerPoolSpec`` as dicts) of a job.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ...errors import InvalidArgument
from ...machines import accelerators_for

__all__ = [
    "DEFAULT_MACHINE_TYPE",
    "PREBUILT_TRAINING_IMAGES",
    "TrainingOptions",
    "accelerator_rule",
    "check_machine",
    "prebuilt_registry",
    "parse_options",
    "training_image",
]

DEFAULT_MACHINE_TYPE = "n1-standard-4"

# framework -> version -> (cpu image, gpu image or None), without the registry prefix.
# https://cloud.google.com/vertex-ai/docs/training/pre-built-containers
PREBUILT_TRAINING_IMAGES: dict[str, dict[str, tuple[str, str | None]]] = {
    "scikit-learn": {
        "1.0": ("sklearn-cpu.1-0", None),
    },
    "xgboost": {
        "1.1": ("xgboost-cpu.1-1", None),
    },
    "tensorflow": {
        "2.12": ("tf-cpu.2-12.py310", "tf-gpu.2-12.py310"),
        "2.11": ("tf-cpu.2-11.py310", "tf-gpu.2-11.py310"),
    },
    "pytorch": {
        "2.1": ("pytorch-cpu.2-1.py310", "pytorch-gpu.2-1.py310"),
        "1.13": ("pytorch-cpu.1-13.py310", "pytorch-gpu.1-13.py310"),
    },
}
DEFAULT_FRAMEWORK = "scikit-learn"


def _registry(region: str) -> str:
    """Vertex AI's prebuilt images live in the multi-region registry nearest the region."""
    if region.startswith("europe-"):
        return "europe-docker.pkg.dev"
    if region.startswith(("asia-", "australia-", "me-")):
        return "asia-docker.pkg.dev"
    return "us-docker.pkg.dev"


def training_image(framework: str, version: str | None, *, gpu: bool, region: str) -> str:
    """The URI of Vertex AI's prebuilt training image for a framework and version."""
    versions = PREBUILT_TRAINING_IMAGES.get(framework)
    if versions is None:
        raise InvalidArgument(
            f"Field 'framework': {framework!r} has no prebuilt training image; "
            f"choose one of {', '.join(PREBUILT_TRAINING_IMAGES)} or give imageUri."
        )
    chosen = version or next(iter(versions))
    images = versions.get(chosen)
    if images is None:
        raise InvalidArgument(
            f"Field 'frameworkVersion': {framework} {chosen} has no prebuilt training image; "
            f"available: {', '.join(versions)}."
        )
    cpu, gpu_image = images
    if gpu and gpu_image is None:
        raise InvalidArgument(
            f"Field 'acceleratorType': {framework} {chosen} has no GPU training image; "
            "train it without an accelerator or give imageUri."
        )
    name = gpu_image if gpu and gpu_image else cpu
    return f"{_registry(region)}/vertex-ai/training/{name}:latest"


# -- machines and accelerators -------------------------------------------------------------

# The table lives in a neutral module: the embedded Vertex checks Workbench instances with it.
_accelerator_for = accelerators_for


def accelerator_rule(machine_type: str) -> tuple[tuple[str, ...], tuple[int, ...]] | None:
    """Public view of the rule table (the Train dialog offers only what it allows)."""
    return _accelerator_for(machine_type)


def prebuilt_registry(region: str) -> str:
    """The Artifact Registry host of Vertex AI's prebuilt images for a region."""
    return _registry(region)


def check_machine(
    machine_type: str, accelerator_type: str | None, accelerator_count: int | None
) -> None:
    """Raise INVALID_ARGUMENT, in Vertex AI's words, for a combination it rejects."""
    if (accelerator_type is None) != (accelerator_count is None):
        raise InvalidArgument(
            "Field 'acceleratorType': Both `accelerator_type` and `accelerator_count` should "
            "be specified or none."
        )
    allowed = _accelerator_for(machine_type)
    if allowed is None:
        raise InvalidArgument(
            f"Field 'machineType': Machine type \"{machine_type}\" is not supported."
        )
    types, counts = allowed
    if accelerator_type is None:
        if types and machine_type.split("-", 1)[0] in ("a2", "a3", "g2"):
            raise InvalidArgument(
                f"Field 'acceleratorType': Machine type \"{machine_type}\" requires accelerator "
                f'"{types[0]}" with accelerator_count {counts[0]}.'
            )
        return
    if accelerator_type not in types:
        raise InvalidArgument(
            f"Field 'acceleratorType': Accelerator \"{accelerator_type}\" is not supported for "
            f'machine type "{machine_type}".'
        )
    assert accelerator_count is not None
    if accelerator_count not in counts:
        valid = ", ".join(str(c) for c in counts)
        raise InvalidArgument(
            f"Field 'acceleratorCount': Accelerator count {accelerator_count} is not valid for "
            f'accelerator "{accelerator_type}" on machine type "{machine_type}" '
            f"(valid: {valid})."
        )


# -- the whole request ---------------------------------------------------------------------


@dataclass
class TrainingOptions:
    """A validated "train from a file" request (the API's ``TrainingCreate``)."""

    path: str
    display_name: str | None = None
    framework: str | None = None
    framework_version: str | None = None
    image_uri: str | None = None
    machine_type: str = DEFAULT_MACHINE_TYPE
    accelerator_type: str | None = None
    accelerator_count: int | None = None
    replica_count: int = 1
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    serving_container_image_uri: str | None = None
    model_display_name: str | None = None
    parent_model: str | None = None

    @property
    def registers_model(self) -> bool:
        return self.serving_container_image_uri is not None

    def executor_image(self, region: str) -> str:
        if self.image_uri:
            return self.image_uri
        return training_image(
            self.framework or DEFAULT_FRAMEWORK,
            self.framework_version,
            gpu=self.accelerator_type is not None,
            region=region,
        )


_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def parse_options(body: Mapping[str, Any]) -> TrainingOptions:
    """The request body (already valid for the spec's schema) as :class:`TrainingOptions`."""
    register = body.get("registerModel") or None
    options = TrainingOptions(
        path=body["path"],
        display_name=body.get("displayName"),
        framework=body.get("framework"),
        framework_version=body.get("frameworkVersion"),
        image_uri=body.get("imageUri"),
        machine_type=body.get("machineType") or DEFAULT_MACHINE_TYPE,
        accelerator_type=body.get("acceleratorType"),
        accelerator_count=body.get("acceleratorCount"),
        replica_count=body.get("replicaCount", 1),
        args=list(body.get("args") or []),
        env=dict(body.get("env") or {}),
        labels=dict(body.get("labels") or {}),
        serving_container_image_uri=register["servingContainerImageUri"] if register else None,
        model_display_name=register.get("modelDisplayName") if register else None,
        parent_model=register.get("parentModel") if register else None,
    )
    # The schema says the same; these messages say it in words (and guard direct callers).
    for name in options.env:
        if not _ENV_NAME.fullmatch(name):
            raise InvalidArgument(
                f"Field 'env': {name!r} is not a valid environment variable name "
                "(letters, digits and '_', not starting with a digit)."
            )
    if options.image_uri and (options.framework or options.framework_version):
        raise InvalidArgument(
            "Field 'imageUri': give either imageUri or framework/frameworkVersion, not both."
        )
    check_machine(options.machine_type, options.accelerator_type, options.accelerator_count)
    return options


def worker_pool_specs(
    options: TrainingOptions, *, executor_image: str, package_uri: str, python_module: str
) -> list[dict[str, Any]]:
    """Vertex AI worker pool specs: the chief in pool 0, further replicas in pool 1
    (as the SDK lays out ``replica_count``)."""
    machine: dict[str, Any] = {"machine_type": options.machine_type}
    if options.accelerator_type:
        machine["accelerator_type"] = options.accelerator_type
        machine["accelerator_count"] = options.accelerator_count
    package = {
        "executor_image_uri": executor_image,
        "package_uris": [package_uri],
        "python_module": python_module,
        "args": list(options.args),
        "env": [{"name": k, "value": v} for k, v in options.env.items()],
    }
    pools = [{"machine_spec": machine, "replica_count": 1, "python_package_spec": package}]
    if options.replica_count > 1:
        pools.append(
            {
                "machine_spec": dict(machine),
                "replica_count": options.replica_count - 1,
                "python_package_spec": dict(package),
            }
        )
    return pools
