"""The Train dialog's routes through HTTP: options, the file's git state, SDK code first.

These routes never reach Vertex AI (nothing is created), so the test server's default
configuration (an embedded Vertex nobody listens on) is enough; git runs for real.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jupyter_vertex.errors import InvalidArgument
from jupyter_vertex.services.training.options import check_machine
from jupyter_vertex.services.training.preview import MACHINE_TYPES

from ..git_helpers import GIT, git


@pytest.fixture
def root(jp_root_dir: Path) -> Path:
    (jp_root_dir / "plain").mkdir()
    (jp_root_dir / "plain" / "train.py").write_text("print('hi')\n")
    (jp_root_dir / "plain" / "notes.txt").write_text("notes\n")
    return jp_root_dir


# -- GET /training/options ------------------------------------------------------------------


async def test_options_come_from_the_rule_table(api: Any) -> None:
    status, options = await api("GET", "training", "options")
    assert status == 200
    assert options["region"] == "us-central1"
    assert options["defaultFramework"] == "scikit-learn"
    assert options["defaultMachineType"] == "n1-standard-4"
    assert options["frameworks"] == [
        {"name": "scikit-learn", "versions": [{"version": "1.0", "gpu": False}]},
        {"name": "xgboost", "versions": [{"version": "1.1", "gpu": False}]},
        {
            "name": "tensorflow",
            "versions": [{"version": "2.12", "gpu": True}, {"version": "2.11", "gpu": True}],
        },
        {
            "name": "pytorch",
            "versions": [{"version": "2.1", "gpu": True}, {"version": "1.13", "gpu": True}],
        },
    ]
    machines = {m["machineType"]: m for m in options["machineTypes"]}
    assert [m["machineType"] for m in options["machineTypes"]] == list(MACHINE_TYPES)
    assert machines["n1-standard-4"] == {
        "machineType": "n1-standard-4",
        "acceleratorTypes": [
            "NVIDIA_TESLA_T4",
            "NVIDIA_TESLA_V100",
            "NVIDIA_TESLA_P100",
            "NVIDIA_TESLA_P4",
        ],
        "acceleratorCounts": [1, 2, 4, 8],
        "acceleratorRequired": False,
    }
    assert machines["e2-standard-8"] == {
        "machineType": "e2-standard-8",
        "acceleratorTypes": [],
        "acceleratorCounts": [],
        "acceleratorRequired": False,
    }
    assert machines["a2-highgpu-4g"] == {
        "machineType": "a2-highgpu-4g",
        "acceleratorTypes": ["NVIDIA_TESLA_A100"],
        "acceleratorCounts": [4],
        "acceleratorRequired": True,
    }
    assert machines["a2-ultragpu-2g"]["acceleratorTypes"] == ["NVIDIA_A100_80GB"]
    assert machines["g2-standard-24"]["acceleratorCounts"] == [2]
    assert machines["a3-highgpu-8g"]["acceleratorTypes"] == ["NVIDIA_H100_80GB"]
    assert options["servingImages"] == {
        "scikit-learn": "us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest",
        "xgboost": "us-docker.pkg.dev/vertex-ai/prediction/xgboost-cpu.1-7:latest",
        "tensorflow": "us-docker.pkg.dev/vertex-ai/prediction/tf2-cpu.2-15:latest",
        "pytorch": "us-docker.pkg.dev/vertex-ai/prediction/pytorch-cpu.2-1:latest",
    }


def test_every_offered_combination_is_accepted_and_no_other() -> None:
    """What the options offer is exactly what POST /jobs accepts."""
    accelerators = [
        "NVIDIA_TESLA_T4",
        "NVIDIA_TESLA_V100",
        "NVIDIA_TESLA_P100",
        "NVIDIA_TESLA_P4",
        "NVIDIA_TESLA_A100",
        "NVIDIA_A100_80GB",
        "NVIDIA_L4",
        "NVIDIA_H100_80GB",
    ]
    from jupyter_vertex.services.training.preview import training_catalog

    for machine in training_catalog("us-central1")["machineTypes"]:
        name = machine["machineType"]
        if machine["acceleratorRequired"]:
            with pytest.raises(InvalidArgument):
                check_machine(name, None, None)
        else:
            check_machine(name, None, None)
        for accelerator in accelerators:
            for count in (1, 2, 4, 8, 16):
                offered = (
                    accelerator in machine["acceleratorTypes"]
                    and count in machine["acceleratorCounts"]
                )
                if offered:
                    check_machine(name, accelerator, count)
                else:
                    with pytest.raises(InvalidArgument):
                        check_machine(name, accelerator, count)


@pytest.mark.parametrize(
    "vertex_config",
    [{"emulator_url": "http://127.0.0.1:9", "emulator_token": "unused", "region": "europe-west4"}],
)
async def test_options_use_the_regions_registry(api: Any) -> None:
    status, options = await api("GET", "training", "options")
    assert status == 200
    assert options["region"] == "europe-west4"
    assert options["servingImages"]["xgboost"] == (
        "europe-docker.pkg.dev/vertex-ai/prediction/xgboost-cpu.1-7:latest"
    )


# -- GET /training/provenance --------------------------------------------------------------


@pytest.mark.skipif(GIT is None, reason="git is not installed")
async def test_provenance_clean_then_dirty(api: Any, root: Path) -> None:
    repo = root / "repo"
    repo.mkdir()
    (repo / "train.py").write_text("print('v1')\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "first")
    sha = git(repo, "rev-parse", "--short", "HEAD")

    status, body = await api("GET", "training", "provenance", params={"path": "repo/train.py"})
    assert status == 200
    assert body == {
        "path": "repo/train.py",
        "kind": "script",
        "git": {"commit": sha, "branch": "main", "dirty": False},
    }

    (repo / "train.py").write_text("print('v2')\n")
    status, body = await api("GET", "training", "provenance", params={"path": "repo/train.py"})
    assert status == 200
    assert body["git"] == {"commit": sha, "branch": "main", "dirty": True}


async def test_provenance_outside_a_repository(api: Any, root: Path) -> None:
    status, body = await api("GET", "training", "provenance", params={"path": "plain/train.py"})
    assert (status, body) == (200, {"path": "plain/train.py", "kind": "script", "git": None})


@pytest.mark.parametrize(
    ("params", "status", "reason", "message"),
    [
        (
            {"path": "plain/missing.py"},
            404,
            "NOT_FOUND",
            "Field 'path': no file 'plain/missing.py' in the Jupyter root.",
        ),
        (
            {"path": "plain/notes.txt"},
            400,
            "INVALID_ARGUMENT",
            "Field 'path': 'plain/notes.txt' is neither a Python script (.py) nor a notebook "
            "(.ipynb).",
        ),
        (
            {"path": "../x.py"},
            400,
            "INVALID_ARGUMENT",
            "Field 'path': '../x.py' must be a path relative to the Jupyter root, without '..'.",
        ),
    ],
)
async def test_provenance_bad_paths(
    api: Any, root: Path, params: dict[str, str], status: int, reason: str, message: str
) -> None:
    got, error = await api("GET", "training", "provenance", params=params)
    assert (got, error["reason"], error["message"]) == (status, reason, message)


async def test_provenance_needs_a_path(api: Any) -> None:
    status, error = await api("GET", "training", "provenance")
    assert status == 400
    assert error["reason"] == "INVALID_ARGUMENT"
    assert "path" in error["message"]


# -- POST /training/code -------------------------------------------------------------------


async def test_code_of_a_script_with_args_env_and_a_registered_model(api: Any, root: Path) -> None:
    body = {
        "path": "plain/train.py",
        "displayName": "digits",
        "framework": "scikit-learn",
        "machineType": "n1-standard-8",
        "replicaCount": 1,
        "args": ["--max-iter", "50"],
        "env": {"SEED": "7"},
        "labels": {"team": "ml"},
        "registerModel": {
            "servingContainerImageUri": (
                "us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest"
            ),
            "modelDisplayName": "digits-model",
            "parentModel": "42",
        },
    }
    status, answer = await api("POST", "training", "code", body=body)
    assert status == 200
    assert answer == {
        "language": "python",
        "code": (
            "from google.cloud import aiplatform\n\n"
            "aiplatform.init(\n"
            "    project='local-project',\n"
            "    location='us-central1',\n"
            "    staging_bucket='gs://local-project-vertex-staging-us-central1',\n"
            ")\n\n"
            "job = aiplatform.CustomTrainingJob(\n"
            "    display_name='digits',\n"
            "    script_path='plain/train.py',\n"
            "    container_uri='us-docker.pkg.dev/vertex-ai/training/sklearn-cpu.1-0:latest',\n"
            "    model_serving_container_image_uri="
            "'us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest',\n"
            "    labels={'team': 'ml'},\n"
            ")\n"
            "model = job.run(\n"
            "    model_display_name='digits-model',\n"
            "    parent_model='projects/local-project/locations/us-central1/models/42',\n"
            "    args=['--max-iter', '50'],\n"
            "    environment_variables={'SEED': '7'},\n"
            "    replica_count=1,\n"
            "    machine_type='n1-standard-8',\n"
            ")\n"
        ),
    }


async def test_code_of_a_gpu_job_uses_the_gpu_image(api: Any, root: Path) -> None:
    body = {
        "path": "plain/train.py",
        "displayName": "tf",
        "framework": "tensorflow",
        "frameworkVersion": "2.11",
        "machineType": "a2-highgpu-2g",
        "acceleratorType": "NVIDIA_TESLA_A100",
        "acceleratorCount": 2,
    }
    status, answer = await api("POST", "training", "code", body=body)
    assert status == 200
    code = answer["code"]
    assert "job = aiplatform.CustomJob.from_local_script(\n" in code
    assert (
        "    container_uri='us-docker.pkg.dev/vertex-ai/training/tf-gpu.2-11.py310:latest',\n"
        in code
    )
    assert "    accelerator_type='NVIDIA_TESLA_A100',\n    accelerator_count=2,\n" in code
    assert code.endswith(")\njob.run()\n")


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (
            {
                "path": "plain/train.py",
                "machineType": "n1-standard-4",
                "acceleratorType": "NVIDIA_L4",
                "acceleratorCount": 1,
            },
            400,
            "Field 'acceleratorType': Accelerator \"NVIDIA_L4\" is not supported for machine "
            'type "n1-standard-4".',
        ),
        (
            {"path": "plain/train.py", "machineType": "g2-standard-4"},
            400,
            "Field 'acceleratorType': Machine type \"g2-standard-4\" requires accelerator "
            '"NVIDIA_L4" with accelerator_count 1.',
        ),
        (
            {"path": "plain/train.py", "framework": "xgboost", "frameworkVersion": "9.9"},
            400,
            "Field 'frameworkVersion': xgboost 9.9 has no prebuilt training image; available: 1.1.",
        ),
        (
            {"path": "plain/train.py", "env": {"1BAD": "x"}},
            400,
            "Field 'env' has an invalid key: '1BAD'.",
        ),
        (
            {"path": "plain/gone.py"},
            404,
            "Field 'path': no file 'plain/gone.py' in the Jupyter root.",
        ),
        (
            {"path": "plain/train.py", "replicaCount": 0},
            400,
            "Field 'replicaCount' is out of range: 0 is less than the minimum of 1.",
        ),
    ],
)
async def test_code_refuses_what_post_jobs_refuses(
    api: Any, root: Path, body: dict[str, Any], status: int, message: str
) -> None:
    got, error = await api("POST", "training", "code", body=body)
    assert (got, error["message"]) == (status, message)
    assert set(error) == {"message", "reason", "hint"}


async def test_code_of_a_notebook_runs_the_package_it_will_stage(api: Any, root: Path) -> None:
    (root / "plain" / "explore.ipynb").write_text(
        '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}\n'
    )
    body = {"path": "plain/explore.ipynb", "displayName": "nb", "machineType": "e2-standard-4"}
    status, answer = await api("POST", "training", "code", body=body)
    assert status == 200
    code = answer["code"]
    prefix = "gs://local-project-vertex-staging-us-central1/jupyter-vertex/<submit-time>"
    # pprint may wrap the list: the URI itself, quoted.
    assert f"'{prefix}/source/plain/explore.ipynb/jupyter_vertex_task-0.1.tar.gz'" in code
    assert "'python_module': 'jupyter_vertex_task.run'" in code
    assert f"    base_output_dir='{prefix}/output',\n" in code
    assert "'machine_spec': {'machine_type': 'e2-standard-4'}" in code
    assert code.endswith(")\njob.run()\n")
