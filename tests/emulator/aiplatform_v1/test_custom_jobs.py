"""CustomJobs run as real local processes: states, errors, logs, cancel, replicas, queue."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from jupyter_vertex.emulator.testing import EmulatorProcess

from ..emulator_api import Api
from ..training_helpers import (
    create_job,
    job_body,
    logs,
    make_package,
    pid_alive,
    pool,
    wait_done,
    wait_for,
)

# All on stderr: lines of one stream keep their order (two streams may interleave).
FAILING = """
import sys
for n in range(15):
    print(f"line {n}", file=sys.stderr)
print("bad things happened", file=sys.stderr)
sys.exit(3)
"""


def test_a_job_runs_with_the_vertex_environment(api: Api, tmp_path: Path) -> None:
    out = tmp_path / "env.json"
    code = f"""
import json, os, sys
keys = ["AIP_MODEL_DIR", "AIP_CHECKPOINT_DIR", "AIP_TENSORBOARD_LOG_DIR", "CLOUD_ML_PROJECT_ID",
        "CLOUD_ML_REGION", "CLOUD_ML_JOB_ID", "STORAGE_EMULATOR_HOST", "MY_VAR"]
seen = {{k: os.environ.get(k) for k in keys}}
seen["argv"] = sys.argv[1:]
seen["cluster"] = json.loads(os.environ["CLUSTER_SPEC"])
seen["tf_config"] = os.environ.get("TF_CONFIG")
import urllib.request
with urllib.request.urlopen(os.environ["STORAGE_EMULATOR_HOST"] + "/storage/v1/b", timeout=10) as r:
    seen["storage_status"] = r.status
open({str(out)!r}, "w").write(json.dumps(seen))
print("done")
"""
    package = make_package(tmp_path / "pkg", code)
    body = job_body(
        pool(package, args=["a b", "$HOME;rm -rf /", "*"], env={"MY_VAR": "x y"}),
        name="env",
        labels={"team": "ml"},
    )
    body["jobSpec"]["baseOutputDirectory"] = {"outputUriPrefix": "gs://bucket/out"}
    job = create_job(api, body)
    assert job["state"] == "JOB_STATE_QUEUED"
    assert job["displayName"] == "env" and job["labels"] == {"team": "ml"}
    assert set(job) >= {"name", "createTime", "updateTime", "jobSpec"}
    assert "_projectId" not in job
    done = wait_done(api, job["name"])
    assert done["state"] == "JOB_STATE_SUCCEEDED", done
    assert done["createTime"] <= done["startTime"] <= done["endTime"] == done["updateTime"]
    job_id = job["name"].rsplit("/", 1)[1]
    seen = json.loads(out.read_text())
    assert seen["argv"] == ["a b", "$HOME;rm -rf /", "*"]  # literally: no shell
    assert seen["AIP_MODEL_DIR"] == "gs://bucket/out/model/"
    assert seen["AIP_CHECKPOINT_DIR"] == "gs://bucket/out/checkpoints/"
    assert seen["AIP_TENSORBOARD_LOG_DIR"] == "gs://bucket/out/logs/"
    assert seen["CLOUD_ML_PROJECT_ID"] == api.project
    assert seen["CLOUD_ML_REGION"] == "us-central1"
    assert seen["CLOUD_ML_JOB_ID"] == job_id
    # the local storage, through the replica wrapper's relay (which follows it to another
    # port after a restart: training/relay.py)
    assert seen["STORAGE_EMULATOR_HOST"].startswith("http://127.0.0.1:")
    assert seen["STORAGE_EMULATOR_HOST"] != api.emu.storage_url
    assert seen["storage_status"] == 200
    assert seen["MY_VAR"] == "x y"
    assert seen["cluster"]["task"] == {"type": "workerpool0", "index": 0}
    assert list(seen["cluster"]["cluster"]) == ["workerpool0"]
    assert seen["cluster"]["environment"] == "cloud"
    assert seen["tf_config"] is None  # one replica: no distribution
    entries = logs(api, job_id)
    assert [(e["severity"], e["textPayload"]) for e in entries] == [("INFO", "done")]
    entry = entries[0]
    assert entry["logName"] == f"projects/{api.project}/logs/workerpool0-0"
    assert entry["resource"] == {
        "type": "ml_job",
        "labels": {"job_id": job_id, "project_id": api.project, "task_name": "workerpool0-0"},
    }
    assert entry["insertId"] and entry["timestamp"] == entry["receiveTimestamp"]


# Prints, then waits for a "go" file (its first argument) the test creates once it has seen
# the line, then exits (after a bound of its own, so a failing test leaves nothing running).
WAITS_FOR_GO = """
import os, sys, time
print("started", flush=True)
deadline = time.monotonic() + 120
while not os.path.exists(sys.argv[1]) and time.monotonic() < deadline:
    time.sleep(0.02)
"""


def test_running_and_succeeded_are_recorded_when_the_process_starts_and_ends(
    api: Api, emulator: EmulatorProcess, tmp_path: Path
) -> None:
    go = tmp_path / "go"
    job = create_job(api, job_body(pool(make_package(tmp_path, WAITS_FOR_GO), args=[str(go)])))
    job_id = job["name"].rsplit("/", 1)[1]
    first = wait_for(lambda: logs(api, job_id), "the replica's first line")[0]
    # the process is running: so is the job, since before the process's first line
    running = api.ok("GET", f"v1/{job['name']}")
    assert running["state"] == "JOB_STATE_RUNNING"
    assert running["createTime"] <= running["startTime"] <= first["timestamp"]
    go.touch()
    done = wait_done(api, job["name"])
    # ended when the process did (the wrapper's exit status records when), not when noticed
    replica = emulator.data_dir / "jobs" / job_id / "replicas" / "workerpool0-0"
    ended = json.loads((replica / "exit.json").read_text())
    assert done["state"] == "JOB_STATE_SUCCEEDED"
    assert done["endTime"] == ended["endTime"] == done["updateTime"]
    assert done["startTime"] == running["startTime"]


def test_a_failing_script_fails_the_job_with_its_last_lines(api: Api, tmp_path: Path) -> None:
    job = create_job(api, job_body(pool(make_package(tmp_path, FAILING)), name="failing"))
    done = wait_done(api, job["name"])
    assert done["state"] == "JOB_STATE_FAILED"
    assert done["error"]["code"] == 3
    message = done["error"]["message"]
    assert message.startswith(
        "The replica workerpool0-0 exited with a non-zero status of 3. Termination reason: Error."
    ), message
    last = [f"line {n}" for n in range(6, 15)] + ["bad things happened"]
    assert message.splitlines()[-10:] == last
    job_id = job["name"].rsplit("/", 1)[1]
    entries = logs(api, job_id)
    assert len(entries) == 16
    assert {e["severity"] for e in entries} == {"ERROR"}
    assert [e["textPayload"] for e in entries] == [f"line {n}" for n in range(15)] + [
        "bad things happened"
    ]
    # follow incrementally: after a timestamp, newest first, pages
    after = logs(api, job_id, orderBy="timestamp desc", pageSize=5)
    assert [e["textPayload"] for e in after] == [
        "bad things happened",
        "line 14",
        "line 13",
        "line 12",
        "line 11",
    ]
    cursor = entries[9]["timestamp"]
    expected = [e["textPayload"] for e in entries if e["timestamp"] > cursor]
    body = {
        "resourceNames": [f"projects/{api.project}"],
        "filter": f'resource.labels.job_id="{job_id}" AND timestamp>"{cursor}" AND severity>=INFO',
        "pageSize": 4,
    }
    first = api.ok("POST", "v2/entries:list", body)
    assert [e["textPayload"] for e in first["entries"]] == expected[:4]
    second = api.ok("POST", "v2/entries:list", {**body, "pageToken": first["nextPageToken"]})
    assert [e["textPayload"] for e in second["entries"]] == expected[4:]
    assert "nextPageToken" not in second
    infos = logs(api, job_id, filter=f'resource.labels.job_id="{job_id}" AND severity<=INFO')
    assert infos == []


def test_cancel_ends_the_whole_process_tree(api: Api, tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    code = f"""
import os, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
open({str(pids)!r} + ".tmp", "w").write(f"{{os.getpid()}} {{child.pid}}")
os.replace({str(pids)!r} + ".tmp", {str(pids)!r})
print("sleeping", flush=True)
time.sleep(600)
"""
    job = create_job(api, job_body(pool(make_package(tmp_path, code)), name="long"))
    wait_for(pids.exists, "the script's pid file")
    assert api.ok("GET", f"v1/{job['name']}")["state"] == "JOB_STATE_RUNNING"
    script, grandchild = (int(p) for p in pids.read_text().split())
    assert pid_alive(script) and pid_alive(grandchild)
    # a running job cannot be deleted
    refused = api.error("DELETE", f"v1/{job['name']}", status="FAILED_PRECONDITION")
    assert refused == (
        f"The CustomJob {job['name']} is in state JOB_STATE_RUNNING and cannot be deleted; "
        "cancel it first."
    )
    api.ok("POST", f"v1/{job['name']}:cancel", {})
    state = api.ok("GET", f"v1/{job['name']}")["state"]
    assert state in ("JOB_STATE_CANCELLING", "JOB_STATE_CANCELLED")
    done = wait_done(api, job["name"])
    assert done["state"] == "JOB_STATE_CANCELLED"
    assert done["error"] == {"code": 1, "message": "CANCELED"}
    wait_for(lambda: not pid_alive(script) and not pid_alive(grandchild), "no process left", 10)
    # a finished job cannot be cancelled again
    message = api.error("POST", f"v1/{job['name']}:cancel", {}, status="FAILED_PRECONDITION")
    assert "JOB_STATE_CANCELLED" in message


def test_two_replicas_see_their_cluster_spec(api: Api, tmp_path: Path) -> None:
    out = tmp_path / "specs"
    out.mkdir()
    code = f"""
import json, os
spec = json.loads(os.environ["CLUSTER_SPEC"])
name = f"{{spec['task']['type']}}-{{spec['task']['index']}}"
record = {{"cluster": spec, "tf": json.loads(os.environ["TF_CONFIG"]),
          "rank": os.environ["RANK"], "world": os.environ["WORLD_SIZE"]}}
open(os.path.join({str(out)!r}, name + ".json"), "w").write(json.dumps(record))
"""
    package = make_package(tmp_path / "pkg", code)
    job = create_job(api, job_body(pool(package), pool(package), name="two"))
    done = wait_done(api, job["name"])
    assert done["state"] == "JOB_STATE_SUCCEEDED", done
    chief = json.loads((out / "workerpool0-0.json").read_text())
    worker = json.loads((out / "workerpool1-0.json").read_text())
    cluster = chief["cluster"]["cluster"]
    assert sorted(cluster) == ["workerpool0", "workerpool1"]
    assert len(cluster["workerpool0"]) == len(cluster["workerpool1"]) == 1
    assert worker["cluster"]["cluster"] == cluster
    assert chief["cluster"]["task"] == {"type": "workerpool0", "index": 0}
    assert worker["cluster"]["task"] == {"type": "workerpool1", "index": 0}
    assert chief["tf"]["cluster"] == {
        "chief": cluster["workerpool0"],
        "worker": cluster["workerpool1"],
    }
    assert chief["tf"]["task"] == {"type": "chief", "index": 0}
    assert worker["tf"]["task"] == {"type": "worker", "index": 0}
    assert (chief["rank"], worker["rank"], chief["world"]) == ("0", "1", "2")
    job_id = job["name"].rsplit("/", 1)[1]
    body = {
        "resourceNames": [f"projects/{api.project}"],
        "filter": f'resource.labels.job_id="{job_id}"',
    }
    assert api.ok("POST", "v2/entries:list", body) == {}


def test_a_container_spec_fails_without_a_docker_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # its own embedded Vertex, whose docker command reaches no engine (`make test` starts
    # one for the container tests, and the session's embedded Vertex reaches it)
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    body = job_body(
        {
            "machineSpec": {"machineType": "n1-standard-4"},
            "replicaCount": "1",
            "containerSpec": {"imageUri": "us-docker.pkg.dev/my/image:1", "args": ["x"]},
        },
        name="docker",
    )
    with EmulatorProcess(data_dir=tmp_path / "data") as emu:
        api = Api(emu, "no-engine")
        job = create_job(api, body)
        done = wait_done(api, job["name"])
    reason = (
        "docker version: Cannot connect to the Docker daemon at "
        "unix:///nonexistent/docker.sock. Is the docker daemon running?"
        if shutil.which("docker")
        else "no docker command found"
    )
    assert done["state"] == "JOB_STATE_FAILED"
    assert done["error"]["message"] == (
        "This job has a container_spec, which the embedded Vertex runs through Docker, and no "
        f"Docker engine answers on this machine ({reason}). Use a python_package_spec with a "
        "prebuilt training image, or start Docker."
    ), done["error"]


def test_list_filter_pages_and_delete(api: Api, tmp_path: Path) -> None:
    package = make_package(tmp_path, "print('ok')")
    good = create_job(api, job_body(pool(package), name="good", labels={"kind": "a"}))
    bad = create_job(
        api, job_body(pool(make_package(tmp_path / "b", FAILING)), name="bad", labels={"kind": "b"})
    )
    wait_done(api, good["name"])
    wait_done(api, bad["name"])
    url = f"v1/{api.parent}/customJobs"
    failed = api.ok("GET", url, params={"filter": 'state="JOB_STATE_FAILED"'})
    assert [j["name"] for j in failed["customJobs"]] == [bad["name"]]
    labelled = api.ok("GET", url, params={"filter": "labels.kind=a"})
    assert [j["name"] for j in labelled["customJobs"]] == [good["name"]]
    named = api.ok("GET", url, params={"filter": 'display_name="ba*"'})
    assert [j["name"] for j in named["customJobs"]] == [bad["name"]]
    first = api.ok("GET", url, params={"pageSize": 1})
    second = api.ok("GET", url, params={"pageSize": 1, "pageToken": first["nextPageToken"]})
    assert [j["name"] for j in first["customJobs"] + second["customJobs"]] == [
        good["name"],
        bad["name"],
    ]
    assert "nextPageToken" not in second
    operation = api.ok("DELETE", f"v1/{good['name']}")
    assert operation["done"] is True and "error" not in operation
    api.error("GET", f"v1/{good['name']}", status="NOT_FOUND")
    assert [j["name"] for j in api.ok("GET", url)["customJobs"]] == [bad["name"]]
    # logs outlive the job, as in Cloud Logging
    assert [e["textPayload"] for e in logs(api, good["name"].rsplit("/", 1)[1])] == ["ok"]


def test_bad_input_is_refused_and_nothing_is_created(api: Api, tmp_path: Path) -> None:
    package = make_package(tmp_path, "print('ok')")
    url = f"v1/{api.parent}/customJobs"
    cases = [
        (
            job_body(pool(package, image="example.com/unknown/image:1")),
            "custom_job.job_spec.worker_pool_specs[0].python_package_spec.executor_image_uri",
        ),
        (
            job_body(pool(package, module="not a module")),
            "custom_job.job_spec.worker_pool_specs[0].python_package_spec.python_module",
        ),
        (
            job_body(pool("gs://no-such-bucket/trainer-0.1.tar.gz")),
            "custom_job.job_spec.worker_pool_specs[0].python_package_spec.package_uris[0]",
        ),
        (
            job_body(pool(tmp_path / "missing.tar.gz")),
            "custom_job.job_spec.worker_pool_specs[0].python_package_spec.package_uris[0]",
        ),
        (
            job_body(pool(package, env={"BAD-NAME": "1"})),
            "custom_job.job_spec.worker_pool_specs[0].python_package_spec.env[0].name",
        ),
        (
            job_body(
                pool(package),
                {
                    "machineSpec": {"machineType": "n1-standard-4"},
                    "replicaCount": "1",
                    "pythonPackageSpec": {},
                    "containerSpec": {"imageUri": "x"},
                },
            ),
            "jobSpec.workerPoolSpecs[1]",  # the proto parser names the oneof given twice
        ),
        (job_body(), "custom_job.job_spec.worker_pool_specs"),
        ({"displayName": "x"}, "custom_job.job_spec"),
        ({"jobSpec": {"workerPoolSpecs": [pool(package)]}}, "custom_job.display_name"),
    ]
    for body, field in cases:
        message = api.error("POST", url, body, status="INVALID_ARGUMENT")
        assert field in message, (field, message)
    message = api.error(
        "POST", url, {**job_body(pool(package)), "unknownField": 1}, status="INVALID_ARGUMENT"
    )
    assert "unknownField" in message
    assert api.ok("GET", url) == {}
