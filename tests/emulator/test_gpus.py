"""Honest hardware: the machine's GPUs (``nvidia-smi -L``) reach training replicas and model
servers through ``CUDA_VISIBLE_DEVICES``; without GPUs work runs on CPU and the log says so.

"With GPUs" is an embedded Vertex started with a fake ``nvidia-smi`` first on its PATH (a
script printing what the real one prints); "without" is the session's, on a machine where
no ``nvidia-smi`` answers (asserted).
"""

from __future__ import annotations

import io
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import joblib
import pytest
from fake_gpus import FAKE_LIST, GPU_NAME, emulator_with_gpus
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from jupyter_vertex.emulator.core.gpus import GpuPool, cpu_notice, parse_list
from jupyter_vertex.emulator.testing import EmulatorProcess, model_servers

from .emulator_api import IMAGE, Api
from .serving_helpers import artifacts, wait_for
from .training_helpers import create_job, job_body, logs, make_package, pool, wait_done

# The replica prints what it was given, then waits for a marker file (so that two jobs
# hold their GPUs at the same time), bounded by the test's own deadline.
SHOW_GPUS = """
import os, sys, time
print("CUDA=" + repr(os.environ.get("CUDA_VISIBLE_DEVICES")), flush=True)
marker = sys.argv[1] if len(sys.argv) > 1 else ""
deadline = time.monotonic() + 60
while marker and not os.path.exists(marker) and time.monotonic() < deadline:
    time.sleep(0.05)
"""


def _gpu_pool(package: Path, accelerator: str, count: int, args: list[str]) -> dict[str, Any]:
    spec = pool(package, args=args)
    spec["machineSpec"] = {
        "machineType": "n1-standard-8",
        "acceleratorType": accelerator,
        "acceleratorCount": count,
    }
    return spec


def _messages(api: Api, job: dict[str, Any]) -> list[str]:
    return [e["textPayload"] for e in logs(api, job["name"].rsplit("/", 1)[1])]


# -- units -------------------------------------------------------------------------------


def test_nvidia_smi_lines_are_parsed_and_gpus_handed_out_least_held_first() -> None:
    gpus = parse_list(FAKE_LIST + "\n  MIG 1g.10gb Device 0: (UUID: MIG-x)\nNo devices\n")
    assert [(g.index, g.name) for g in gpus] == [(i, GPU_NAME) for i in range(4)]
    assert gpus[2].uuid == "GPU-00000002-aaaa-bbbb-cccc-dddddddddddd"
    gpu_pool = GpuPool(gpus)
    assert gpu_pool.acquire("a", 2) == [0, 1]
    assert gpu_pool.acquire("b", 1) == [2]
    assert gpu_pool.acquire("c", 2) == [0, 3]  # the free one, then the lowest of the rest
    gpu_pool.release("a")
    assert gpu_pool.acquire("d", 1) == [1]
    # more than the machine has: all of them, and the notice says so
    assert gpu_pool.acquire("e", 8) == [0, 1, 2, 3]
    assert cpu_notice("NVIDIA_H100_80GB", 8, gpu_pool, [0, 1, 2, 3]) == (
        "jupyter_vertex: NVIDIA_H100_80GB × 8 requested, this machine has 4 GPU(s): "
        "CUDA_VISIBLE_DEVICES=0,1,2,3."
    )
    assert gpu_pool.env([]) == {"CUDA_VISIBLE_DEVICES": ""}
    none = GpuPool()
    assert none.acquire("a", 2) == [] and none.env([]) == {}
    assert cpu_notice("NVIDIA_TESLA_T4", 1, none, []) == (
        "jupyter_vertex: runs on CPU here: NVIDIA_TESLA_T4 × 1 requested, this machine has no GPU."
    )
    assert cpu_notice("", 0, none, []) == ""


# -- with GPUs (a fake nvidia-smi) -------------------------------------------------------


@pytest.fixture(scope="module")
def gpu_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    with emulator_with_gpus(tmp_path_factory.mktemp("gpus")) as emulator:
        yield emulator


@pytest.fixture
def gpu_api(gpu_emulator: EmulatorProcess) -> Api:
    return Api(gpu_emulator, f"g-{uuid.uuid4().hex[:12]}")


def test_the_machine_route_lists_the_gpus(gpu_api: Api) -> None:
    machine = gpu_api.ok("GET", "local/v1/machine")
    assert [g["index"] for g in machine["gpus"]] == [0, 1, 2, 3]
    assert machine["gpus"][0]["name"] == GPU_NAME
    # authenticated like every other route
    assert gpu_api.call("GET", "local/v1/machine", token="wrong").status_code == 401


def test_replicas_get_the_gpus_they_ask_for_and_two_jobs_do_not_share(
    gpu_api: Api, tmp_path: Path
) -> None:
    package = make_package(tmp_path / "pkg", SHOW_GPUS)
    marker = tmp_path / "go"
    first = create_job(
        gpu_api, job_body(_gpu_pool(package, "NVIDIA_TESLA_T4", 2, [str(marker)]), name="a")
    )
    wait_for("the first job's line", lambda: "CUDA='0,1'" in _messages(gpu_api, first))
    second = create_job(
        gpu_api, job_body(_gpu_pool(package, "NVIDIA_TESLA_T4", 2, [str(marker)]), name="b")
    )
    wait_for("the second job's line", lambda: "CUDA='2,3'" in _messages(gpu_api, second))
    marker.write_text("go")
    for job in (first, second):
        assert wait_done(gpu_api, job["name"])["state"] == "JOB_STATE_SUCCEEDED"
    assert _messages(gpu_api, first) == [
        "jupyter_vertex: NVIDIA_TESLA_T4 × 2 requested: CUDA_VISIBLE_DEVICES=0,1.",
        "CUDA='0,1'",
    ]
    # the accelerators asked for stay on the resource
    shown = gpu_api.ok("GET", f"v1/{first['name']}")["jobSpec"]["workerPoolSpecs"][0]
    assert shown["machineSpec"]["acceleratorType"] == "NVIDIA_TESLA_T4"
    assert shown["machineSpec"]["acceleratorCount"] == 2
    # a job without accelerators sees none of the machine's GPUs, as on Vertex
    plain = create_job(gpu_api, job_body(pool(package), name="cpu"))
    assert wait_done(gpu_api, plain["name"])["state"] == "JOB_STATE_SUCCEEDED"
    assert _messages(gpu_api, plain) == ["CUDA=''"]


def _sklearn_model(api: Api) -> dict[str, Any]:
    features, target = load_digits(return_X_y=True)
    data = io.BytesIO()
    joblib.dump(LogisticRegression(max_iter=200).fit(features[:300], target[:300]), data)
    folder = artifacts(api, {"model.joblib": data.getvalue()})
    return api.upload("digits", artifactUri=folder, containerSpec={"imageUri": IMAGE})


def _deploy(api: Api, resources: dict[str, Any]) -> str:
    endpoint = api.create_endpoint()
    model = _sklearn_model(api)
    body = {"deployedModel": {"model": model["name"], "dedicatedResources": resources}}
    operation = api.ok("POST", f"v1/{endpoint['name']}:deployModel", body)
    done = wait_for(
        "the deploy operation",
        lambda: (op := api.ok("GET", f"v1/{operation['name']}")).get("done") and op,
    )
    assert "error" not in done, done
    return str(done["response"]["deployedModel"]["id"])


def test_a_model_server_gets_the_gpus_its_machine_spec_asks_for(gpu_api: Api) -> None:
    machine = {
        "machineType": "a2-highgpu-2g",
        "acceleratorType": "NVIDIA_TESLA_A100",
        "acceleratorCount": 2,
    }
    deployed = _deploy(gpu_api, {"machineSpec": machine, "minReplicaCount": 1})
    (environ,) = model_servers(deployed).values()
    assert environ["CUDA_VISIBLE_DEVICES"] == "0,1"


# -- without GPUs ------------------------------------------------------------------------


def test_without_gpus_nothing_is_set_and_the_log_says_it_runs_on_cpu(
    api: Api, tmp_path: Path
) -> None:
    assert shutil.which("nvidia-smi") is None, "this test needs a machine without nvidia-smi"
    assert api.ok("GET", "local/v1/machine") == {"gpus": []}
    package = make_package(tmp_path / "pkg", SHOW_GPUS)
    job = create_job(api, job_body(_gpu_pool(package, "NVIDIA_TESLA_A100", 1, []), name="a"))
    assert wait_done(api, job["name"])["state"] == "JOB_STATE_SUCCEEDED"
    assert _messages(api, job) == [
        "jupyter_vertex: runs on CPU here: NVIDIA_TESLA_A100 × 1 requested, "
        "this machine has no GPU.",
        "CUDA=None",
    ]
    machine = {
        "machineType": "a2-highgpu-1g",
        "acceleratorType": "NVIDIA_TESLA_A100",
        "acceleratorCount": 1,
    }
    deployed = _deploy(api, {"machineSpec": machine, "minReplicaCount": 1})
    (environ,) = model_servers(deployed).values()
    assert "CUDA_VISIBLE_DEVICES" not in environ
