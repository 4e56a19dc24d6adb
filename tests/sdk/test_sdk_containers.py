"""Custom-container training through the real SDK and a real Docker engine: this checkout's
own engine (scripts/container_engine.sh, started by `make test`) and the test base image
(scripts/test_image.sh: Debian, Python 3, google-cloud-storage). Without them these tests
skip with the reason, except in CI (CI=true), where that is a failure. Every container the
runner starts must be on the host's network, never on a bridge."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import pytest
from google.cloud import aiplatform, storage
from sdk_helpers import Sdk

from jupyter_vertex.emulator.training.containers import LABEL_JOB

ROOT = Path(__file__).resolve().parents[2]
ENGINE_SOCKET = ROOT / ".cache" / "docker" / "run" / "docker.sock"
# the session's embedded Vertex inherits this process's environment: where the tests run
# outside `make test`, point it at this checkout's engine before any test starts one
if "DOCKER_HOST" not in os.environ and ENGINE_SOCKET.exists():
    os.environ["DOCKER_HOST"] = f"unix://{ENGINE_SOCKET}"

DEADLINE_S = 60.0


def _docker(*args: str) -> str:
    done = subprocess.run(  # noqa: S603 - argv list
        ["docker", *args], capture_output=True, text=True, timeout=30, check=True
    )
    return done.stdout.strip()


def _unavailable() -> tuple[str, str]:
    """(why there is no engine or image, "") or ("", the image)."""
    given = os.environ.get("JUPYTER_VERTEX_NO_CONTAINERS", "")
    if given:
        return given, ""
    try:
        _docker("version", "--format", "{{.Server.Version}}")
    except (OSError, subprocess.SubprocessError) as error:
        return f"no Docker engine answers ({error}); run scripts/container_engine.sh start", ""
    image = os.environ.get("JUPYTER_VERTEX_TEST_IMAGE", "")
    if not image:
        found = subprocess.run(  # noqa: S603 - argv list
            ["bash", str(ROOT / "scripts" / "test_image.sh"), "tag"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        image = found.stdout.strip()
    if not image:
        return "the test base image is not built; run scripts/test_image.sh", ""
    return "", image


@pytest.fixture(scope="module")
def image() -> str:
    reason, found = _unavailable()
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI needs the container engine and the test image: {reason}")
        pytest.skip(reason)
    return found


def _until(what: str, check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {DEADLINE_S} s: {what}")
        time.sleep(0.1)


def _networks_of_containers(job_id: str, since: str) -> dict[str, set[str]]:
    """Every container the engine created for this job since then → the networks it joined
    (from the engine's events: containers removed since are counted too)."""
    until = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    created = _docker(
        "events",
        "--since",
        since,
        "--until",
        until,
        "--filter",
        "type=container",
        "--filter",
        "event=create",
        "--filter",
        f"label={LABEL_JOB}={job_id}",
        "--format",
        "{{.Actor.ID}}",
    ).split()
    joined = _docker(
        "events",
        "--since",
        since,
        "--until",
        until,
        "--filter",
        "type=network",
        "--filter",
        "event=connect",
        "--format",
        "{{.Actor.Attributes.container}} {{.Actor.Attributes.name}}",
    ).splitlines()
    networks: dict[str, set[str]] = {container: set() for container in created}
    for line in joined:
        container, _, network = line.partition(" ")
        if container in networks:
            networks[container].add(network)
    return networks


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _pool(image: str, code: str, replicas: int = 1) -> dict[str, object]:
    return {
        "machine_spec": {"machine_type": "n1-standard-4"},
        "replica_count": replicas,
        "container_spec": {"image_uri": image, "command": ["python", "-c", code]},
    }


# Google's sample shape: write the model to AIP_MODEL_DIR with a plain storage client
WRITE_MODEL = """
import os
from google.cloud import storage
bucket, _, prefix = os.environ["AIP_MODEL_DIR"][len("gs://"):].partition("/")
blob = storage.Client().bucket(bucket).blob(prefix + "model.txt")
blob.upload_from_string("trained in a container for job " + os.environ["CLOUD_ML_JOB_ID"])
print("model written to", os.environ["AIP_MODEL_DIR"])
"""


def test_a_container_job_writes_its_model_through_cloud_storage(image: str, sdk: Sdk) -> None:
    since = _now()
    job = aiplatform.CustomJob(
        display_name="container",
        worker_pool_specs=[_pool(image, WRITE_MODEL)],
        base_output_dir=f"{sdk.staging_bucket}/container-out",
    )
    job.run()
    assert job.state == aiplatform.gapic.JobState.JOB_STATE_SUCCEEDED
    job_id = job.resource_name.rsplit("/", 1)[-1]
    uri = f"{sdk.staging_bucket}/container-out/model/model.txt"
    blob = storage.Blob.from_uri(uri, client=storage.Client())
    assert blob.download_as_text() == f"trained in a container for job {job_id}"
    networks = _networks_of_containers(job_id, since)
    assert list(networks.values()) == [{"host"}]
    # removed as it ended
    assert _docker("ps", "-a", "-q", "--filter", f"label={LABEL_JOB}={job_id}") == ""


SAVE_CLUSTER_SPEC = """
import json, os
from google.cloud import storage
spec = json.loads(os.environ["CLUSTER_SPEC"])
name = f"{spec['task']['type']}-{spec['task']['index']}"
bucket, _, prefix = os.environ["AIP_MODEL_DIR"][len("gs://"):].partition("/")
storage.Client().bucket(bucket).blob(prefix + name).upload_from_string(json.dumps(spec))
"""


def test_two_container_replicas_see_their_cluster_spec(image: str, sdk: Sdk) -> None:
    since = _now()
    job = aiplatform.CustomJob(
        display_name="two-containers",
        worker_pool_specs=[_pool(image, SAVE_CLUSTER_SPEC), _pool(image, SAVE_CLUSTER_SPEC)],
        base_output_dir=f"{sdk.staging_bucket}/two-out",
    )
    job.run()
    assert job.state == aiplatform.gapic.JobState.JOB_STATE_SUCCEEDED
    job_id = job.resource_name.rsplit("/", 1)[-1]
    client = storage.Client()
    specs = {
        name: json.loads(
            storage.Blob.from_uri(
                f"{sdk.staging_bucket}/two-out/model/{name}", client=client
            ).download_as_text()
        )
        for name in ("workerpool0-0", "workerpool1-0")
    }
    chief, worker = specs["workerpool0-0"], specs["workerpool1-0"]
    assert chief["task"] == {"type": "workerpool0", "index": 0}
    assert worker["task"] == {"type": "workerpool1", "index": 0}
    assert chief["cluster"] == worker["cluster"]
    assert sorted(chief["cluster"]) == ["workerpool0", "workerpool1"]
    addresses = chief["cluster"]["workerpool0"] + chief["cluster"]["workerpool1"]
    assert len(set(addresses)) == 2
    assert all(address.startswith("127.0.0.1:") for address in addresses)
    spec = json.loads(chief["job"])  # a JSON string, as Vertex gives it
    assert spec["workerPoolSpecs"][1]["containerSpec"]["imageUri"] == image
    networks = _networks_of_containers(job_id, since)
    assert list(networks.values()) == [{"host"}, {"host"}]


def test_cancelling_a_container_job_leaves_no_container(image: str, sdk: Sdk) -> None:
    job = aiplatform.CustomJob(
        display_name="long-container",
        worker_pool_specs=[
            _pool(image, "import time\nprint('started', flush=True)\ntime.sleep(600)")
        ],
        base_output_dir=f"{sdk.staging_bucket}/long-out",
    )
    job.submit()
    job_id = job.resource_name.rsplit("/", 1)[-1]
    running = ["ps", "-q", "--filter", f"label={LABEL_JOB}={job_id}", "--filter", "status=running"]
    _until("the job's container runs", lambda: _docker(*running) != "")
    (container,) = _docker(*running).split()
    assert _docker("inspect", "-f", "{{.HostConfig.NetworkMode}}", container) == "host"
    assert _docker("inspect", "-f", "{{.Name}}", container) == f"/vertex-{job_id}-workerpool0-0"
    job.cancel()

    def cancelled() -> bool:
        return aiplatform.CustomJob.get(job.resource_name).state == (
            aiplatform.gapic.JobState.JOB_STATE_CANCELLED
        )

    _until("the job is CANCELLED", cancelled)
    assert _docker("ps", "-a", "-q", "--filter", f"label={LABEL_JOB}={job_id}") == ""


def test_a_crashing_container_fails_the_job_with_its_exit_code(image: str, sdk: Sdk) -> None:
    job = aiplatform.CustomJob(
        display_name="crashing-container",
        worker_pool_specs=[_pool(image, "import sys\nprint('bad input', flush=True)\nsys.exit(7)")],
        base_output_dir=f"{sdk.staging_bucket}/crash-out",
    )
    with pytest.raises(RuntimeError):
        job.run()
    assert job.state == aiplatform.gapic.JobState.JOB_STATE_FAILED
    assert job.error.code == 3
    assert job.error.message == (
        "The replica workerpool0-0 exited with a non-zero status of 7. Termination reason: "
        "Error. Last log lines:\nbad input"
    )
    job_id = job.resource_name.rsplit("/", 1)[-1]
    assert _docker("ps", "-a", "-q", "--filter", f"label={LABEL_JOB}={job_id}") == ""


def test_a_custom_container_training_job_runs_its_container(image: str, sdk: Sdk) -> None:
    job = aiplatform.CustomContainerTrainingJob(
        display_name="container-pipeline",
        container_uri=image,
        command=["python", "-c", WRITE_MODEL],
    )
    assert job.run(base_output_dir=f"{sdk.staging_bucket}/pipeline-out") is None  # no model
    assert job.state == aiplatform.gapic.PipelineState.PIPELINE_STATE_SUCCEEDED
    backing = aiplatform.CustomJob.get(job.gca_resource.training_task_metadata["backingCustomJob"])
    (pool,) = backing.job_spec.worker_pool_specs
    assert (pool.container_spec.image_uri, list(pool.container_spec.command)) == (
        image,
        ["python", "-c", WRITE_MODEL],
    )
    job_id = backing.resource_name.rsplit("/", 1)[-1]
    uri = f"{sdk.staging_bucket}/pipeline-out/model/model.txt"
    blob = storage.Blob.from_uri(uri, client=storage.Client())
    assert blob.download_as_text() == f"trained in a container for job {job_id}"
