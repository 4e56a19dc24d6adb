"""A replica's environment is Vertex's, the job's and what running a program needs: none of
the embedded Vertex's own secrets (issue 16, point 4); its plain ``storage.Client()`` and
``jupyter_vertex.emulator.init()`` still reach the embedded Vertex."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from jupyter_vertex.emulator.testing import EmulatorProcess
from jupyter_vertex.emulator.training.containers import docker_steps
from jupyter_vertex.emulator.training.replica_env import inherited, replica_env
from jupyter_vertex.emulator.training.workerpool import Pool

from ..emulator_api import Api
from ..training_helpers import create_job, job_body, logs, make_package, pool, wait_done

# Saves its whole environment to AIP_MODEL_DIR with a plain storage.Client() (through the
# wrapper's relay, which adds the token), then asks the embedded Vertex for its own job
# through the SDK after init(), as code on Vertex may call Vertex.
REPLICA = """
import json, os
from google.cloud import storage
bucket, _, prefix = os.environ["AIP_MODEL_DIR"][len("gs://"):].partition("/")
blob = storage.Client().bucket(bucket).blob(prefix + "env.json")
blob.upload_from_string(json.dumps(dict(os.environ)))
import jupyter_vertex.emulator as vertex
vertex.init()
from google.cloud import aiplatform
print(aiplatform.CustomJob.get(os.environ["CLOUD_ML_JOB_ID"]).state.name, flush=True)
"""

CONTRACT = {
    "AIP_MODEL_DIR",
    "AIP_CHECKPOINT_DIR",
    "AIP_TENSORBOARD_LOG_DIR",
    "CLOUD_ML_PROJECT_ID",
    "CLOUD_ML_REGION",
    "CLOUD_ML_JOB_ID",
    "CLUSTER_SPEC",
    "STORAGE_EMULATOR_HOST",
    "GOOGLE_CLOUD_PROJECT",
    "PYTHONUNBUFFERED",
    "PYTHONPATH",
    "JUPYTER_VERTEX_EMULATOR_URL",
    "JUPYTER_VERTEX_EMULATOR_TOKEN",
    "JUPYTER_VERTEX_PROJECT",
    "JUPYTER_VERTEX_REGION",
}


def test_a_replica_gets_a_minimal_environment_and_still_reaches_the_embedded_vertex(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MY_SECRET", "the emulator's own")
    monkeypatch.setenv("LC_TIME", "C.UTF-8")  # a locale setting: kept
    emu = EmulatorProcess(tmp_path / "data").start()
    try:
        api = Api(emu, "p-env")
        emu.storage_client("p-env").create_bucket("env-out")
        package = make_package(tmp_path / "pkg", REPLICA)
        body = job_body(pool(package, env={"MY_VAR": "chosen"}))
        body["jobSpec"]["baseOutputDirectory"] = {"outputUriPrefix": "gs://env-out/run"}
        job = create_job(api, body)
        done = wait_done(api, job["name"], timeout=120)
        assert done["state"] == "JOB_STATE_SUCCEEDED", done
        job_id = job["name"].rsplit("/", 1)[1]
        assert [e["textPayload"] for e in logs(api, job_id)] == ["JOB_STATE_RUNNING"]
        saved = emu.storage_client("p-env").bucket("env-out").blob("run/model/env.json")
        env = json.loads(saved.download_as_bytes())
    finally:
        emu.stop()
    gpus = {"CUDA_VISIBLE_DEVICES"} & set(env)  # set by the runner where GPUs are (to "")
    kept = inherited(os.environ)
    assert set(env) == set(kept) | CONTRACT | {"MY_VAR"} | gpus
    assert "MY_SECRET" not in env
    assert {k: env[k] for k in kept} == kept  # PATH, HOME, LANG, LC_TIME, ... unchanged
    assert env["LC_TIME"] == "C.UTF-8" and env["PATH"] == os.environ["PATH"]
    assert env["MY_VAR"] == "chosen"
    # what calling the embedded Vertex needs: its token, its address and storage's, both
    # through the wrapper's relays (which follow a restart to other ports)
    assert env["JUPYTER_VERTEX_EMULATOR_TOKEN"] == emu.token
    for name, direct in (("JUPYTER_VERTEX_EMULATOR_URL", emu.url), ("STORAGE_EMULATOR_HOST", "")):
        assert env[name].startswith("http://127.0.0.1:") and env[name] != direct
    assert env["STORAGE_EMULATOR_HOST"] != emu.storage_url
    assert (env["JUPYTER_VERTEX_PROJECT"], env["JUPYTER_VERTEX_REGION"]) == ("p-env", "us-central1")


def test_a_container_replica_is_given_only_the_job_and_vertex_variables() -> None:
    """``docker run --env NAME`` takes each value from the docker command's environment,
    which is the replica's: the embedded Vertex's own variables reach neither."""
    emulator_env = {"PATH": "/usr/bin", "HOME": "/home/u", "MY_SECRET": "s", "LC_ALL": "C"}
    contract = {"CLOUD_ML_JOB_ID": "7", "JUPYTER_VERTEX_EMULATOR_TOKEN": "t"}
    container = Pool(index=0, replicas=1, kind="container", image="img", env={"MY_VAR": "v"})
    env = replica_env(emulator_env, container.env, contract)
    assert env == {
        "PATH": "/usr/bin",
        "HOME": "/home/u",
        "LC_ALL": "C",
        "MY_VAR": "v",
        "CLOUD_ML_JOB_ID": "7",
        "JUPYTER_VERTEX_EMULATOR_TOKEN": "t",
    }
    (argv,) = docker_steps(container, {**container.env, **contract}, "7", "workerpool0-0")
    passed = [argv[i + 1] for i, arg in enumerate(argv) if arg == "--env"]
    assert passed == ["MY_VAR", "CLOUD_ML_JOB_ID", "JUPYTER_VERTEX_EMULATOR_TOKEN"]
