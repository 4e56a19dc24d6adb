"""The HTTP surface: auth, the error model and every class of bad input."""

from __future__ import annotations

import json

import pytest

from ..emulator_api import Api

CUSTOM_IMAGE = "europe-docker.pkg.dev/my-project/serving/model:1"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer"},
    ],
    ids=["missing", "wrong", "basic", "empty"],
)
def test_requests_without_the_token_are_unauthenticated(api: Api, headers: dict[str, str]) -> None:
    response = api.session.request(
        "GET", f"{api.emu.url}/v1/{api.parent}/models", headers=headers, timeout=10
    )
    assert response.status_code == 401
    assert response.json()["error"]["status"] == "UNAUTHENTICATED"
    assert response.json()["error"]["code"] == 401
    assert "bearer token" in response.json()["error"]["message"]


def test_unauthenticated_writes_change_nothing(api: Api) -> None:
    message = api.error(
        "POST",
        f"v1/{api.parent}/endpoints",
        {"displayName": "x"},
        token="nope",
        status="UNAUTHENTICATED",
    )
    assert "credential" in message
    assert api.ok("GET", f"v1/{api.parent}/endpoints") == {}


def test_unknown_paths_are_not_found(api: Api) -> None:
    api.error("GET", f"v1/{api.parent}/nothings", status="NOT_FOUND")
    api.error("GET", "v2/projects/p/locations/l/models", status="NOT_FOUND")
    # a verb no route has
    api.error("POST", f"v1/{api.parent}/models/1:explode", status="NOT_FOUND")


def test_malformed_json_is_invalid_argument(api: Api) -> None:
    message = api.error(
        "POST",
        f"v1/{api.parent}/endpoints",
        data=b'{"displayName": "x",',
        headers={"Content-Type": "application/json"},
        status="INVALID_ARGUMENT",
    )
    assert message.startswith("Invalid JSON payload received.")
    assert "line 1" in message


def test_a_body_that_is_not_an_object_is_refused(api: Api) -> None:
    message = api.error("POST", f"v1/{api.parent}/endpoints", [1, 2], status="INVALID_ARGUMENT")
    assert "must be an object" in message


def test_unknown_fields_are_named(api: Api) -> None:
    message = api.error(
        "POST",
        f"v1/{api.parent}/endpoints",
        {"displayName": "x", "colour": "blue"},
        status="INVALID_ARGUMENT",
    )
    assert message == (
        "Invalid JSON payload received. Unknown name \"colour\" at 'endpoint': Cannot find field."
    )
    nested = api.error(
        "POST",
        f"v1/{api.parent}/models:upload",
        {"model": {"displayName": "m", "containerSpec": {"imageUri": "i", "gpu": True}}},
        status="INVALID_ARGUMENT",
    )
    assert "Unknown name \"gpu\" at 'model.container_spec'" in nested


def test_wrong_types_are_named(api: Api) -> None:
    message = api.error(
        "POST",
        f"v1/{api.parent}/endpoints",
        {"displayName": 42},
        status="INVALID_ARGUMENT",
    )
    assert message == "Invalid value at 'endpoint.display_name' (TYPE_STRING), 42"
    labels = api.error(
        "POST",
        f"v1/{api.parent}/endpoints",
        {"displayName": "x", "labels": {"a": 1}},
        status="INVALID_ARGUMENT",
    )
    assert labels == "Invalid value at 'endpoint.labels[\"a\"]' (TYPE_STRING), 1"
    repeated = api.error(
        "POST",
        f"v1/{api.parent}/models:upload",
        {"model": {"displayName": "m", "versionAliases": "prod"}},
        status="INVALID_ARGUMENT",
    )
    assert repeated == "Invalid value at 'model.version_aliases' (TYPE_STRING), \"prod\""


def test_query_parameters_are_typed_and_known(api: Api) -> None:
    message = api.error(
        "GET", f"v1/{api.parent}/models", params={"pageSize": "many"}, status="INVALID_ARGUMENT"
    )
    assert message == "Invalid value at 'page_size' (TYPE_INT32), \"many\""
    unknown = api.error(
        "GET", f"v1/{api.parent}/models", params={"colour": "blue"}, status="INVALID_ARGUMENT"
    )
    assert 'Unknown name "colour"' in unknown


def test_bodies_over_the_limit_are_refused(api: Api) -> None:
    big = {"displayName": "x", "description": "a" * (10 * 1024 * 1024 + 1)}
    message = api.error("POST", f"v1/{api.parent}/endpoints", big, status="INVALID_ARGUMENT")
    assert message == "Request payload size exceeds the limit: 10485760 bytes."
    assert api.ok("GET", f"v1/{api.parent}/endpoints") == {}


def test_a_body_on_a_method_without_one_is_refused(api: Api) -> None:
    message = api.error(
        "GET", f"v1/{api.parent}/models", {"filter": "x"}, status="INVALID_ARGUMENT"
    )
    assert "takes no request body" in message


@pytest.mark.parametrize(
    ("path", "needle"),
    [
        ("v1/projects/Bad_Project/locations/us-central1/models", "not a valid project"),
        ("v1/projects/p/locations/US/models", "not a valid location"),
        ("v1/projects/p/locations/us-central1/models/Upper", "not a valid resource id"),
        ("v1/projects/p/locations/us-central1/models/1@", "neither a version id nor"),
        ("v1/projects/p/locations/us-central1/endpoints/1@2", "must not name a version"),
    ],
)
def test_names_not_matching_their_pattern(api: Api, path: str, needle: str) -> None:
    assert needle in api.error("GET", path, status="INVALID_ARGUMENT")


def test_required_fields(api: Api) -> None:
    assert (
        api.error("POST", f"v1/{api.parent}/endpoints", {}, status="INVALID_ARGUMENT")
        == "endpoint is required."
    )
    assert (
        api.error(
            "POST", f"v1/{api.parent}/endpoints", {"description": "d"}, status="INVALID_ARGUMENT"
        )
        == "endpoint.display_name is required."
    )
    assert (
        api.error("POST", f"v1/{api.parent}/models:upload", {}, status="INVALID_ARGUMENT")
        == "model is required."
    )
    assert (
        api.error(
            "POST",
            f"v1/{api.parent}/models:upload",
            {"model": {"displayName": "m"}},
            status="INVALID_ARGUMENT",
        )
        == "model.container_spec.image_uri is required."
    )
    long_name = api.error(
        "POST", f"v1/{api.parent}/endpoints", {"displayName": "x" * 129}, status="INVALID_ARGUMENT"
    )
    assert long_name == "Invalid endpoint.display_name: at most 128 characters are allowed."


@pytest.mark.parametrize(
    "labels",
    [{"Env": "x"}, {"env": "Prod"}, {"1env": "x"}, {"e" * 64: "x"}, {"env": "a b"}],
)
def test_label_rules(api: Api, labels: dict[str, str]) -> None:
    message = api.error(
        "POST",
        f"v1/{api.parent}/endpoints",
        {"displayName": "x", "labels": labels},
        status="INVALID_ARGUMENT",
    )
    assert message.startswith("Invalid endpoint.labels:")


def test_enum_encoding_follows_the_request(api: Api) -> None:
    model = api.upload("enums")
    names = api.ok("GET", f"v1/{model['name']}")
    assert names["supportedDeploymentResourcesTypes"] == ["DEDICATED_RESOURCES", "SHARED_RESOURCES"]
    assert names["modelSourceInfo"] == {"sourceType": "CUSTOM"}
    ints = api.ok("GET", f"v1/{model['name']}", params={"$alt": "json;enum-encoding=int"})
    assert ints["supportedDeploymentResourcesTypes"] == [1, 3]
    assert ints["modelSourceInfo"] == {"sourceType": 2}


def test_resource_json_shape(api: Api) -> None:
    model = api.upload(
        "shape",
        description="d",
        labels={"team": "a"},
        metadataSchemaUri="gs://schemas/m.yaml",
        containerSpec={"imageUri": CUSTOM_IMAGE, "env": [{"name": "A", "value": "1"}]},
    )
    number = model["name"].split("/")[1]
    assert number.isdigit() and len(number) == 12
    model_id = model["name"].rsplit("/", 1)[1]
    assert model_id.isdigit() and len(model_id) == 19
    assert model["displayName"] == "shape"
    assert model["description"] == "d"
    assert model["labels"] == {"team": "a"}
    assert model["versionId"] == "1"
    assert model["versionAliases"] == ["default"]
    assert model["metadataSchemaUri"] == "gs://schemas/m.yaml"
    assert model["containerSpec"] == {
        "imageUri": CUSTOM_IMAGE,
        "env": [{"name": "A", "value": "1"}],
    }
    assert model["createTime"] == model["versionCreateTime"]
    assert model["createTime"].endswith("Z") and "T" in model["createTime"]
    assert isinstance(model["etag"], str) and len(model["etag"]) == 20
    assert "deployedModels" not in model
    again = api.ok("GET", f"v1/{model['name']}")
    assert again == model  # stable answers, stable etag


def test_project_ids_and_numbers_name_the_same_resources(api: Api) -> None:
    endpoint = api.create_endpoint("same")
    number = endpoint["name"].split("/")[1]
    by_id = api.ok("GET", f"v1/{endpoint['name'].replace(number, api.project, 1)}")
    assert by_id == api.ok("GET", f"v1/{endpoint['name']}")


def test_projects_and_locations_are_kept_apart(api: Api) -> None:
    model = api.upload("isolated")
    endpoint = api.create_endpoint("isolated")
    model_id = model["name"].rsplit("/", 1)[1]
    endpoint_id = endpoint["name"].rsplit("/", 1)[1]
    for parent in (
        "projects/other/locations/us-central1",
        f"projects/{api.project}/locations/europe-west4",
    ):
        api.error("GET", f"v1/{parent}/models/{model_id}", status="NOT_FOUND")
        api.error("GET", f"v1/{parent}/endpoints/{endpoint_id}", status="NOT_FOUND")
        assert api.ok("GET", f"v1/{parent}/models") == {}
        assert api.ok("GET", f"v1/{parent}/endpoints") == {}


def test_not_found_messages_name_the_resource(api: Api) -> None:
    message = api.error("GET", f"v1/{api.parent}/models/123", status="NOT_FOUND")
    assert message.startswith("Model projects/") and message.endswith("/models/123 not found.")


def test_answers_are_utf8_json(api: Api) -> None:
    endpoint = api.create_endpoint("modèle ✓")
    response = api.call("GET", f"v1/{endpoint['name']}")
    assert response.headers["Content-Type"] == "application/json; charset=UTF-8"
    assert json.loads(response.content.decode("utf-8"))["displayName"] == "modèle ✓"
