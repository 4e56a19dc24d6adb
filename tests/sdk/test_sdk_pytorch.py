"""PyTorch through the real SDK: a TorchScript model in a TorchServe archive (model.mar)
uploaded with Vertex's prebuilt PyTorch prediction image, deployed, and predicted with
TorchServe's base handler steps by a real model server process (the SDK's model server with
our ``TorchServePredictor``); PyTorch loads in that process, never in the embedded Vertex's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
from google.api_core import exceptions
from google.cloud import aiplatform
from sdk_helpers import Sdk, deploy_one, error_message, maps_library, server_pids, status_of
from sklearn.datasets import load_digits
from torch_archive import archive_torchscript, torchscript_bytes, write_archive

TORCH_IMAGE = "us-docker.pkg.dev/vertex-ai/prediction/pytorch-cpu.1-13:latest"
FEATURES, TARGET = load_digits(return_X_y=True)
ROWS = torch.as_tensor(FEATURES[500:506], dtype=torch.float32)


class Digits(torch.nn.Module):
    """A small classifier on the digits features: class probabilities."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = torch.nn.Linear(64, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.linear(x / 16), dim=1)


@pytest.fixture(scope="module")
def trained() -> Digits:
    torch.manual_seed(0)
    model = Digits()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    features = torch.as_tensor(FEATURES[:500], dtype=torch.float32)
    target = torch.as_tensor(TARGET[:500])
    for _ in range(50):
        optimizer.zero_grad()
        loss = torch.nn.functional.nll_loss(torch.log(model(features)), target)
        loss.backward()
        optimizer.step()
    return model.eval()


@pytest.fixture
def endpoint(sdk: Sdk) -> Iterator[aiplatform.Endpoint]:
    created = aiplatform.Endpoint.create(display_name="torch")
    yield created
    created.delete(force=True)


@pytest.mark.parametrize("traced", [False, True], ids=["scripted", "traced"])
def test_a_torchscript_archive_deploys_and_predicts_as_in_process(
    sdk: Sdk, trained: Digits, endpoint: aiplatform.Endpoint, tmp_path: Path, traced: bool
) -> None:
    archive_torchscript(tmp_path, trained, ROWS if traced else None)
    with torch.no_grad():
        expected = trained(ROWS).tolist()

    model = deploy_one(tmp_path, endpoint, "digits-torch", TORCH_IMAGE)
    assert model.container_spec.image_uri == TORCH_IMAGE
    (deployed,) = endpoint.list_models()

    prediction = endpoint.predict(instances=ROWS.tolist())
    # exactly the in-process float32 outputs: the same program on the same batch, and JSON
    # carries each float32 value exactly (as the double it is)
    assert prediction.predictions == expected
    assert [row.index(max(row)) for row in prediction.predictions] == [
        int(torch.argmax(torch.tensor(row))) for row in expected
    ]
    assert prediction.deployed_model_id == deployed.id
    assert prediction.model_resource_name == model.resource_name
    assert prediction.model_version_id == "1"

    # the wrong number of features: the model's own error, as a 400
    with pytest.raises(exceptions.BadRequest) as raised:
        endpoint.predict(instances=ROWS[:2, :10].tolist())
    assert status_of(raised.value) == "INVALID_ARGUMENT"
    assert error_message(raised.value) == (
        "The model server answered 400: The model could not compute the instances: mat1 and "
        "mat2 shapes cannot be multiplied (2x10 and 64x10)"
    )
    with pytest.raises(exceptions.BadRequest) as raised:
        endpoint.predict(instances=[["a"] * 64])
    assert status_of(raised.value) == "INVALID_ARGUMENT"
    assert error_message(raised.value) == (
        "The model server answered 400: The instances do not make one tensor (numbers, or "
        "lists of numbers all of one shape): too many dimensions 'str'."
    )
    # and it keeps serving
    assert endpoint.predict(instances=ROWS.tolist()).predictions == expected

    # PyTorch runs in the model server, not in the embedded Vertex
    (server,) = server_pids(deployed.id)
    assert sdk.emu.pid is not None
    assert maps_library(server, "libtorch_cpu") and not maps_library(sdk.emu.pid, "libtorch_cpu")

    endpoint.undeploy_all()
    assert endpoint.list_models() == []
    assert server_pids(deployed.id) == []


def test_an_archive_with_a_handler_not_run_here_fails_the_deploy(
    sdk: Sdk, trained: Digits, endpoint: aiplatform.Endpoint, tmp_path: Path
) -> None:
    write_archive(
        tmp_path,
        {"digits.pt": torchscript_bytes(trained)},
        {"serializedFile": "digits.pt", "handler": "image_classifier"},
    )
    with pytest.raises(exceptions.FailedPrecondition) as raised:
        deploy_one(tmp_path, endpoint, "classifier-handler", TORCH_IMAGE)
    message = raised.value.message
    assert "exited with status" in message and "Its last output:" in message, message
    assert (
        "The archive's handler 'image_classifier' (MANIFEST.json model.handler) is not run "
        "here: the embedded Vertex runs TorchScript models with TorchServe's base handler "
        '("handler": "base_handler", the serializedFile saved from torch.jit.script or '
        "torch.jit.trace)." in message
    ), message
    assert endpoint.list_models() == []
