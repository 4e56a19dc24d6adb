"""Model Registry through the real, unchanged google-cloud-aiplatform SDK."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import joblib
import numpy as np
import pytest
from google.api_core import exceptions
from google.cloud import aiplatform, aiplatform_v1, storage
from google.cloud.aiplatform.models import ModelRegistry
from google.oauth2.credentials import Credentials
from sdk_helpers import SKLEARN_IMAGE, Sdk, status_of
from sklearn.datasets import load_digits


def _upload(model_dir: Path, name: str = "digits", **kwargs: object) -> aiplatform.Model:
    return aiplatform.Model.upload(
        display_name=name,
        artifact_uri=str(model_dir),
        serving_container_image_uri=SKLEARN_IMAGE,
        **kwargs,
    )


def _gapic(sdk: Sdk) -> aiplatform_v1.ModelServiceClient:
    return aiplatform_v1.ModelServiceClient(
        credentials=Credentials(token=sdk.emu.token),
        transport="rest",
        client_options={"api_endpoint": sdk.emu.url},
    )


def test_upload_from_a_local_folder(sdk: Sdk, model_dir: Path, tmp_path: Path) -> None:
    model = _upload(model_dir, labels={"team": "ml"}, description="digits classifier")
    assert model.resource_name.startswith("projects/") and "/models/" in model.resource_name
    assert model.display_name == "digits"
    assert model.description == "digits classifier"
    assert model.labels == {"team": "ml"}
    assert model.version_id == "1"
    assert model.version_aliases == ["default"]
    assert model.container_spec.image_uri == SKLEARN_IMAGE
    assert [t.name for t in model.supported_deployment_resources_types] == [
        "DEDICATED_RESOURCES",
        "SHARED_RESOURCES",
    ]
    assert model.uri.startswith(f"{sdk.staging_bucket}/vertex_ai_auto_staging/")
    # the SDK staged the real file into local Cloud Storage: read it back and use it
    blob = storage.Blob.from_uri(f"{model.uri}/model.joblib", client=storage.Client())
    blob.download_to_filename(tmp_path / "model.joblib")
    features, _ = load_digits(return_X_y=True)
    staged = joblib.load(tmp_path / "model.joblib")
    original = joblib.load(model_dir / "model.joblib")
    assert np.array_equal(staged.predict(features[-20:]), original.predict(features[-20:]))
    # and a fresh object sees the same model
    again = aiplatform.Model(model.resource_name)
    assert again.gca_resource == model.gca_resource


def test_upload_from_gcs(sdk: Sdk, model_dir: Path) -> None:
    client = storage.Client(project=sdk.project)
    bucket = client.create_bucket(f"models-{uuid.uuid4().hex[:8]}")
    bucket.blob("digits/v1/model.joblib").upload_from_filename(str(model_dir / "model.joblib"))
    uri = f"gs://{bucket.name}/digits/v1"
    model = aiplatform.Model.upload(
        display_name="from-gcs", artifact_uri=uri, serving_container_image_uri=SKLEARN_IMAGE
    )
    assert model.uri == uri
    assert model.version_id == "1"


def test_missing_artifacts_fail_the_upload_with_invalid_argument(sdk: Sdk) -> None:
    bucket = storage.Client(project=sdk.project).create_bucket(f"empty-{uuid.uuid4().hex[:8]}")
    with pytest.raises(exceptions.InvalidArgument) as caught:
        aiplatform.Model.upload(
            display_name="nothing",
            artifact_uri=f"gs://{bucket.name}/nothing",
            serving_container_image_uri=SKLEARN_IMAGE,
        )
    assert "artifact_uri" in caught.value.message
    assert f"gs://{bucket.name}/nothing" in caught.value.message
    assert aiplatform.Model.list() == []


def test_the_sdk_creates_its_default_staging_bucket(
    sdk: Sdk, model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from google.cloud.aiplatform.utils import gcs_utils

    salt = str(uuid.uuid4())
    monkeypatch.setattr(gcs_utils, "_DEFAULT_STAGING_BUCKET_SALT", salt)
    aiplatform.init(
        project=sdk.project,
        location=sdk.location,
        api_endpoint=sdk.emu.url,
        api_transport="rest",
        credentials=Credentials(token=sdk.emu.token),
        staging_bucket=None,
    )
    from google.cloud.aiplatform import initializer

    monkeypatch.setattr(initializer.global_config, "_staging_bucket", None)
    model = _upload(model_dir, "default-bucket")
    expected = f"{sdk.project}-vertex-staging-{sdk.location}-{salt}"[:63].rstrip("-")
    assert model.uri.startswith(f"gs://{expected}/vertex_ai_auto_staging/")
    assert storage.Client(project=sdk.project).bucket(expected).exists()


def test_list_filter_order_and_pages(sdk: Sdk, model_dir: Path) -> None:
    client = _gapic(sdk)
    batch = uuid.uuid4().hex[:6]
    for index in range(103):  # more than one default page (100)
        operation = client.upload_model(
            parent=sdk.parent,
            model=aiplatform_v1.Model(
                display_name=f"m-{index:03d}",
                labels={"batch": batch, "parity": "even" if index % 2 == 0 else "odd"},
                container_spec=aiplatform_v1.ModelContainerSpec(image_uri="example/img"),
            ),
        )
        operation.result()
    everything = aiplatform.Model.list()
    assert len(everything) == 103
    assert len({m.resource_name for m in everything}) == 103
    assert [m.display_name for m in everything[:2]] == ["m-000", "m-001"]  # create_time order
    picked = aiplatform.Model.list(
        filter=f'labels.batch="{batch}" AND (display_name="m-007" OR display_name="m-010")'
    )
    assert sorted(m.display_name for m in picked) == ["m-007", "m-010"]
    odd_desc = aiplatform.Model.list(filter="labels.parity=odd", order_by="display_name desc")
    assert [m.display_name for m in odd_desc[:3]] == ["m-101", "m-099", "m-097"]
    assert len(odd_desc) == 51
    pager = client.list_models(
        request={"parent": sdk.parent, "page_size": 2, "filter": 'display_name="m-00*"'}
    )
    pages = list(pager.pages)
    assert [len(page.models) for page in pages] == [2, 2, 2, 2, 2]
    assert [m.display_name for page in pages for m in page.models] == [
        f"m-00{i}" for i in range(10)
    ]
    with pytest.raises(exceptions.BadRequest) as caught:
        aiplatform.Model.list(filter="display_name=")
    assert status_of(caught.value) == "INVALID_ARGUMENT"
    assert 'expected a value after "="' in caught.value.message


def test_versions_aliases_and_the_registry(sdk: Sdk, model_dir: Path) -> None:
    first = _upload(model_dir, "versioned")
    second = _upload(
        model_dir,
        "versioned",
        parent_model=first.resource_name,
        is_default_version=False,
        version_aliases=["candidate"],
        version_description="second try",
    )
    assert second.resource_name == first.resource_name
    assert (second.version_id, second.version_aliases) == ("2", ["candidate"])
    assert second.version_description == "second try"
    third = _upload(model_dir, "versioned", parent_model=first.resource_name.split("/")[-1])
    assert (third.version_id, third.version_aliases) == ("3", ["default"])
    assert aiplatform.Model(first.resource_name).version_id == "3"

    registry = ModelRegistry(first.resource_name)
    versions = registry.list_versions()
    assert [(v.version_id, list(v.version_aliases)) for v in versions] == [
        ("1", []),
        ("2", ["candidate"]),
        ("3", ["default"]),
    ]
    assert registry.get_model(version="candidate").version_id == "2"
    registry.add_version_aliases(["prod", "blue"], version="2")
    registry.remove_version_aliases(["candidate"], version="2")
    info = registry.get_version_info("2")
    assert list(info.version_aliases) == ["prod", "blue"]
    assert info.version_description == "second try"
    registry.add_version_aliases(["prod"], version="1")  # moves it
    assert list(registry.get_version_info("2").version_aliases) == ["blue"]
    assert aiplatform.Model(first.resource_name, version="prod").version_id == "1"

    registry.delete_version("1")
    assert [v.version_id for v in registry.list_versions()] == ["2", "3"]
    with pytest.raises(exceptions.BadRequest) as caught:
        registry.delete_version("3")  # the default version
    assert status_of(caught.value) == "FAILED_PRECONDITION"
    with pytest.raises(exceptions.BadRequest) as caught:
        registry.remove_version_aliases(["default"], version="3")
    assert status_of(caught.value) == "INVALID_ARGUMENT"
    with pytest.raises(exceptions.NotFound):
        registry.get_model(version="1")


def test_aliases_given_at_upload_keep_their_order(sdk: Sdk, model_dir: Path) -> None:
    aliases = ["system-test-model", "testing"]
    model = _upload(model_dir, "ordered", version_aliases=aliases, version_description="d")
    # the SDK appends "default" to the caller's list; Vertex answers them in request order
    assert model.version_aliases == ["system-test-model", "testing", "default"]
    second = _upload(
        model_dir, "ordered", parent_model=model.resource_name, is_default_version=False
    )
    info = second.versioning_registry.get_version_info("testing")
    listed = second.versioning_registry.list_versions()[0]
    assert info.version_id == listed.version_id == "1"
    assert info.version_update_time == listed.version_update_time == model.version_update_time
    assert info.model_display_name == listed.model_display_name == "ordered"
    assert second.versioning_registry.get_model().version_id == "1"


def test_update_and_delete(sdk: Sdk, model_dir: Path) -> None:
    model = _upload(model_dir, "before", description="kept", labels={"a": "1"})
    model.update(display_name="after")
    assert (model.display_name, model.description, model.labels) == ("after", "kept", {"a": "1"})
    model.update(description="new", labels={"b": "2"})
    fresh = aiplatform.Model(model.resource_name)
    assert (fresh.display_name, fresh.description, fresh.labels) == ("after", "new", {"b": "2"})
    model.delete()
    with pytest.raises(exceptions.NotFound):
        aiplatform.Model(model.resource_name)


def test_not_found_and_isolation(sdk: Sdk, model_dir: Path) -> None:
    with pytest.raises(exceptions.NotFound):
        aiplatform.Model("1234567890123456789")
    model = _upload(model_dir, "isolated")
    model_id = model.resource_name.split("/")[-1]
    assert aiplatform.Model(model_id).resource_name == model.resource_name
    with pytest.raises(exceptions.NotFound):
        aiplatform.Model(model_id, project=f"{sdk.project}-other")
    with pytest.raises(exceptions.NotFound):
        aiplatform.Model(model_id, location="europe-west4")
    assert aiplatform.Model.list(project=f"{sdk.project}-other") == []
    assert aiplatform.Model.list(location="europe-west4") == []
    assert [m.resource_name for m in aiplatform.Model.list()] == [model.resource_name]


def test_model_ids_conflict(sdk: Sdk, model_dir: Path) -> None:
    model = _upload(model_dir, "named", model_id="my-digits")
    assert model.resource_name.endswith("/models/my-digits")
    with pytest.raises(exceptions.Conflict) as caught:
        _upload(model_dir, "named", model_id="my-digits")
    assert status_of(caught.value) == "ALREADY_EXISTS"


def test_bad_input_is_invalid_argument(sdk: Sdk, model_dir: Path) -> None:
    with pytest.raises(exceptions.BadRequest) as caught:
        _upload(model_dir, "aliases", version_aliases=["Not_Valid"])
    assert status_of(caught.value) == "INVALID_ARGUMENT"
    assert "version_aliases" in caught.value.message
    assert aiplatform.Model.list() == []


def test_deployed_models_cannot_be_deleted(
    sdk: Sdk, model_dir: Path, fake_deployment: Callable[..., str]
) -> None:
    model = _upload(model_dir, "in-use")
    endpoint = aiplatform.Endpoint.create(display_name="serving")
    fake_deployment(sdk.emu, endpoint.resource_name, model.resource_name, "1")
    with pytest.raises(exceptions.BadRequest) as caught:
        model.delete()
    assert status_of(caught.value) == "FAILED_PRECONDITION"
    assert endpoint.resource_name in caught.value.message
    refs = aiplatform.Model(model.resource_name).gca_resource.deployed_models
    assert [(r.endpoint, r.deployed_model_id) for r in refs] == [(endpoint.resource_name, "1111")]
    with pytest.raises(exceptions.BadRequest) as caught:
        aiplatform.Endpoint(endpoint.resource_name).delete()
    assert status_of(caught.value) == "FAILED_PRECONDITION"
