"""Model Registry: UploadModel, Get/List/Update/DeleteModel, versions and aliases.

Storage shape: a ``model`` row holds what the model's versions share (displayName,
description, model labels, createTime, the default version, the next version id); each
version is a ``modelVersion`` row named ``…/models/ID@VERSION`` with everything else it was
uploaded with (artifactUri, containerSpec, versionAliases, version labels, ...). A Model as
answered is one version joined with its model: labels merged, deployments read from the
endpoints, and an etag over the fields UpdateModel can change.

Versions and aliases follow Vertex's rules (:mod:`.model_versions`); uploads are planned in
:mod:`.model_upload`. The default version and deployed versions cannot be deleted.
"""

from __future__ import annotations

from typing import Any

from ..core import filters, listing
from ..core.errors import (
    ApiError,
    aborted,
    failed_precondition,
    invalid_argument,
)
from ..core.masks import update_paths
from ..core.resources import (
    ResourceName,
    etag,
    parse_location,
    parse_resource_name,
    validate_display_name,
    validate_labels,
)
from ..core.routing import Call, Reply, Route
from ..core.store import Tx
from ..storage.local_storage import LocalStorage
from . import V1, deployments
from .model_upload import UploadPlan
from .model_versions import (
    KIND_MODEL,
    KIND_VERSION,
    apply_aliases,
    check_aliases,
    get_model_record,
    resolve_version,
    versions_of,
)
from .resource_handlers import delete_operation, resource_spec

MODEL = f"{V1}.Model"

# A model version's etag covers what UpdateModel can change (plus which version it is), so a
# client's read-modify-write is refused when someone else changed those fields meanwhile,
# but not because a sibling version was uploaded or an alias moved.
_ETAG_FIELDS = ("name", "versionId", "displayName", "description", "labels", "versionDescription")

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


def get_model(tx: Tx, name: ResourceName) -> dict[str, Any]:
    model = get_model_record(tx, name.path)
    version = resolve_version(tx, model, name.version)
    return render(model, version, deployments.index(tx))


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
    model = get_model_record(tx, name.path)
    target = resolve_version(tx, model, name.version)
    index = deployments.index(tx)
    given_etag = body.get("etag")
    if given_etag:
        current = {render(model, v, index)["etag"] for v in versions_of(tx, name.path)}
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
    check_aliases(aliases, "version_aliases", allow_removal=True)
    model = get_model_record(tx, name.path)
    target = resolve_version(tx, model, name.version)
    add = [a for a in aliases if not a.startswith("-")]
    remove = [a[1:] for a in aliases if a.startswith("-")]
    apply_aliases(tx, model, target, add, remove)
    return render(model, target, deployments.index(tx))


# deleting ------------------------------------------------------------------------------


def _deployed_error(what: str, refs: list[dict[str, Any]]) -> ApiError:
    endpoints = ", ".join(sorted({ref["endpoint"] for ref in refs}))
    return failed_precondition(
        f"{what} is deployed or being deployed at the following Endpoint(s): {endpoints}. "
        "Undeploy it first."
    )


def check_delete_model(tx: Tx, name: ResourceName) -> None:
    get_model_record(tx, name.path)
    refs = deployments.refs_for_model(deployments.index(tx), name.path)
    if refs:
        raise _deployed_error(f"Model {name.path}", refs)


def delete_model(tx: Tx, name: ResourceName) -> dict[str, Any]:
    check_delete_model(tx, name)
    tx.delete_children(KIND_VERSION, name.path)
    tx.delete(name.path)
    return {}


def check_delete_version(tx: Tx, name: ResourceName) -> dict[str, Any]:
    model = get_model_record(tx, name.path)
    version = resolve_version(tx, model, name.version)
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
            items.append(render(model, resolve_version(tx, model, None), index))
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
        model = get_model_record(tx, name.path)
        index = deployments.index(tx)
        return [render(model, version, index) for version in versions_of(tx, name.path)]

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
