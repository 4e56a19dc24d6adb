"""UploadModel: a validated request, and the new model or version it writes."""

from __future__ import annotations

import re
from typing import Any

from ..core.errors import already_exists, internal, invalid_argument
from ..core.resources import (
    MODEL_ID,
    LocationName,
    ResourceName,
    new_numeric_id,
    parse_location,
    parse_resource_name,
    validate_display_name,
    validate_labels,
)
from ..core.store import Tx
from .model_versions import (
    DEFAULT,
    KIND_MODEL,
    KIND_VERSION,
    apply_aliases,
    check_aliases,
    get_model_record,
)

# Model fields a client may not set (Vertex computes them) and that upload ignores.
OUTPUT_ONLY = {
    "name",
    "versionId",
    "versionCreateTime",
    "versionUpdateTime",
    "createTime",
    "updateTime",
    "deployedModels",
    "etag",
    "supportedExportFormats",
    "supportedDeploymentResourcesTypes",
    "supportedInputStorageFormats",
    "supportedOutputStorageFormats",
    "trainingPipeline",
    "modelSourceInfo",
    "originalModelInfo",
    "metadataArtifact",
    "satisfiesPzs",
    "satisfiesPzi",
    "checkpoints",
}
MODEL_LEVEL = {"displayName", "description"}

# Prebuilt serving containers expect exactly one of these model files in artifactUri.
_PREBUILT = re.compile(
    r"^(?:[a-z]+-docker\.pkg\.dev/vertex-ai(?:-restricted)?/prediction/|"
    r"gcr\.io/cloud-aiplatform/prediction/)(?P<framework>sklearn|xgboost|tf2?)-"
)
_PREBUILT_FILES = {
    "sklearn": ("model.joblib", "model.pkl"),
    "xgboost": ("model.bst", "model.joblib", "model.pkl"),
    "tf": ("saved_model.pb", "saved_model.pbtxt"),
    "tf2": ("saved_model.pb", "saved_model.pbtxt"),
}


def prebuilt_model_files(image_uri: str) -> tuple[str, ...]:
    match = _PREBUILT.match(image_uri or "")
    return _PREBUILT_FILES[match.group("framework")] if match else ()


class UploadPlan:
    """A validated UploadModelRequest: what to create, checked again when it runs."""

    def __init__(self, request: dict[str, Any]) -> None:
        self.location: LocationName = parse_location(request.get("parent", ""), "parent")
        body = request.get("model")
        if not body:
            raise invalid_argument("model is required.")
        validate_display_name(body.get("displayName"), "model.display_name")
        validate_labels(body.get("labels") or {}, "model.labels")
        aliases = list(body.get("versionAliases") or [])
        check_aliases(aliases, "model.version_aliases", allow_removal=False)
        image = (body.get("containerSpec") or {}).get("imageUri")
        if not image:
            raise invalid_argument("model.container_spec.image_uri is required.")
        self.artifact_uri: str = body.get("artifactUri", "")
        self.expected_files = prebuilt_model_files(image)
        if self.expected_files and not self.artifact_uri:
            raise invalid_argument(
                f"model.artifact_uri is required for the prebuilt container {image}."
            )
        if self.artifact_uri and not self.artifact_uri.startswith("gs://"):
            raise invalid_argument(
                f"Invalid model.artifact_uri: {self.artifact_uri!r} is not a gs:// URI."
            )
        self.aliases = aliases
        self.body = {k: v for k, v in body.items() if k not in OUTPUT_ONLY}
        self.parent_model: ResourceName | None = None
        model_id = request.get("modelId", "")
        if request.get("parentModel"):
            self.parent_model = parse_resource_name(
                request["parentModel"], "models", "parent_model"
            )
            if self.parent_model.location != self.location:
                raise invalid_argument(
                    "Invalid parent_model: it must be in the same project and location as parent."
                )
            if model_id and model_id != self.parent_model.resource_id:
                raise invalid_argument(
                    "model_id must be empty or equal to the parent_model's id when "
                    "parent_model is set."
                )
            self.model_id = self.parent_model.resource_id
            self.user_id = True
        elif model_id:
            if not MODEL_ID.match(model_id):
                raise invalid_argument(
                    f"Invalid model_id: {model_id!r} must be at most 63 characters of "
                    "[a-z0-9_-], not starting with a digit or '-'."
                )
            self.model_id, self.user_id = model_id, True
        else:
            self.model_id, self.user_id = new_numeric_id(), False

    @property
    def model_path(self) -> str:
        return self.location.child("models", self.model_id)

    def check(self, tx: Tx) -> None:
        if self.parent_model is not None:
            get_model_record(tx, self.model_path)
        elif tx.exists(self.model_path):
            if self.user_id:
                raise already_exists(f"Model {self.model_path} already exists.")
            raise internal("Model id collision; retry the upload.")

    def work(self, tx: Tx) -> dict[str, Any]:
        self.check(tx)
        path, now = self.model_path, tx.now
        model_level = {k: v for k, v in self.body.items() if k in MODEL_LEVEL}
        version_body = {k: v for k, v in self.body.items() if k not in MODEL_LEVEL}
        version_body.pop("versionAliases", None)
        aliases = list(self.aliases)
        if self.parent_model is None:
            model = {
                "name": path,
                **model_level,
                "labels": version_body.pop("labels", {}),
                "createTime": now,
                "updateTime": now,
                "defaultVersionId": "1",
                "nextVersionId": 2,
            }
            if not model["labels"]:
                del model["labels"]
            version_id = "1"
            if DEFAULT not in aliases:
                aliases.append(DEFAULT)
            tx.insert(KIND_MODEL, path, self.location.path, model)
        else:
            model = get_model_record(tx, path)
            version_id = str(model["nextVersionId"])
            model["nextVersionId"] += 1
            model["updateTime"] = now
            tx.update(path, model)
        version = {
            "versionId": version_id,
            **version_body,
            "versionCreateTime": now,
            "versionUpdateTime": now,
        }
        tx.insert(KIND_VERSION, f"{path}@{version_id}", path, version)
        apply_aliases(tx, model, version, aliases, [])
        if not version.get("versionAliases"):
            version.pop("versionAliases", None)
        tx.update(f"{path}@{version_id}", version)
        return {"model": path, "modelVersionId": version_id}
