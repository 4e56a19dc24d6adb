"""Training across the emulator's own life: the concurrency bound, crashes and restarts."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

import pytest
import requests

from jupyter_vertex.emulator.testing import EmulatorProcess

from ..emulator_api import Api
from ..training_helpers import create_job, job_body, logs, make_package, pool, wait_done, wait_for

# Prints, then waits for a "go" file next to it (no blind sleeps), then prints again.
WAITING = """
import os, sys, time
go = sys.argv[1]
print("started", flush=True)
while not os.path.exists(go):
    time.sleep(0.05)
print("finished", flush=True)
"""


def _state(api: Api, name: str) -> str:
    state: str = api.ok("GET", f"v1/{name}")["state"]
    return state


def test_jobs_beyond_the_bound_stay_queued(tmp_path: Path) -> None:
    with EmulatorProcess(tmp_path / "data", extra_args=["--max-concurrent-jobs", "1"]) as emu:
        api = Api(emu, "p-queue")
        package = make_package(tmp_path / "pkg", WAITING)
        go = tmp_path / "go"
        first = create_job(api, job_body(pool(package, args=[str(go)]), name="first"))
        second = create_job(api, job_body(pool(package, args=[str(go)]), name="second"))
        wait_for(lambda: _state(api, first["name"]) == "JOB_STATE_RUNNING", "first running")
        job_id = first["name"].rsplit("/", 1)[1]
        wait_for(lambda: logs(api, job_id), "first's log")
        assert _state(api, second["name"]) == "JOB_STATE_QUEUED"
        queued = api.ok(
            "GET", f"v1/{api.parent}/customJobs", params={"filter": "state=JOB_STATE_QUEUED"}
        )
        assert [j["name"] for j in queued["customJobs"]] == [second["name"]]
        go.touch()
        assert wait_done(api, first["name"])["state"] == "JOB_STATE_SUCCEEDED"
        done = wait_done(api, second["name"])
        assert done["state"] == "JOB_STATE_SUCCEEDED"
        assert done["startTime"] >= wait_done(api, first["name"])["endTime"]


def _replica_pid(data_dir: Path, name: str) -> int:
    path = data_dir / "jobs" / name.rsplit("/", 1)[1] / "replicas" / "workerpool0-0"
    pid: int = json.loads((path / "replica.json").read_text())["pid"]
    return pid


@pytest.mark.parametrize("kill_replicas", [False, True], ids=["followed", "processes-gone"])
def test_a_crash_of_the_emulator_mid_job(tmp_path: Path, kill_replicas: bool) -> None:
    data_dir = tmp_path / "data"
    emu = EmulatorProcess(data_dir).start()
    try:
        api = Api(emu, "p-crash")
        go = tmp_path / "go"
        package = make_package(tmp_path / "pkg", WAITING)
        job = create_job(api, job_body(pool(package, args=[str(go)]), name="survivor"))
        job_id = job["name"].rsplit("/", 1)[1]
        wait_for(lambda: logs(api, job_id), "the job's first log line")
        before = api.ok("GET", f"v1/{job['name']}")
        assert before["state"] == "JOB_STATE_RUNNING"
        emu.kill()  # SIGKILL: no clean-up at all
        pid = _replica_pid(data_dir, job["name"])
        if kill_replicas:
            os.killpg(pid, signal.SIGKILL)
        else:
            go.touch()  # the replica finishes while no emulator runs
        emu.start()
        done = wait_done(api, job["name"])
        # nothing stored is lost
        assert {
            k: done[k] for k in ("name", "displayName", "jobSpec", "createTime", "startTime")
        } == {k: before[k] for k in ("name", "displayName", "jobSpec", "createTime", "startTime")}
        if kill_replicas:
            assert done["state"] == "JOB_STATE_FAILED"
            assert done["error"]["message"].startswith(
                "The replica workerpool0-0 ended without an exit status: its process is gone"
            ), done["error"]
            assert [e["textPayload"] for e in logs(api, job_id)] == ["started"]
        else:
            assert done["state"] == "JOB_STATE_SUCCEEDED", done
            assert [e["textPayload"] for e in logs(api, job_id)] == ["started", "finished"]
    finally:
        go.touch()
        emu.stop()


def test_a_restart_follows_a_running_job_to_its_end(tmp_path: Path) -> None:
    with EmulatorProcess(tmp_path / "data") as emu:
        api = Api(emu, "p-restart")
        go = tmp_path / "go"
        package = make_package(tmp_path / "pkg", WAITING)
        job = create_job(api, job_body(pool(package, args=[str(go)]), name="followed"))
        job_id = job["name"].rsplit("/", 1)[1]
        wait_for(lambda: logs(api, job_id), "the job's first log line")
        emu.restart()  # a clean stop leaves replicas running
        assert _state(api, job["name"]) == "JOB_STATE_RUNNING"
        go.touch()
        assert wait_done(api, job["name"])["state"] == "JOB_STATE_SUCCEEDED"
        # and a cancel after a restart still ends the process tree
        again = create_job(api, job_body(pool(package, args=[str(tmp_path / "never")])))
        wait_for(lambda: logs(api, again["name"].rsplit("/", 1)[1]), "the second job's log")
        emu.restart()
        pid = _replica_pid(tmp_path / "data", again["name"])
        api.ok("POST", f"v1/{again['name']}:cancel", {})
        assert wait_done(api, again["name"])["state"] == "JOB_STATE_CANCELLED"
        wait_for(lambda: not Path(f"/proc/{pid}").exists() or _zombie(pid), "replica gone", 10)


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_image_python_runs_a_custom_image_with_that_interpreter(tmp_path: Path) -> None:
    python = tmp_path / "bin" / "python"  # another interpreter: here a link to this one
    python.parent.mkdir()
    python.symlink_to(sys.executable)
    out = tmp_path / "exe"
    code = f"import sys; open({str(out)!r}, 'w').write(sys.executable)"
    args = ["--image-python", f"europe-docker.pkg.dev/my-project/trainers/={python}"]
    with EmulatorProcess(tmp_path / "data", extra_args=args) as emu:
        api = Api(emu, "p-images")
        image = "europe-docker.pkg.dev/my-project/trainers/digits:3"
        job = create_job(api, job_body(pool(make_package(tmp_path / "pkg", code), image=image)))
        assert wait_done(api, job["name"])["state"] == "JOB_STATE_SUCCEEDED"
        assert out.read_text() == str(python)
        other = job_body(pool(make_package(tmp_path / "pkg", code), image="example.com/x:1"))
        message = api.error("POST", f"v1/{api.parent}/customJobs", other, status="INVALID_ARGUMENT")
        assert "--image-python PREFIX=PATH" in message


def test_a_pipeline_finishes_and_uploads_its_model_after_a_crash(tmp_path: Path) -> None:
    go = tmp_path / "go"
    # saves its model first (local storage lives in the emulator), then waits
    code = f"""
import os, time
from google.cloud import storage
bucket, _, prefix = os.environ["AIP_MODEL_DIR"][len("gs://"):].partition("/")
storage.Client().bucket(bucket).blob(prefix + "model.joblib").upload_from_string(b"model")
print("saved", flush=True)
while not os.path.exists({str(go)!r}):
    time.sleep(0.05)
"""
    emu = EmulatorProcess(tmp_path / "data").start()
    try:
        api = Api(emu, "p-pipe-crash")
        bucket = "pipe-crash-bucket"
        requests.post(
            f"{emu.storage_url}/storage/v1/b",
            json={"name": bucket},
            headers=emu.storage_headers,
            timeout=10,
        ).raise_for_status()
        body = {
            "displayName": "pipe",
            "trainingTaskDefinition": (
                "gs://google-cloud-aiplatform/schema/trainingjob/definition/custom_task_1.0.0.yaml"
            ),
            "trainingTaskInputs": {
                "workerPoolSpecs": [pool(make_package(tmp_path / "pkg", code))],
                "baseOutputDirectory": {"outputUriPrefix": f"gs://{bucket}/run"},
            },
            "modelToUpload": {"displayName": "m", "containerSpec": {"imageUri": "example/img"}},
        }
        pipeline = api.ok("POST", f"v1/{api.parent}/trainingPipelines", body)
        backing = pipeline["trainingTaskMetadata"]["backingCustomJob"]
        wait_for(lambda: logs(api, backing.rsplit("/", 1)[1]), "the model saved")
        emu.kill()
        go.touch()
        emu.start()

        def finished() -> dict[str, object] | None:
            found: dict[str, object] = api.ok("GET", f"v1/{pipeline['name']}")
            return found if found["state"] == "PIPELINE_STATE_SUCCEEDED" else None

        done = wait_for(finished, "the pipeline to succeed after the restart")
        uploaded = done["modelToUpload"]
        assert isinstance(uploaded, dict)
        assert uploaded["artifactUri"] == f"gs://{bucket}/run/model/"
        model = api.ok("GET", f"v1/{uploaded['name']}")
        assert model["trainingPipeline"] == pipeline["name"]
        assert model["versionId"] == uploaded["versionId"] == "1"
    finally:
        go.touch()
        emu.stop()
