"""Training through the real, unchanged google-cloud-aiplatform SDK (and Cloud Logging's
client library for the logs): jobs run as real local processes."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import joblib
import numpy as np
import pytest
from google.cloud import aiplatform, storage
from google.cloud.aiplatform import jobs as sdk_jobs
from google.cloud.aiplatform import training_jobs as sdk_training_jobs
from google.oauth2.credentials import Credentials
from sdk_helpers import SKLEARN_IMAGE, Sdk
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from jupyter_vertex.emulator.sdk_setup import LOCAL_JOB_POLL

TRAINING_IMAGE = "us-docker.pkg.dev/vertex-ai/training/sklearn-cpu.1-0:latest"

# Google's sample shape: train, save model.joblib, copy it to AIP_MODEL_DIR with the
# storage client.
DIGITS = """
import os
import sys

import joblib
from google.cloud import storage
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

features, target = load_digits(return_X_y=True)
model = LogisticRegression(max_iter=300).fit(features[:500], target[:500])
joblib.dump(model, "model.joblib")
bucket, _, prefix = os.environ["AIP_MODEL_DIR"][len("gs://"):].partition("/")
storage.Client().bucket(bucket).blob(prefix + "model.joblib").upload_from_filename("model.joblib")
print("accuracy", round(model.score(features[500:], target[500:]), 3), "args", sys.argv[1:])
"""


def _accuracy() -> float:
    """What the DIGITS script prints, computed in this process."""
    features, target = load_digits(return_X_y=True)
    model = LogisticRegression(max_iter=300).fit(features[:500], target[:500])
    return round(model.score(features[500:], target[500:]), 3)


def _log_lines(sdk: Sdk, job_id: str) -> list[tuple[str, str, str]]:
    from google.cloud import logging as cloud_logging

    client = cloud_logging.Client(
        project=sdk.project,
        credentials=Credentials(token=sdk.emu.token),
        _use_grpc=False,
        client_options={"api_endpoint": sdk.emu.url},
    )
    entries = client.list_entries(
        filter_=f'resource.type="ml_job" AND resource.labels.job_id="{job_id}"'
    )
    return [(e.severity, e.log_name, e.payload) for e in entries]


def test_custom_job_from_a_local_script(sdk: Sdk, tmp_path: Path) -> None:
    script = tmp_path / "task.py"
    script.write_text(
        "import os, sys\n"
        "print('job', os.environ['CLOUD_ML_JOB_ID'], sys.argv[1:])\n"
        "print('to stderr', file=sys.stderr)\n"
    )
    job = aiplatform.CustomJob.from_local_script(
        display_name="script",
        script_path=str(script),
        container_uri=TRAINING_IMAGE,
        args=["--n", "3", "a b;$HOME"],
        labels={"team": "ml"},
    )
    # init() made the SDK's blocking waits poll a local job every 0.2 s, not every 5 s
    assert sdk_jobs._JOB_WAIT_TIME == sdk_training_jobs._JOB_WAIT_TIME == LOCAL_JOB_POLL == 0.2
    job.run()
    assert job.state == aiplatform.gapic.JobState.JOB_STATE_SUCCEEDED
    assert job.labels == {"team": "ml"}
    assert job.job_spec.base_output_directory.output_uri_prefix.startswith(sdk.staging_bucket)
    lines = _log_lines(sdk, job.name)
    log_name = f"projects/{sdk.project}/logs/workerpool0-0"
    assert sorted(lines) == [
        ("ERROR", log_name, "to stderr"),
        ("INFO", log_name, f"job {job.name} ['--n', '3', 'a b;$HOME']"),
    ]
    listed = aiplatform.CustomJob.list(filter='labels.team="ml"')
    assert [j.resource_name for j in listed] == [job.resource_name]


def _sdist(code: str) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path, text in {
            "trainer-0.1/setup.py": "from setuptools import setup\nsetup(name='trainer')\n",
            "trainer-0.1/trainer/__init__.py": "",
            "trainer-0.1/trainer/task.py": code,
        }.items():
            info = tarfile.TarInfo(path)
            info.size = len(text.encode())
            archive.addfile(info, io.BytesIO(text.encode()))
    return buffer.getvalue()


def test_custom_job_with_a_python_package_from_storage(sdk: Sdk) -> None:
    package = f"{sdk.staging_bucket}/packages/trainer-0.1.tar.gz"
    storage.Blob.from_uri(package, client=storage.Client()).upload_from_string(_sdist(DIGITS))
    job = aiplatform.CustomJob(
        display_name="package",
        worker_pool_specs=[
            {
                "machine_spec": {"machine_type": "n1-standard-4"},
                "replica_count": 1,
                "python_package_spec": {
                    "executor_image_uri": TRAINING_IMAGE,
                    "package_uris": [package],
                    "python_module": "trainer.task",
                    "args": ["--epochs", "1"],
                },
            }
        ],
        base_output_dir=f"{sdk.staging_bucket}/out",
    )
    job.run()
    assert job.state == aiplatform.gapic.JobState.JOB_STATE_SUCCEEDED
    assert job.start_time <= job.end_time
    model_uri = f"{sdk.staging_bucket}/out/model/model.joblib"
    assert storage.Blob.from_uri(model_uri, client=storage.Client()).exists()
    [(severity, _, text)] = _log_lines(sdk, job.name)
    assert (severity, text) == ("INFO", f"accuracy {_accuracy()} args ['--epochs', '1']")


def test_a_failing_job_raises_with_its_last_lines(sdk: Sdk, tmp_path: Path) -> None:
    script = tmp_path / "task.py"
    script.write_text("raise SystemExit('no data found')\n")
    job = aiplatform.CustomJob.from_local_script(
        display_name="failing", script_path=str(script), container_uri=TRAINING_IMAGE
    )
    with pytest.raises(RuntimeError) as raised:
        job.run()
    assert job.state == aiplatform.gapic.JobState.JOB_STATE_FAILED
    assert "exited with a non-zero status of 1" in str(raised.value)
    assert "no data found" in str(raised.value)
    assert job.error.code == 3


def test_custom_training_job_returns_a_model_that_predicts(sdk: Sdk, tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text(DIGITS)
    job = aiplatform.CustomTrainingJob(
        display_name="digits",
        script_path=str(script),
        container_uri=TRAINING_IMAGE,
        model_serving_container_image_uri=SKLEARN_IMAGE,
        labels={"team": "ml"},
    )
    model = job.run(args=["--x"], model_display_name="digits-model")
    assert job.state == aiplatform.gapic.PipelineState.PIPELINE_STATE_SUCCEEDED
    assert isinstance(model, aiplatform.Model)
    assert model.display_name == "digits-model"
    assert model.version_id == "1"
    assert model.container_spec.image_uri == SKLEARN_IMAGE
    assert model.uri.endswith("/model/") and model.uri.startswith(sdk.staging_bucket)
    assert model.gca_resource.training_pipeline == job.resource_name
    backing = job.gca_resource.training_task_metadata["backingCustomJob"]
    custom_job = aiplatform.CustomJob.get(backing)
    assert custom_job.state == aiplatform.gapic.JobState.JOB_STATE_SUCCEEDED
    # the artifact loads and predicts exactly like the same training in this process
    blob = storage.Blob.from_uri(f"{model.uri}model.joblib", client=storage.Client())
    blob.download_to_filename(tmp_path / "model.joblib")
    features, target = load_digits(return_X_y=True)
    trained = joblib.load(tmp_path / "model.joblib")
    local = LogisticRegression(max_iter=300).fit(features[:500], target[:500])
    assert np.array_equal(trained.predict(features[500:]), local.predict(features[500:]))
    lines = _log_lines(sdk, custom_job.name)
    assert [text for _, _, text in lines] == [f"accuracy {_accuracy()} args ['--x']"]
    # a second run registers a new version of the same model
    again = aiplatform.CustomTrainingJob(
        display_name="digits-v2",
        script_path=str(script),
        container_uri=TRAINING_IMAGE,
        model_serving_container_image_uri=SKLEARN_IMAGE,
    )
    second = again.run(parent_model=model.resource_name, model_version_aliases=["challenger"])
    assert second.resource_name == model.resource_name
    assert second.version_id == "2"
    assert second.version_aliases == ["challenger", "default"]  # is_default_version=True


def test_replica_count_two_from_a_local_script(sdk: Sdk, tmp_path: Path) -> None:
    out = tmp_path / "specs"
    out.mkdir()
    script = tmp_path / "task.py"
    script.write_text(
        "import json, os\n"
        "task = json.loads(os.environ['CLUSTER_SPEC'])['task']\n"
        f"path = os.path.join({str(out)!r}, f\"{{task['type']}}-{{task['index']}}\")\n"
        "open(path, 'w').write(os.environ['TF_CONFIG'])\n"
    )
    job = aiplatform.CustomJob.from_local_script(
        display_name="two",
        script_path=str(script),
        container_uri=TRAINING_IMAGE,
        replica_count=2,  # the SDK sends a chief pool and a worker pool of one replica
    )
    job.run()
    assert job.state == aiplatform.gapic.JobState.JOB_STATE_SUCCEEDED
    assert sorted(p.name for p in out.iterdir()) == ["workerpool0-0", "workerpool1-0"]
    chief = json.loads((out / "workerpool0-0").read_text())
    worker = json.loads((out / "workerpool1-0").read_text())
    assert chief["task"] == {"type": "chief", "index": 0}
    assert worker["task"] == {"type": "worker", "index": 0}
    assert chief["cluster"] == worker["cluster"] and sorted(chief["cluster"]) == ["chief", "worker"]
