"""Google client types → the API's JSON shapes (and the framework of an image URI)."""

from __future__ import annotations

import datetime as dt

import pytest
from google.cloud import aiplatform_v1

from jupyter_vertex.services.convert import endpoint_to_json, framework_of, model_to_json


@pytest.mark.parametrize(
    ("uri", "framework"),
    [
        ("us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest", "sklearn"),
        ("europe-docker.pkg.dev/vertex-ai/prediction/xgboost-cpu.1-7:latest", "xgboost"),
        ("us-docker.pkg.dev/vertex-ai/prediction/tf2-gpu.2-12:latest", "tensorflow"),
        ("us-docker.pkg.dev/vertex-ai/training/tf-cpu.2-11.py310:latest", "tensorflow"),
        (
            "us-docker.pkg.dev/vertex-ai-restricted/prediction/tf_opt-cpu.nightly:latest",
            "tensorflow",
        ),
        ("us-docker.pkg.dev/vertex-ai/prediction/pytorch-gpu.2-1:latest", "pytorch"),
        ("gcr.io/cloud-aiplatform/prediction/sklearn-cpu.0-24:latest", "sklearn"),
        ("asia-docker.pkg.dev/vertex-ai/training/xgboost-cpu.1-1", "xgboost"),
        ("us-central1-docker.pkg.dev/my-proj/repo/cpr-sklearn:v1", "custom"),
        ("python:3.11", "custom"),
        ("", None),
        (None, None),
    ],
)
def test_framework_of(uri: str | None, framework: str | None) -> None:
    assert framework_of(uri) == framework


def test_model_to_json() -> None:
    when = dt.datetime(2024, 5, 1, 12, 30, 5, 123000, tzinfo=dt.timezone.utc)
    model = aiplatform_v1.Model(
        name="projects/p/locations/us-central1/models/123",
        display_name="digits",
        description="a model",
        version_id="2",
        version_aliases=["default", "prod"],
        version_description="second",
        version_create_time=when,
        version_update_time=when,
        create_time=when,
        update_time=when,
        labels={"team": "ml"},
        artifact_uri="gs://bucket/model/",
        container_spec=aiplatform_v1.ModelContainerSpec(
            image_uri="us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest"
        ),
        deployed_models=[
            aiplatform_v1.DeployedModelRef(
                endpoint="projects/p/locations/us-central1/endpoints/77", deployed_model_id="5"
            )
        ],
        etag="abc",
    )
    assert model_to_json(model) == {
        "name": "projects/p/locations/us-central1/models/123",
        "id": "123",
        "displayName": "digits",
        "description": "a model",
        "versionId": "2",
        "versionAliases": ["default", "prod"],
        "versionDescription": "second",
        "versionCreateTime": "2024-05-01T12:30:05.123Z",
        "versionUpdateTime": "2024-05-01T12:30:05.123Z",
        "createTime": "2024-05-01T12:30:05.123Z",
        "updateTime": "2024-05-01T12:30:05.123Z",
        "labels": {"team": "ml"},
        "artifactUri": "gs://bucket/model/",
        "containerImageUri": "us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest",
        "framework": "sklearn",
        "deployedModels": [
            {
                "endpoint": "projects/p/locations/us-central1/endpoints/77",
                "deployedModelId": "5",
            }
        ],
        "etag": "abc",
        "provenance": None,
    }


def test_empty_model_to_json() -> None:
    out = model_to_json(aiplatform_v1.Model(name="projects/p/locations/l/models/9"))
    assert out["id"] == "9"
    assert out["versionId"] is None
    assert out["createTime"] is None
    assert (out["containerImageUri"], out["framework"], out["artifactUri"]) == (None, None, None)
    assert (out["labels"], out["deployedModels"], out["versionAliases"]) == ({}, [], [])


def test_model_provenance_from_its_pipeline_and_labels() -> None:
    model = aiplatform_v1.Model(
        name="projects/p/locations/l/models/9",
        training_pipeline="projects/p/locations/l/trainingPipelines/42",
        labels={"training-job": "digits-run", "git-commit": "abc1234", "git-dirty": "true"},
    )
    assert model_to_json(model)["provenance"] == {
        "job": {"kind": "trainingPipeline", "id": "42", "displayName": "digits-run"},
        "git": {"commit": "abc1234", "branch": None, "dirty": True},
    }
    # Labels alone (a job deleted, or git labels written by hand): the git part only.
    only_git = aiplatform_v1.Model(
        name="projects/p/locations/l/models/9", labels={"git-commit": "a"}
    )
    assert model_to_json(only_git)["provenance"] == {
        "job": None,
        "git": {"commit": "a", "branch": None, "dirty": False},
    }


def test_endpoint_to_json() -> None:
    when = dt.datetime(2024, 5, 1, 0, 0, 0, tzinfo=dt.timezone.utc)
    endpoint = aiplatform_v1.Endpoint(
        name="projects/p/locations/us-central1/endpoints/456",
        display_name="ep",
        description="desc",
        labels={"env": "dev"},
        create_time=when,
        update_time=when,
        etag="e1",
        deployed_models=[
            aiplatform_v1.DeployedModel(
                id="111",
                model="projects/p/locations/us-central1/models/123",
                model_version_id="1",
                display_name="digits-v1",
            )
        ],
        traffic_split={"111": 100},
    )
    assert endpoint_to_json(endpoint) == {
        "name": "projects/p/locations/us-central1/endpoints/456",
        "id": "456",
        "displayName": "ep",
        "description": "desc",
        "labels": {"env": "dev"},
        "createTime": "2024-05-01T00:00:00Z",
        "updateTime": "2024-05-01T00:00:00Z",
        "etag": "e1",
        "deployedModels": [
            {
                "id": "111",
                "model": "projects/p/locations/us-central1/models/123",
                "modelVersionId": "1",
                "displayName": "digits-v1",
                # No dedicated resources asked: nothing recorded.
                "machineType": None,
                "acceleratorType": None,
                "acceleratorCount": 0,
            }
        ],
        "trafficSplit": {"111": 100},
    }
