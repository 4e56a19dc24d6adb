"""``GET /status``'s ``hardware``: what the extension learns of the embedded Vertex's GPUs
(through its API, never by running nvidia-smi itself)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fake_gpus import GPU_NAME, emulator_with_gpus

from jupyter_vertex.emulator.testing import EmulatorProcess


async def test_a_machine_without_gpus_says_so(api: Any, emulated: dict[str, Any]) -> None:
    status, body = await api("GET", "status")
    assert status == 200, body
    assert body["hardware"] == {"gpus": []}


@pytest.fixture
def gpu_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    with emulator_with_gpus(tmp_path_factory.mktemp("gpus")) as emulator:
        yield emulator


class TestWithGpus:
    @pytest.fixture
    def vertex_config(self, gpu_emulator: EmulatorProcess) -> dict[str, Any]:
        return {
            "emulator_url": gpu_emulator.url,
            "emulator_token": gpu_emulator.token,
            "emulator_storage_url": gpu_emulator.storage_url,
        }

    async def test_the_gpus_are_listed(self, api: Any) -> None:
        status, body = await api("GET", "status")
        assert status == 200, body
        assert body["hardware"] == {"gpus": [{"index": i, "name": GPU_NAME} for i in range(4)]}


@pytest.fixture
def vertex_config(emulated: dict[str, Any]) -> dict[str, Any]:
    return emulated
