"""Model Registry: UploadModel, Get/List/Update/DeleteModel, versions and aliases.

Storage shape: a ``model`` row holds what the model's versions share (displayName,
description, model labels, createTime, the default version, the next version id); each
version is a ``modelVersion`` row named ``…/models/ID@VERSION`` with everything else it was
uploaded with (artifactUri, containerSpec, versionAliases, version labels, ...). A Model as
answered is one version joined with its model: labels merged, deployments read from the
endpoints, and an etag over the fields UpdateModel can change.

Version rules (Vertex's): version ids count up from 1 and are never reused; aliases match
``[a-z][a-zA-Z0-9-]{0,126}[a-z0-9]`` and are unique within a model (adding one that another
version holds moves it); exactly one version holds ``default``: the first version gets it,
a new version takes it only when its ``versionAliases`` include it, and it can be moved but
never removed. The default version and deployed versions cannot be deleted.
"""

from __future__ import annotations

import re
from typing import Any

from ..core import filters, listing
from ..core.errors import (
    ApiError,
    aborted,
    already_exists,
    failed_precondition,
    internal,
    invalid_argument,
    not_found,
)
from ..core.masks import update_paths
from ..core.resources import (
    MODEL_ID,
    VERSION_ALIAS,
    VERSION_ID,
    LocationName,
    ResourceName,
    etag,
    new_numeric_id,
    parse_location,
    parse_resource_name,
    validate_display_name,
    validate_labels,
)
from ..core.routing import Call, Reply, Route
from ..core.store import Tx
from ..storage.local_storage import LocalStorage
from . import V1, deployments
from .resource_handlers import delete_operation, existing, resource_spec

MODEL = f"{V1}.Model"
KIND_MODEL = "model"
KIND_VERSION = "modelVersion"
DEFAULT = "default"

# Model fields a client may not set (Vertex computes them) and that upload ignores.
_OUTPUT_ONLY = {
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
_MODEL_LEVEL = {"displayName", "description"}
# A model version's etag covers what UpdateModel can change (plus which version it is), so a
# client's read-modify-write is refused when someone else changed those fields meanwhile,
# but not because a sibling version was uploaded or an alias moved.
_ETAG_FIELDS = ("name", "versionId", "displayName", "description", "labels", "versionDescription")

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

MODELS_SPEC = resource_spec(model=filters.id_field())
VERSIONS_SPEC = filters.ListSpec(
    filters={
        "display_name": filters.string_field("displayName"),
        "labels": filters.map_field("labels"),
        "version_aliases": filters.list_field("versionAliases"),
        "version_id": filters.string_field("versionId"),
        "create_time": filters.timestamp_field("versionCreateTime"),
        "update_time": filters.timestamp_field("versionUpdateTime"),
    },
    orders={"create_time": "versionCreateTime", "update_time": "versionUpdateTime"},
)


# reading -------------------------------------------------------------------------------


def render(
    model: dict[str, Any], version: dict[str, Any], index: deployments.DeploymentIndex
) -> dict[str, Any]:
    """One version of a model, as Vertex answers a Model."""
    out: dict[str, Any] = {"name": model["name"], "displayName": model["displayName"]}
    if model.get("description"):
        out["description"] = model["description"]
    for key, value in version.items():
        if key != "labels":
            out[key] = value
    if version.get("containerSpec"):
        out["supportedDeploymentResourcesTypes"] = ["DEDICATED_RESOURCES", "SHARED_RESOURCES"]
        out["supportedInputStorageFormats"] = [
            "jsonl",
            "bigquery",
            "csv",
            "tf-record",
            "tf-record-gzip",
            "file-list",
        ]
        out["supportedOutputStorageFormats"] = ["jsonl", "bigquery"]
    if version.get("artifactUri"):
        out["supportedExportFormats"] = [
            {"id": "custom-trained", "exportableContents": ["ARTIFACT"]}
        ]
    out["modelSourceInfo"] = {"sourceType": "CUSTOM"}
    labels = {**(model.get("labels") or {}), **(version.get("labels") or {})}
    if labels:
        out["labels"] = labels
    out["createTime"] = model["createTime"]
    out["updateTime"] = max(model["updateTime"], version["versionUpdateTime"])
    refs = index.get((model["name"], version["versionId"]))
    if refs:
        out["deployedModels"] = refs
    out["etag"] = etag({key: out.get(key) for key in _ETAG_FIELDS})
    return out


def _get_model(tx: Tx, path: str) -> dict[str, Any]:
    return existing(tx, path, KIND_MODEL, "Model")


def _versions(tx: Tx, path: str) -> list[dict[str, Any]]:
    return tx.children(KIND_VERSION, path)


def _resolve_version(tx: Tx, model: dict[str, Any], version: str | None) -> dict[str, Any]:
    """A version by id or alias; the default version for None or ``-``."""
    path = model["name"]
    if version in (None, "-"):
        found = tx.get(f"{path}@{model['defaultVersionId']}", KIND_VERSION)
        if found is None:  # pragma: no cover - the default version always exists
            raise internal(f"Model {path} has no default version.")
        return found
    assert version is not None
    if VERSION_ID.match(version):
        found = tx.get(f"{path}@{version}", KIND_VERSION)
    else:
        found = next(
            (v for v in _versions(tx, path) if version in (v.get("versionAliases") or [])), None
        )
    if found is None:
        raise not_found(f"Model {path}@{version} not found.")
    return found


def get_model(tx: Tx, name: ResourceName) -> dict[str, Any]:
    model = _get_model(tx, name.path)
    version = _resolve_version(tx, model, name.version)
    return render(model, version, deployments.index(tx))


# aliases -------------------------------------------------------------------------------


def _check_aliases(aliases: list[str], field: str, *, allow_removal: bool) -> None:
    seen: set[str] = set()
    for raw in aliases:
        alias = raw[1:] if allow_removal and raw.startswith("-") else raw
        if not VERSION_ALIAS.match(alias):
            raise invalid_argument(
                f"Invalid {field}: {raw!r} does not match [a-z][a-zA-Z0-9-]{{0,126}}[a-z0-9]."
            )
        if alias in seen:
            raise invalid_argument(f"Invalid {field}: {alias!r} is given more than once.")
        seen.add(alias)
        if raw == f"-{DEFAULT}":
            raise invalid_argument(
                f"Invalid {field}: the default alias cannot be removed; add it to another "
                "version to move it."
            )


def _apply_aliases(
    tx: Tx, model: dict[str, Any], target: dict[str, Any], add: list[str], remove: list[str]
) -> None:
    """Add (moving from other versions) and remove aliases on ``target``; write changes."""
    changed: dict[str, dict[str, Any]] = {}
    versions = {v["versionId"]: v for v in _versions(tx, model["name"])}
    versions[target["versionId"]] = target
    own = target.setdefault("versionAliases", [])
    for alias in remove:
        if alias in own:
            own.remove(alias)
            changed[target["versionId"]] = target
    for alias in add:
        for other in versions.values():
            if other is not target and alias in (other.get("versionAliases") or []):
                other["versionAliases"].remove(alias)
                changed[other["versionId"]] = other
        if alias not in own:
            own.append(alias)
            changed[target["versionId"]] = target
        if alias == DEFAULT and model["defaultVersionId"] != target["versionId"]:
            model["defaultVersionId"] = target["versionId"]
            model["updateTime"] = tx.now
            tx.update(model["name"], model)
    for version in changed.values():
        if not version["versionAliases"]:
            del version["versionAliases"]
        version["versionUpdateTime"] = tx.now
        if tx.exists(f"{model['name']}@{version['versionId']}"):
            tx.update(f"{model['name']}@{version['versionId']}", version)


# upload --------------------------------------------------------------------------------


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
        _check_aliases(aliases, "model.version_aliases", allow_removal=False)
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
        self.body = {k: v for k, v in body.items() if k not in _OUTPUT_ONLY}
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
            _get_model(tx, self.model_path)
        elif tx.exists(self.model_path):
            if self.user_id:
                raise already_exists(f"Model {self.model_path} already exists.")
            raise internal("Model id collision; retry the upload.")

    def work(self, tx: Tx) -> dict[str, Any]:
        self.check(tx)
        path, now = self.model_path, tx.now
        model_level = {k: v for k, v in self.body.items() if k in _MODEL_LEVEL}
        version_body = {k: v for k, v in self.body.items() if k not in _MODEL_LEVEL}
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
            model = _get_model(tx, path)
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
        _apply_aliases(tx, model, version, aliases, [])
        if not version.get("versionAliases"):
            version.pop("versionAliases", None)
        tx.update(f"{path}@{version_id}", version)
        return {"model": path, "modelVersionId": version_id}


# update --------------------------------------------------------------------------------

_MODEL_PATHS = {"display_name", "description", "labels"}
_VERSION_PATHS = {"version_description", "labels"}


def update_model(tx: Tx, request: dict[str, Any]) -> dict[str, Any]:
    body = request.get("model") or {}
    name = parse_resource_name(body.get("name", ""), "models", "model.name", allow_version=True)
    version_level = name.version not in (None, "-")
    mask = request.get("updateMask", "")
    if any(p.strip() in ("versionAliases", "version_aliases") for p in mask.split(",")):
        raise invalid_argument(
            'Invalid update_mask: "version_aliases" cannot be updated by UpdateModel; use '
            "MergeVersionAliases (models/ID@VERSION:mergeVersionAliases)."
        )
    paths = update_paths(mask, MODEL, _MODEL_PATHS | _VERSION_PATHS)
    wrong = [p for p in paths if p not in (_VERSION_PATHS if version_level else _MODEL_PATHS)]
    if wrong:
        if version_level:
            raise failed_precondition(
                f"Cannot update {', '.join(wrong)} of a model version ({body['name']}); update "
                "model fields with the model's name without @version."
            )
        raise failed_precondition(
            f"Cannot update {', '.join(wrong)} with a model name ({body['name']}); name the "
            "version as models/ID@VERSION to update version fields."
        )
    model = _get_model(tx, name.path)
    target = _resolve_version(tx, model, name.version)
    index = deployments.index(tx)
    given_etag = body.get("etag")
    if given_etag:
        current = {render(model, v, index)["etag"] for v in _versions(tx, name.path)}
        if given_etag not in current:
            raise aborted(
                f"The etag of {body['name']} does not match: the model changed since it was read."
            )
    if "display_name" in paths:
        validate_display_name(body.get("displayName"), "model.display_name")
    if "labels" in paths:
        validate_labels(body.get("labels") or {}, "model.labels")
    if version_level:
        for path in paths:
            key = {"version_description": "versionDescription", "labels": "labels"}[path]
            if body.get(key):
                target[key] = body[key]
            else:
                target.pop(key, None)
        target["versionUpdateTime"] = tx.now
        tx.update(f"{name.path}@{target['versionId']}", target)
    else:
        for path in paths:
            key = {"display_name": "displayName", "description": "description", "labels": "labels"}[
                path
            ]
            if body.get(key):
                model[key] = body[key]
            else:
                model.pop(key, None)
        model["updateTime"] = tx.now
        tx.update(name.path, model)
    return render(model, target, index)


def merge_version_aliases(tx: Tx, request: dict[str, Any]) -> dict[str, Any]:
    name = parse_resource_name(request.get("name", ""), "models", allow_version=True)
    if name.version in (None, "-"):
        raise invalid_argument(
            "Invalid name: MergeVersionAliases needs a version, e.g. models/ID@1."
        )
    aliases = list(request.get("versionAliases") or [])
    if not aliases:
        raise invalid_argument("version_aliases is required.")
    _check_aliases(aliases, "version_aliases", allow_removal=True)
    model = _get_model(tx, name.path)
    target = _resolve_version(tx, model, name.version)
    add = [a for a in aliases if not a.startswith("-")]
    remove = [a[1:] for a in aliases if a.startswith("-")]
    _apply_aliases(tx, model, target, add, remove)
    return render(model, target, deployments.index(tx))


# deleting ------------------------------------------------------------------------------


def _deployed_error(what: str, refs: list[dict[str, Any]]) -> ApiError:
    endpoints = ", ".join(sorted({ref["endpoint"] for ref in refs}))
    return failed_precondition(
        f"{what} is deployed or being deployed at the following Endpoint(s): {endpoints}. "
        "Undeploy it first."
    )


def check_delete_model(tx: Tx, name: ResourceName) -> None:
    _get_model(tx, name.path)
    refs = deployments.refs_for_model(deployments.index(tx), name.path)
    if refs:
        raise _deployed_error(f"Model {name.path}", refs)


def delete_model(tx: Tx, name: ResourceName) -> dict[str, Any]:
    check_delete_model(tx, name)
    tx.delete_children(KIND_VERSION, name.path)
    tx.delete(name.path)
    return {}


def check_delete_version(tx: Tx, name: ResourceName) -> dict[str, Any]:
    model = _get_model(tx, name.path)
    version = _resolve_version(tx, model, name.version)
    version_name = f"{name.path}@{version['versionId']}"
    if version["versionId"] == model["defaultVersionId"]:
        raise failed_precondition(
            f"Model version {version_name} is the default version and cannot be deleted; move "
            "the default alias to another version first, or delete the model."
        )
    refs = deployments.index(tx).get((name.path, version["versionId"]))
    if refs:
        raise _deployed_error(f"Model version {version_name}", refs)
    return version


def delete_version(tx: Tx, name: ResourceName) -> dict[str, Any]:
    version = check_delete_version(tx, name)
    tx.delete(f"{name.path}@{version['versionId']}")
    return {}


# HTTP ----------------------------------------------------------------------------------


async def _upload(call: Call) -> Reply:
    plan = UploadPlan(call.request)
    failure = None
    if plan.artifact_uri:
        storage = call.ctx.get(LocalStorage)
        if storage is None:  # pragma: no cover - the CLI always runs local storage
            failure = failed_precondition("Local Cloud Storage is not running.")
        else:
            failure = await storage.check_artifact_uri(
                plan.artifact_uri, "model.artifact_uri", plan.expected_files
            )
    operation = await call.ctx.operations.run(
        parent=plan.model_path,
        metadata_type=f"{V1}.UploadModelOperationMetadata",
        response_type=f"{V1}.UploadModelResponse",
        check=plan.check,
        work=plan.work,
        failure=failure,
    )
    return Reply("google.longrunning.Operation", operation)


async def _get(call: Call) -> Reply:
    name = parse_resource_name(call.request.get("name", ""), "models", allow_version=True)
    return Reply(MODEL, await call.ctx.store.read(lambda tx: get_model(tx, name)))


async def _list(call: Call) -> Reply:
    request = call.request
    location = parse_location(request.get("parent", ""), "parent")

    def read(tx: Tx) -> list[dict[str, Any]]:
        index = deployments.index(tx)
        items = []
        for model in tx.children(KIND_MODEL, location.path):
            items.append(render(model, _resolve_version(tx, model, None), index))
        return items

    items = await call.ctx.store.read(read)
    data = listing.list_response(
        items, MODELS_SPEC, scope=location.path, request=request, field="models"
    )
    return Reply(f"{V1}.ListModelsResponse", data)


async def _list_versions(call: Call) -> Reply:
    request = call.request
    name = parse_resource_name(request.get("name", ""), "models")

    def read(tx: Tx) -> list[dict[str, Any]]:
        model = _get_model(tx, name.path)
        index = deployments.index(tx)
        return [render(model, version, index) for version in _versions(tx, name.path)]

    items = await call.ctx.store.read(read)
    data = listing.list_response(
        items, VERSIONS_SPEC, scope=name.path, request=request, field="models"
    )
    return Reply(f"{V1}.ListModelVersionsResponse", data)


async def _update(call: Call) -> Reply:
    return Reply(MODEL, await call.ctx.store.write(lambda tx: update_model(tx, call.request)))


async def _merge_aliases(call: Call) -> Reply:
    request = call.request
    return Reply(MODEL, await call.ctx.store.write(lambda tx: merge_version_aliases(tx, request)))


async def _delete(call: Call) -> Reply:
    name = parse_resource_name(call.request.get("name", ""), "models")
    return await delete_operation(
        call,
        name,
        check=lambda tx: check_delete_model(tx, name),
        work=lambda tx: delete_model(tx, name),
    )


async def _delete_version(call: Call) -> Reply:
    name = parse_resource_name(call.request.get("name", ""), "models", allow_version=True)
    if name.version in (None, "-"):
        raise invalid_argument(
            "Invalid name: DeleteModelVersion needs a version, e.g. models/ID@2; use "
            "DeleteModel to delete a whole model."
        )

    def check(tx: Tx) -> None:
        check_delete_version(tx, name)

    return await delete_operation(call, name, check=check, work=lambda tx: delete_version(tx, name))


def routes() -> list[Route]:
    location = "projects/*/locations/*"
    model = f"{location}/models/*"
    request = f"{V1}."
    return [
        Route(
            "POST",
            f"/v1/{{parent={location}}}/models:upload",
            request + "UploadModelRequest",
            _upload,
            "*",
        ),
        Route("GET", f"/v1/{{name={model}}}", request + "GetModelRequest", _get),
        Route("GET", f"/v1/{{parent={location}}}/models", request + "ListModelsRequest", _list),
        Route(
            "GET",
            f"/v1/{{name={model}}}:listVersions",
            request + "ListModelVersionsRequest",
            _list_versions,
        ),
        Route(
            "PATCH",
            f"/v1/{{model.name={model}}}",
            request + "UpdateModelRequest",
            _update,
            "model",
        ),
        Route("DELETE", f"/v1/{{name={model}}}", request + "DeleteModelRequest", _delete),
        Route(
            "DELETE",
            f"/v1/{{name={model}}}:deleteVersion",
            request + "DeleteModelVersionRequest",
            _delete_version,
        ),
        Route(
            "POST",
            f"/v1/{{name={model}}}:mergeVersionAliases",
            request + "MergeVersionAliasesRequest",
            _merge_aliases,
            "*",
        ),
    ]
