"""Model Registry semantics over raw HTTP: versions, aliases, updates, deletes, artifacts."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests

from jupyter_vertex.emulator import ensure_bucket

from ..emulator_api import IMAGE, Api


def _put_object(api: Api, bucket: str, name: str, data: bytes = b"x") -> None:
    response = requests.post(
        f"{api.emu.storage_url}/upload/storage/v1/b/{bucket}/o",
        params={"uploadType": "media", "name": name},
        data=data,
        headers=api.emu.storage_headers,
        timeout=10,
    )
    assert response.status_code == 200, response.text


def _upload_op(api: Api, **request: Any) -> dict[str, Any]:
    return api.ok("POST", f"v1/{api.parent}/models:upload", request)


def _aliases(api: Api, model_name: str) -> dict[str, list[str]]:
    versions = api.ok("GET", f"v1/{model_name}:listVersions")["models"]
    return {v["versionId"]: v.get("versionAliases", []) for v in versions}


# upload and versions ---------------------------------------------------------------------


def test_upload_answers_an_operation_with_the_model(api: Api) -> None:
    operation = _upload_op(
        api, model={"displayName": "op", "containerSpec": {"imageUri": "example/img"}}
    )
    assert operation["done"] is True
    assert "/models/" in operation["name"] and "/operations/" in operation["name"]
    metadata = operation["metadata"]
    assert metadata["@type"] == (
        "type.googleapis.com/google.cloud.aiplatform.v1.UploadModelOperationMetadata"
    )
    assert metadata["genericMetadata"]["createTime"] <= metadata["genericMetadata"]["updateTime"]
    response = operation["response"]
    assert response["@type"] == "type.googleapis.com/google.cloud.aiplatform.v1.UploadModelResponse"
    assert response["modelVersionId"] == "1"
    assert operation["name"].startswith(response["model"] + "/operations/")
    again = api.ok("GET", f"v1/{operation['name']}")
    assert again == operation


def test_user_model_ids(api: Api) -> None:
    model = api.upload("mine", modelId="my_model-1")
    assert model["name"].endswith("/models/my_model-1")
    message = api.error(
        "POST",
        f"v1/{api.parent}/models:upload",
        {
            "modelId": "my_model-1",
            "model": {"displayName": "m", "containerSpec": {"imageUri": "i"}},
        },
        status="ALREADY_EXISTS",
    )
    assert message.endswith("/models/my_model-1 already exists.")
    for bad in ("1model", "-m", "Model", "m" * 64):
        message = api.error(
            "POST",
            f"v1/{api.parent}/models:upload",
            {"modelId": bad, "model": {"displayName": "m", "containerSpec": {"imageUri": "i"}}},
            status="INVALID_ARGUMENT",
        )
        assert message.startswith("Invalid model_id:")


def test_versions_count_up_and_the_first_is_default(api: Api) -> None:
    first = api.upload("v", labels={"stage": "one"})
    assert (first["versionId"], first["versionAliases"]) == ("1", ["default"])
    second = api.upload("ignored", parentModel=first["name"], labels={"run": "two"})
    assert second["name"] == first["name"]
    assert second["versionId"] == "2"
    assert "versionAliases" not in second
    assert second["displayName"] == "v"  # model-level fields belong to the model
    assert second["labels"] == {"stage": "one", "run": "two"}  # model + version labels
    third = api.upload("v", parentModel=first["name"], versionAliases=["default", "canary"])
    assert third["versionAliases"] == ["default", "canary"]
    assert _aliases(api, first["name"]) == {"1": [], "2": [], "3": ["default", "canary"]}
    assert api.ok("GET", f"v1/{first['name']}")["versionId"] == "3"
    assert api.ok("GET", f"v1/{first['name']}@canary")["versionId"] == "3"
    assert api.ok("GET", f"v1/{first['name']}@1")["versionId"] == "1"
    api.error("GET", f"v1/{first['name']}@9", status="NOT_FOUND")
    api.error("GET", f"v1/{first['name']}@nosuch", status="NOT_FOUND")


def test_parent_model_must_exist_in_the_same_location(api: Api) -> None:
    api.error(
        "POST",
        f"v1/{api.parent}/models:upload",
        {
            "parentModel": f"{api.parent}/models/404",
            "model": {"displayName": "m", "containerSpec": {"imageUri": "i"}},
        },
        status="NOT_FOUND",
    )
    message = api.error(
        "POST",
        f"v1/{api.parent}/models:upload",
        {
            "parentModel": f"projects/{api.project}/locations/europe-west4/models/1",
            "model": {"displayName": "m", "containerSpec": {"imageUri": "i"}},
        },
        status="INVALID_ARGUMENT",
    )
    assert "parent_model" in message


def test_list_models_shows_default_versions_only(api: Api) -> None:
    first = api.upload("listed")
    api.upload("listed", parentModel=first["name"])
    api.upload("listed", parentModel=first["name"], versionAliases=["default"])
    models = api.ok("GET", f"v1/{api.parent}/models")["models"]
    assert [(m["name"], m["versionId"]) for m in models] == [(first["name"], "3")]


# aliases -------------------------------------------------------------------------------


def test_merge_version_aliases(api: Api) -> None:
    model = api.upload("aliases")
    name = model["name"]
    api.upload("aliases", parentModel=name)

    def merge(version: str, aliases: list[str]) -> dict[str, Any]:
        return api.ok(
            "POST", f"v1/{name}@{version}:mergeVersionAliases", {"versionAliases": aliases}
        )

    assert merge("2", ["prod", "blue"])["versionAliases"] == ["prod", "blue"]
    # moving an alias moves it
    assert merge("1", ["prod"])["versionAliases"] == ["default", "prod"]
    assert _aliases(api, name) == {"1": ["default", "prod"], "2": ["blue"]}
    # removing, by alias name too
    assert merge("blue", ["-blue", "green"])["versionAliases"] == ["green"]
    # default moves, never disappears
    assert merge("2", ["default"])["versionAliases"] == ["green", "default"]
    assert _aliases(api, name) == {"1": ["prod"], "2": ["green", "default"]}
    message = api.error(
        "POST",
        f"v1/{name}@2:mergeVersionAliases",
        {"versionAliases": ["-default"]},
        status="INVALID_ARGUMENT",
    )
    assert "default alias cannot be removed" in message


@pytest.mark.parametrize(
    "aliases",
    [["Prod"], ["p"], ["prod-"], ["1prod"], ["a" * 129], ["x_y"], ["prod", "prod"], []],
)
def test_bad_aliases_are_refused(api: Api, aliases: list[str]) -> None:
    model = api.upload("bad-aliases")
    api.error(
        "POST",
        f"v1/{model['name']}@1:mergeVersionAliases",
        {"versionAliases": aliases},
        status="INVALID_ARGUMENT",
    )
    assert _aliases(api, model["name"]) == {"1": ["default"]}


def test_merge_needs_a_version(api: Api) -> None:
    model = api.upload("merge")
    message = api.error(
        "POST",
        f"v1/{model['name']}:mergeVersionAliases",
        {"versionAliases": ["x1"]},
        status="INVALID_ARGUMENT",
    )
    assert "needs a version" in message


# updates -------------------------------------------------------------------------------


def _patch(api: Api, name: str, body: dict[str, Any], mask: str, **kw: Any) -> Any:
    return api.call("PATCH", f"v1/{name}", {"name": name, **body}, params={"updateMask": mask})


def test_update_model_fields_in_the_mask_only(api: Api) -> None:
    model = api.upload("before", description="keep me", labels={"a": "1"})
    response = _patch(
        api, model["name"], {"displayName": "after", "description": "x"}, "displayName"
    )
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["displayName"] == "after"
    assert updated["description"] == "keep me"
    assert updated["labels"] == {"a": "1"}
    assert updated["etag"] != model["etag"]
    assert updated["updateTime"] > model["updateTime"]
    assert updated["createTime"] == model["createTime"]
    cleared = _patch(api, model["name"], {}, "description,labels").json()
    assert "description" not in cleared and "labels" not in cleared
    assert cleared["displayName"] == "after"


def test_update_mask_errors(api: Api) -> None:
    model = api.upload("masks")
    for mask, needle in [
        ("", "update_mask is required"),
        ("colour", '"colour" is not a field of google.cloud.aiplatform.v1.Model'),
        ("artifact_uri", '"artifact_uri" cannot be updated'),
        ("versionAliases", '"version_aliases" cannot be updated by UpdateModel; use Merge'),
    ]:
        response = _patch(api, model["name"], {"displayName": "x"}, mask)
        assert response.status_code == 400, mask
        assert needle in response.json()["error"]["message"]
        assert response.json()["error"]["status"] == "INVALID_ARGUMENT"
    assert api.ok("GET", f"v1/{model['name']}")["displayName"] == "masks"


def test_model_and_version_updates_are_separate(api: Api) -> None:
    model = api.upload("levels", labels={"m": "1"})
    api.upload("levels", parentModel=model["name"], labels={"v": "2"})
    # version fields need the version's name
    response = _patch(api, model["name"], {"versionDescription": "x"}, "versionDescription")
    assert response.status_code == 400
    assert response.json()["error"]["status"] == "FAILED_PRECONDITION"
    response = _patch(api, f"{model['name']}@2", {"displayName": "x"}, "displayName")
    assert response.json()["error"]["status"] == "FAILED_PRECONDITION"
    # version-level: description and labels of version 2 only
    response = _patch(
        api,
        f"{model['name']}@2",
        {"versionDescription": "v2", "labels": {"v": "3"}},
        "versionDescription,labels",
    )
    assert response.status_code == 200, response.text
    version = response.json()
    assert (version["versionId"], version["versionDescription"]) == ("2", "v2")
    assert version["labels"] == {"m": "1", "v": "3"}
    assert "versionDescription" not in api.ok("GET", f"v1/{model['name']}@1")
    # model-level labels show on every version
    _patch(api, model["name"], {"labels": {"m": "9"}}, "labels")
    assert api.ok("GET", f"v1/{model['name']}@1")["labels"] == {"m": "9"}
    assert api.ok("GET", f"v1/{model['name']}@2")["labels"] == {"m": "9", "v": "3"}


def test_stale_etags_are_aborted(api: Api) -> None:
    model = api.upload("etags")
    fresh = _patch(api, model["name"], {"displayName": "one", "etag": model["etag"]}, "displayName")
    assert fresh.status_code == 200
    stale = _patch(api, model["name"], {"displayName": "two", "etag": model["etag"]}, "displayName")
    assert stale.status_code == 409
    assert stale.json()["error"]["status"] == "ABORTED"
    assert api.ok("GET", f"v1/{model['name']}")["displayName"] == "one"
    # uploading a sibling version or moving aliases does not invalidate a version's etag
    current = api.ok("GET", f"v1/{model['name']}")
    api.upload("etags", parentModel=model["name"], versionAliases=["default"])
    assert api.ok("GET", f"v1/{model['name']}@1")["etag"] == current["etag"]


# deletes -------------------------------------------------------------------------------


def test_delete_model_and_versions(api: Api) -> None:
    model = api.upload("gone")
    name = model["name"]
    api.upload("gone", parentModel=name)
    message = api.error("DELETE", f"v1/{name}@1:deleteVersion", status="FAILED_PRECONDITION")
    assert "default version" in message
    message = api.error("DELETE", f"v1/{name}:deleteVersion", status="INVALID_ARGUMENT")
    assert "needs a version" in message
    operation = api.ok("DELETE", f"v1/{name}@2:deleteVersion")
    assert operation["done"] is True and operation["response"] == {
        "@type": "type.googleapis.com/google.protobuf.Empty"
    }
    assert operation["metadata"]["@type"].endswith("v1.DeleteOperationMetadata")
    assert _aliases(api, name) == {"1": ["default"]}
    # version ids are never reused
    assert api.upload("gone", parentModel=name)["versionId"] == "3"
    operation = api.ok("DELETE", f"v1/{name}")
    assert operation["name"].startswith(
        f"{api.parent.replace(api.project, name.split('/')[1])}/operations/"
    )
    api.error("GET", f"v1/{name}", status="NOT_FOUND")
    api.error("GET", f"v1/{name}@3", status="NOT_FOUND")
    api.error("DELETE", f"v1/{name}", status="NOT_FOUND")


def test_deployed_models_and_versions_cannot_be_deleted(
    api: Api, fake_deployment: Callable[..., str]
) -> None:
    model = api.upload("deployed")
    name = model["name"]
    api.upload("deployed", parentModel=name)
    endpoint = api.create_endpoint("serving")
    deployed_id = fake_deployment(api.emu, endpoint["name"], name, "2")
    refs = api.ok("GET", f"v1/{name}@2")["deployedModels"]
    assert refs == [{"endpoint": endpoint["name"], "deployedModelId": deployed_id}]
    assert "deployedModels" not in api.ok("GET", f"v1/{name}@1")
    message = api.error("DELETE", f"v1/{name}", status="FAILED_PRECONDITION")
    assert endpoint["name"] in message
    message = api.error("DELETE", f"v1/{name}@2:deleteVersion", status="FAILED_PRECONDITION")
    assert endpoint["name"] in message
    message = api.error("DELETE", f"v1/{endpoint['name']}", status="FAILED_PRECONDITION")
    assert "has deployed models (1111)" in message
    assert api.ok("GET", f"v1/{name}@2")["versionId"] == "2"


# artifacts -----------------------------------------------------------------------------


def test_artifact_uris_must_exist_in_local_storage(api: Api) -> None:
    bucket = f"b-{uuid.uuid4().hex[:10]}"

    def upload(uri: str, image: str = "example/img") -> dict[str, Any]:
        return _upload_op(
            api,
            model={"displayName": "art", "artifactUri": uri, "containerSpec": {"imageUri": image}},
        )

    missing_bucket = upload(f"gs://{bucket}/model")
    assert missing_bucket["done"] is True
    assert missing_bucket["error"] == {
        "code": 3,
        "message": f"Invalid model.artifact_uri: bucket gs://{bucket} does not exist.",
    }
    assert "response" not in missing_bucket
    ensure_bucket(api.emu.storage_url, bucket, api.project, token=api.emu.token)
    empty = upload(f"gs://{bucket}/model")
    assert empty["error"]["message"] == (
        f"Invalid model.artifact_uri: no objects found under gs://{bucket}/model."
    )
    _put_object(api, bucket, "model/readme.txt")
    _put_object(api, bucket, "model-other/model.joblib")  # another prefix: no match
    wrong_files = upload(f"gs://{bucket}/model", IMAGE)
    assert wrong_files["error"]["message"] == (
        f"Invalid model.artifact_uri: model directory gs://{bucket}/model is expected to "
        "contain exactly one of: [model.joblib, model.pkl]."
    )
    # nothing was half-written
    assert api.ok("GET", f"v1/{api.parent}/models") == {}
    _put_object(api, bucket, "model/model.joblib")
    fine = upload(f"gs://{bucket}/model/", IMAGE)
    assert "error" not in fine
    model = api.ok("GET", f"v1/{fine['response']['model']}")
    assert model["artifactUri"] == f"gs://{bucket}/model/"
    assert model["supportedExportFormats"] == [
        {"id": "custom-trained", "exportableContents": ["ARTIFACT"]}
    ]
    message = api.error(
        "POST",
        f"v1/{api.parent}/models:upload",
        {
            "model": {
                "displayName": "m",
                "artifactUri": "/tmp/x",
                "containerSpec": {"imageUri": "i"},
            }
        },
        status="INVALID_ARGUMENT",
    )
    assert "artifact_uri" in message
