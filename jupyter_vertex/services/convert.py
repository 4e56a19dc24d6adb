"""Google client types → the JSON shapes of the extension's REST API.

The shapes are fixed in docs/architecture.md and in ``jupyter_vertex/api/openapi.yaml``.
Inputs are ``google.cloud.aiplatform_v1`` proto-plus messages; nothing here imports them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from .training.provenance import model_provenance

__all__ = ["endpoint_to_json", "framework_of", "model_to_json", "resource_id", "timestamp"]

# Prebuilt Vertex AI containers, e.g.
#   us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest
#   europe-docker.pkg.dev/vertex-ai/training/tf-gpu.2-11.py310:latest
#   gcr.io/cloud-aiplatform/prediction/xgboost-cpu.1-1:latest
#   us-docker.pkg.dev/vertex-ai-restricted/prediction/tf_opt-cpu.nightly:latest
_PREBUILT = re.compile(
    r"(?:^|/)(?:vertex-ai(?:-restricted)?|cloud-aiplatform)/(?:prediction|training)/"
    r"(?P<name>[a-z0-9_]+?)-(?:cpu|gpu|tpu)(?:[.:/]|$)"
)
_FRAMEWORKS = {
    "sklearn": "sklearn",
    "scikit-learn": "sklearn",
    "xgboost": "xgboost",
    "tf": "tensorflow",
    "tf2": "tensorflow",
    "tf_opt": "tensorflow",
    "tensorflow": "tensorflow",
    "pytorch": "pytorch",
}


def framework_of(image_uri: str | None) -> str | None:
    """The ML framework of a serving/training container image URI.

    ``sklearn``, ``xgboost``, ``tensorflow`` or ``pytorch`` for Vertex AI's prebuilt
    containers; ``custom`` for any other image; ``None`` without an image.
    """
    if not image_uri:
        return None
    match = _PREBUILT.search(image_uri)
    if match is None:
        return "custom"
    return _FRAMEWORKS.get(match.group("name"), "custom")


def resource_id(name: str) -> str:
    """The last segment of a resource name (``projects/p/.../models/123`` → ``123``)."""
    return name.rsplit("/", 1)[-1] if name else ""


def timestamp(value: Any) -> str | None:
    """A protobuf Timestamp (as proto-plus returns it) as RFC 3339 text, or ``None``.

    Uses protobuf's canonical JSON form (``2024-05-01T12:30:05.123Z``), as Vertex AI does.
    """
    if value is None:
        return None
    timestamp_pb = getattr(value, "timestamp_pb", None)
    if callable(timestamp_pb):
        return str(timestamp_pb().ToJsonString())
    to_json = getattr(value, "ToJsonString", None)
    if callable(to_json):
        return str(to_json())
    isoformat = getattr(value, "isoformat", None)
    if callable(isoformat):
        return str(isoformat()).replace("+00:00", "Z")
    return str(value)


def _labels(value: Mapping[str, str] | None) -> dict[str, str]:
    return {str(k): str(v) for k, v in (value or {}).items()}


def _strings(values: Iterable[str] | None) -> list[str]:
    return [str(v) for v in (values or [])]


def model_to_json(model: Any) -> dict[str, Any]:
    """``google.cloud.aiplatform_v1.Model`` → the API's ``Model``."""
    image_uri = None
    if "container_spec" in model:
        image_uri = model.container_spec.image_uri or None
    return {
        "name": model.name,
        "id": resource_id(model.name).split("@", 1)[0],
        "displayName": model.display_name,
        "description": model.description,
        "versionId": model.version_id or None,
        "versionAliases": _strings(model.version_aliases),
        "versionDescription": model.version_description,
        "versionCreateTime": timestamp(model.version_create_time),
        "versionUpdateTime": timestamp(model.version_update_time),
        "createTime": timestamp(model.create_time),
        "updateTime": timestamp(model.update_time),
        "labels": _labels(model.labels),
        "artifactUri": model.artifact_uri or None,
        "containerImageUri": image_uri,
        "framework": framework_of(image_uri),
        "deployedModels": [
            {"endpoint": ref.endpoint, "deployedModelId": ref.deployed_model_id}
            for ref in model.deployed_models
        ],
        "etag": model.etag or None,
        "provenance": model_provenance(_labels(model.labels), model.training_pipeline or None),
    }


def _machine_of(deployed: Any) -> dict[str, Any]:
    """A deployed model's machine and the accelerators it asked for (dedicated resources)."""
    machine = deployed.dedicated_resources.machine_spec
    accelerator = machine.accelerator_type
    named = getattr(accelerator, "name", "") if accelerator else ""
    return {
        "machineType": machine.machine_type or None,
        "acceleratorType": named or None,
        "acceleratorCount": int(machine.accelerator_count) if named else 0,
    }


def endpoint_to_json(endpoint: Any) -> dict[str, Any]:
    """``google.cloud.aiplatform_v1.Endpoint`` → the API's ``Endpoint``."""
    return {
        "name": endpoint.name,
        "id": resource_id(endpoint.name),
        "displayName": endpoint.display_name,
        "description": endpoint.description,
        "labels": _labels(endpoint.labels),
        "createTime": timestamp(endpoint.create_time),
        "updateTime": timestamp(endpoint.update_time),
        "etag": endpoint.etag or None,
        "deployedModels": [
            {
                "id": deployed.id,
                "model": deployed.model,
                "modelVersionId": deployed.model_version_id or None,
                "displayName": deployed.display_name,
                **_machine_of(deployed),
            }
            for deployed in endpoint.deployed_models
        ],
        "trafficSplit": {str(k): int(v) for k, v in (endpoint.traffic_split or {}).items()},
    }
