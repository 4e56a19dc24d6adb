"""Plain SDK code after ``emulator.init()``, as against Vertex (issue 16, points 2 and 3): raw
predict and its headers, the SDK's own default staging bucket (its owner check through Cloud
Resource Manager), buckets' project number and location, private endpoints refused."""

from __future__ import annotations

import json
import time
from pathlib import Path

import joblib
import pytest
from google.api_core.exceptions import BadRequest
from google.auth.transport.requests import AuthorizedSession
from google.cloud import aiplatform, resourcemanager, storage
from google.cloud.aiplatform import initializer
from google.cloud.aiplatform.utils import resource_manager_utils
from google.oauth2.credentials import Credentials
from sdk_helpers import SKLEARN_IMAGE, Sdk, deploy_one, error_message, status_of
from sklearn.datasets import load_digits

from jupyter_vertex.emulator.core.resources import project_number


def test_raw_predict_and_predict_with_raw_predict_after_init(sdk: Sdk, model_dir: Path) -> None:
    features, _ = load_digits(return_X_y=True)
    expected = joblib.load(model_dir / "model.joblib").predict(features[:3]).tolist()
    endpoint = aiplatform.Endpoint.create(display_name="raw")
    model = deploy_one(model_dir, endpoint, "raw-digits", SKLEARN_IMAGE)
    (deployed,) = endpoint.list_models()
    try:
        # a fresh Endpoint object: its session posts to {region}-aiplatform.googleapis.com
        fresh = aiplatform.Endpoint(endpoint.resource_name)
        body = json.dumps({"instances": features[:3].tolist()}).encode()
        raw = fresh.raw_predict(body=body, headers={"Content-Type": "application/json"})
        assert raw.status_code == 200, raw.text
        assert raw.json()["predictions"] == expected
        assert raw.headers["X-Vertex-AI-Endpoint-Id"] == endpoint.name
        assert raw.headers["X-Vertex-AI-Deployed-Model-Id"] == deployed.id
        assert raw.headers["X-Vertex-AI-Model"] == model.resource_name
        assert raw.headers["X-Vertex-AI-Model-Display-Name"] == "raw-digits"
        assert raw.headers["X-Vertex-AI-Model-Version-Id"] == "1"

        prediction = fresh.predict(instances=features[:3].tolist(), use_raw_predict=True)
        assert prediction.predictions == expected
        assert prediction.deployed_model_id == deployed.id
        assert prediction.model_resource_name == model.resource_name
        assert prediction.model_version_id == "1"
    finally:
        endpoint.undeploy_all()
        endpoint.delete()


def test_two_uploads_to_the_sdks_default_staging_bucket(
    sdk: Sdk, model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # as if aiplatform.init had been given no staging_bucket: the SDK makes its own bucket
    # on the first upload and checks its owner (Resource Manager) on the second
    monkeypatch.setattr(initializer.global_config, "_staging_bucket", None)
    started = time.monotonic()
    uris = [
        aiplatform.Model.upload(
            display_name=f"default-bucket-{n}",
            artifact_uri=str(model_dir),
            serving_container_image_uri=SKLEARN_IMAGE,
        ).uri
        for n in range(2)
    ]
    assert time.monotonic() - started < 30  # no Resource Manager retries (they took ~40-60 s)
    prefix = f"gs://{sdk.project}-vertex-staging-{sdk.location}-"
    assert all(uri.startswith(prefix) for uri in uris), uris
    bucket_name = uris[0][len("gs://") :].partition("/")[0]
    assert uris[1].startswith(f"gs://{bucket_name}/")
    bucket = storage.Client(project=sdk.project).get_bucket(bucket_name)
    assert str(bucket.project_number) == project_number(sdk.project)
    assert (bucket.location, bucket.location_type) == ("US-CENTRAL1", "region")


def test_resource_manager_answers_the_projects_number(sdk: Sdk) -> None:
    number = project_number(sdk.project)
    # the SDK's own look-up, pointed at the embedded Vertex by init()
    assert resource_manager_utils.get_project_number(sdk.project) == number
    # v3 through Resource Manager's own client
    client = resourcemanager.ProjectsClient(
        credentials=Credentials(token=sdk.emu.token),
        transport="rest",
        client_options={"api_endpoint": sdk.emu.url},
    )
    project = client.get_project(name=f"projects/{sdk.project}")
    assert (project.name, project.project_id, project.display_name) == (
        f"projects/{number}",
        sdk.project,
        sdk.project,
    )
    assert project.state == resourcemanager.Project.State.ACTIVE
    # v1's REST shape (no generated client ships for v1)
    session = AuthorizedSession(Credentials(token=sdk.emu.token))
    answer = session.get(f"{sdk.emu.url}/v1/projects/{sdk.project}", timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "projectNumber": number,
        "projectId": sdk.project,
        "lifecycleState": "ACTIVE",
        "name": sdk.project,
        "createTime": "2024-01-01T00:00:00Z",
    }
    bad = session.get(f"{sdk.emu.url}/v3/projects/Not_A_Project", timeout=10)
    assert bad.status_code == 400
    assert bad.json()["error"]["status"] == "INVALID_ARGUMENT"


def test_buckets_carry_the_project_number_and_requested_location(sdk: Sdk) -> None:
    client = storage.Client(project=sdk.project)
    regional = client.create_bucket(f"{sdk.project}-regional", location="europe-west4")
    assert str(regional.project_number) == project_number(sdk.project)
    assert (regional.location, regional.location_type) == ("EUROPE-WEST4", "region")
    again = client.get_bucket(regional.name)  # stored, not only answered
    assert str(again.project_number) == project_number(sdk.project)
    assert again.location == "EUROPE-WEST4"
    multi = client.create_bucket(f"{sdk.project}-multi", location="eu")
    assert (multi.location, multi.location_type) == ("EU", "multi-region")


PRIVATE_REFUSED = (
    "Invalid endpoint.{field}: private endpoints (a VPC network or Private Service Connect) are "
    "not served by the embedded Vertex; create a public endpoint (no network, no "
    "private_service_connect_config)."
)


def test_private_endpoints_are_refused(sdk: Sdk) -> None:
    with pytest.raises(BadRequest) as peering:
        aiplatform.PrivateEndpoint.create(
            display_name="private", network="projects/123456789012/global/networks/default"
        )
    assert status_of(peering.value) == "INVALID_ARGUMENT"
    assert error_message(peering.value) == PRIVATE_REFUSED.format(field="network")

    with pytest.raises(BadRequest) as psc:
        aiplatform.PrivateEndpoint.create(
            display_name="psc",
            private_service_connect_config=aiplatform.PrivateEndpoint.PrivateServiceConnectConfig(
                project_allowlist=[sdk.project]
            ),
        )
    assert status_of(psc.value) == "INVALID_ARGUMENT"
    assert error_message(psc.value) == PRIVATE_REFUSED.format(
        field="private_service_connect_config"
    )
    assert aiplatform.Endpoint.list() == []
