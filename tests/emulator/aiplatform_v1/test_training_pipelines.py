"""TrainingPipelines (custom task) over raw REST: the backing job, model upload, errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..emulator_api import IMAGE, Api
from ..training_helpers import make_package, pool, wait_for, wait_state

CUSTOM_TASK = "gs://google-cloud-aiplatform/schema/trainingjob/definition/custom_task_1.0.0.yaml"
PIPELINE_TERMINAL = {
    "PIPELINE_STATE_SUCCEEDED",
    "PIPELINE_STATE_FAILED",
    "PIPELINE_STATE_CANCELLED",
}


def _body(package: Path, *, args: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "displayName": "pipe",
        "trainingTaskDefinition": CUSTOM_TASK,
        "trainingTaskInputs": {
            "workerPoolSpecs": [pool(package, args=args)],
            "baseOutputDirectory": {"outputUriPrefix": "gs://no-bucket/out"},
        },
        **extra,
    }


def _create(api: Api, body: dict[str, Any]) -> dict[str, Any]:
    return api.ok("POST", f"v1/{api.parent}/trainingPipelines", body)


def test_a_pipeline_without_a_saved_model_fails_at_upload(api: Api, tmp_path: Path) -> None:
    package = make_package(tmp_path, "print('trained, but saved nothing')")
    body = _body(
        package,
        modelToUpload={"displayName": "m", "containerSpec": {"imageUri": IMAGE}},
        labels={"team": "ml"},
    )
    pipeline = _create(api, body)
    assert pipeline["state"] == "PIPELINE_STATE_QUEUED"
    backing = pipeline["trainingTaskMetadata"]["backingCustomJob"]
    assert backing.startswith("projects/") and "/customJobs/" in backing
    done = wait_state(api, pipeline["name"], PIPELINE_TERMINAL)
    assert done["state"] == "PIPELINE_STATE_FAILED"
    assert done["error"]["code"] == 3
    assert done["error"]["message"] == (
        "Training succeeded, but the model could not be uploaded: Invalid "
        "model_to_upload.artifact_uri: bucket gs://no-bucket does not exist."
    )
    job = api.ok("GET", f"v1/{backing}")
    assert job["state"] == "JOB_STATE_SUCCEEDED"
    assert job["displayName"] == "pipe-custom-job" and job["labels"] == {"team": "ml"}
    assert api.ok("GET", f"v1/{api.parent}/models") == {}  # nothing half-created
    listed = api.ok(
        "GET",
        f"v1/{api.parent}/trainingPipelines",
        params={"filter": 'state="PIPELINE_STATE_FAILED" AND labels.team=ml'},
    )
    assert [p["name"] for p in listed["trainingPipelines"]] == [pipeline["name"]]
    operation = api.ok("DELETE", f"v1/{pipeline['name']}")
    assert operation["done"] is True and "error" not in operation
    api.error("GET", f"v1/{pipeline['name']}", status="NOT_FOUND")


def test_a_pipeline_without_a_model_succeeds_and_cancel_stops_one(api: Api, tmp_path: Path) -> None:
    quick = _create(api, _body(make_package(tmp_path / "a", "print('ok')")))
    done = wait_state(api, quick["name"], PIPELINE_TERMINAL)
    assert done["state"] == "PIPELINE_STATE_SUCCEEDED", done
    assert done["createTime"] <= done["startTime"] <= done["endTime"]
    started = tmp_path / "started"
    code = f"import time; open({str(started)!r}, 'w').close(); time.sleep(600)"
    slow = _create(api, _body(make_package(tmp_path / "b", code)))
    wait_for(started.exists, "the pipeline's training to start")
    message = api.error("DELETE", f"v1/{slow['name']}", status="FAILED_PRECONDITION")
    assert "cancel it first" in message
    api.ok("POST", f"v1/{slow['name']}:cancel", {})
    done = wait_state(api, slow["name"], PIPELINE_TERMINAL)
    assert done["state"] == "PIPELINE_STATE_CANCELLED"
    assert done["error"] == {"code": 1, "message": "CANCELED"}
    backing = api.ok("GET", f"v1/{slow['trainingTaskMetadata']['backingCustomJob']}")
    assert backing["state"] == "JOB_STATE_CANCELLED"


def test_bad_pipelines_are_refused_and_nothing_is_created(api: Api, tmp_path: Path) -> None:
    package = make_package(tmp_path, "print('ok')")
    url = f"v1/{api.parent}/trainingPipelines"
    no_base = _body(
        package, modelToUpload={"displayName": "m", "containerSpec": {"imageUri": IMAGE}}
    )
    del no_base["trainingTaskInputs"]["baseOutputDirectory"]
    cases = [
        (
            _body(package, trainingTaskDefinition="gs://google-cloud-aiplatform/schema/x.yaml"),
            "training_pipeline.training_task_definition",
        ),
        (
            _body(package, modelToUpload={"displayName": "m"}),
            "training_pipeline.model_to_upload.container_spec.image_uri",
        ),
        (no_base, "training_pipeline.training_task_inputs.base_output_directory"),
        (
            {**_body(package), "trainingTaskInputs": {"workerPoolSpecs": [], "color": 1}},
            'training_pipeline.training_task_inputs: unknown field "color"',
        ),
        (
            {
                **_body(package),
                "trainingTaskInputs": {"workerPoolSpecs": [pool(package, image="x/y:1")]},
            },
            "training_pipeline.training_task_inputs.worker_pool_specs[0].python_package_spec."
            "executor_image_uri",
        ),
        (
            _body(
                package,
                parentModel=f"{api.parent}/models/123",
                modelToUpload={"displayName": "m", "containerSpec": {"imageUri": IMAGE}},
            ),
            "NOT_FOUND",
        ),
    ]
    for body, expected in cases:
        response = api.call("POST", url, body)
        error = response.json()["error"]
        assert expected in error["message"] or expected == error["status"], (expected, error)
    assert api.ok("GET", url) == {}
    assert api.ok("GET", f"v1/{api.parent}/customJobs") == {}
