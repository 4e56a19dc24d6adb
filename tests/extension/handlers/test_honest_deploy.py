"""Honest hardware through the extension: a deployment asking for an A100 on a machine
without GPUs is recorded with its accelerator, and the API says it runs on CPU here."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest

from jupyter_vertex.emulator.testing import model_servers

from ..seed import Seeder
from .serving_helpers import FIRST_WAIT, digits_model_dir, poll, upload_digits


@pytest.fixture
def project_id() -> str:
    return f"honest-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def vertex_config(emulated: dict[str, Any]) -> dict[str, Any]:
    return emulated


async def test_an_a100_deployment_is_recorded_and_said_to_run_on_cpu(
    api: Any, emulator: Any, project_id: str, tmp_path: Path
) -> None:
    assert shutil.which("nvidia-smi") is None, "this test needs a machine without nvidia-smi"
    seeder = Seeder(emulator, project_id)
    _, folder = digits_model_dir(tmp_path)
    model = await asyncio.to_thread(upload_digits, seeder, folder, "digits")
    body = {
        "endpointDisplayName": "gpu-ep",
        "machineType": "a2-highgpu-1g",
        "acceleratorType": "NVIDIA_TESLA_A100",
        "acceleratorCount": 1,
    }
    model_id = model.name.rsplit("/", 1)[1]
    status, operation = await api("POST", "models", model_id, "deploy", body=body)
    assert status == 202, operation

    async def fetch() -> dict[str, Any]:
        code, answer = await api("GET", "operations", params={"name": operation["name"]})
        assert code == 200, answer
        return answer  # type: ignore[no-any-return]

    done = (await poll("the deploy", fetch, lambda op: op["done"], FIRST_WAIT))[-1]
    assert done["error"] is None, done
    status, endpoint = await api("GET", "endpoints", operation["target"])
    assert status == 200, endpoint
    (deployed,) = endpoint["deployedModels"]
    assert (deployed["machineType"], deployed["acceleratorType"], deployed["acceleratorCount"]) == (
        "a2-highgpu-1g",
        "NVIDIA_TESLA_A100",
        1,
    )
    # no GPU to give it: no CUDA_VISIBLE_DEVICES, and the status says there is none
    (environ,) = model_servers(deployed["id"]).values()
    assert "CUDA_VISIBLE_DEVICES" not in environ
    status, body = await api("GET", "status")
    assert body["hardware"] == {"gpus": []}
    endpoint_id = operation["target"]
    status, _ = await api("DELETE", "endpoints", endpoint_id, "deployedModels", deployed["id"])
    assert status == 202
