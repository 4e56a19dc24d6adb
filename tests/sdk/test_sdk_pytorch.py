"""PyTorch through the real SDK: TorchServe archives (model.mar, made by torch-model-archiver
or written as it writes them) uploaded with Vertex's prebuilt PyTorch prediction image,
deployed, and predicted by a real model server process (the SDK's model server with our
``TorchServePredictor``, which runs TorchServe's own Python backend): TorchScript and
eager-mode models with the built-in base handler, a custom handler shipped in the archive, a
handler's own 400s, a handler that fails to load failing the deploy, and a batch job. PyTorch
loads in the model server, never in the embedded Vertex's process."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import torch
from batch_helpers import in_batches, predictions_of_one_job
from google.api_core import exceptions
from google.cloud import aiplatform
from sdk_helpers import Sdk, deploy_one, error_message, maps_library, server_pids, status_of
from sklearn.datasets import load_digits
from torch_archive import archive_eager, archive_torchscript, archive_with_handler
from torch_digits import Digits

TORCH_IMAGE = "us-docker.pkg.dev/vertex-ai/prediction/pytorch-cpu.1-13:latest"
FEATURES, TARGET = load_digits(return_X_y=True)
ROWS = torch.as_tensor(FEATURES[500:506], dtype=torch.float32)
HERE = Path(__file__).parent


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


def _in_process(trained: Digits, rows: torch.Tensor) -> torch.Tensor:
    """The model's outputs for ``rows`` computed here: the exact reference for the server's."""
    with torch.no_grad():
        output: torch.Tensor = trained(rows)
    return output


def _deploy(folder: Path, endpoint: aiplatform.Endpoint, name: str) -> tuple[Any, str]:
    """Upload the archive in ``folder`` with the PyTorch image and deploy it on one replica:
    the model and its deployed model's id."""
    model = deploy_one(folder, endpoint, name, TORCH_IMAGE)
    (deployed,) = endpoint.list_models()
    return model, deployed.id


def _undeploy(endpoint: aiplatform.Endpoint, deployed_id: str) -> None:
    endpoint.undeploy_all()
    assert endpoint.list_models() == []
    assert server_pids(deployed_id) == []


@pytest.mark.parametrize("traced", [False, True], ids=["scripted", "traced"])
def test_a_torchscript_archive_deploys_and_predicts_as_in_process(
    sdk: Sdk, trained: Digits, endpoint: aiplatform.Endpoint, tmp_path: Path, traced: bool
) -> None:
    archive_torchscript(tmp_path, trained, ROWS if traced else None)
    expected = _in_process(trained, ROWS).tolist()

    model, deployed_id = _deploy(tmp_path, endpoint, "digits-torch")
    assert model.container_spec.image_uri == TORCH_IMAGE

    prediction = endpoint.predict(instances=ROWS.tolist())
    # exactly the in-process float32 outputs: the same program on the same batch, and JSON
    # carries each float32 value exactly (as the double it is)
    assert prediction.predictions == expected
    assert [row.index(max(row)) for row in prediction.predictions] == [
        int(torch.argmax(torch.tensor(row))) for row in expected
    ]
    assert prediction.deployed_model_id == deployed_id
    assert prediction.model_resource_name == model.resource_name
    assert prediction.model_version_id == "1"

    # the wrong number of features: the base handler's (the model's) own error, as a 400
    with pytest.raises(exceptions.BadRequest) as raised:
        endpoint.predict(instances=ROWS[:2, :10].tolist())
    assert status_of(raised.value) == "INVALID_ARGUMENT"
    assert error_message(raised.value) == (
        "The model refused the instances: mat1 and mat2 shapes cannot be multiplied "
        "(2x10 and 64x10)."
    )
    with pytest.raises(exceptions.BadRequest) as raised:
        endpoint.predict(instances=[["a"] * 64])
    assert status_of(raised.value) == "INVALID_ARGUMENT"
    assert (
        error_message(raised.value) == "The model refused the instances: too many dimensions 'str'."
    )
    # and it keeps serving
    assert endpoint.predict(instances=ROWS.tolist()).predictions == expected

    # PyTorch runs in the model server, not in the embedded Vertex
    (server,) = server_pids(deployed_id)
    assert sdk.emu.pid is not None
    assert maps_library(server, "libtorch_cpu") and not maps_library(sdk.emu.pid, "libtorch_cpu")
    _undeploy(endpoint, deployed_id)


@pytest.mark.usefixtures("quick_polls")
def test_a_torchscript_batch_job_predicts_every_row_as_in_process(
    sdk: Sdk, trained: Digits, tmp_path: Path
) -> None:
    archive_torchscript(tmp_path, trained, None)
    rows = torch.as_tensor(FEATURES[506:546], dtype=torch.float32)
    predictions = predictions_of_one_job(sdk, tmp_path, TORCH_IMAGE, rows.tolist(), batch_size=16)
    # exactly the in-process float32 outputs of the same batches
    assert predictions == [
        p for batch in in_batches(rows, 16) for p in _in_process(trained, batch).tolist()
    ]


def test_an_eager_model_archive_deploys_and_predicts_as_in_process(
    sdk: Sdk, trained: Digits, endpoint: aiplatform.Endpoint, tmp_path: Path
) -> None:
    # torch-model-archiver's archive; modelFile: the source of Digits; serializedFile: its
    # trained state_dict
    archive_eager(tmp_path / "model", trained, HERE / "torch_digits.py")
    expected = _in_process(trained, ROWS).tolist()

    _, deployed_id = _deploy(tmp_path / "model", endpoint, "digits-eager")
    prediction = endpoint.predict(instances=ROWS.tolist())
    assert prediction.predictions == expected
    assert prediction.deployed_model_id == deployed_id
    # one instance is a batch of one (whose float32 sums may round differently from the same
    # row's in a larger batch: the same batch in process is the exact reference)
    alone = _in_process(trained, ROWS[:1]).tolist()
    assert endpoint.predict(instances=ROWS[:1].tolist()).predictions == alone
    _undeploy(endpoint, deployed_id)


def test_a_custom_handler_in_the_archive_answers_its_own_predictions_and_errors(
    sdk: Sdk, trained: Digits, endpoint: aiplatform.Endpoint, tmp_path: Path
) -> None:
    # torch-model-archiver's archive with --handler torch_argmax_handler.py
    archive_with_handler(tmp_path / "model", trained, HERE / "torch_argmax_handler.py")
    expected = [int(label) for label in _in_process(trained, ROWS).argmax(dim=1)]
    assert len(set(expected)) > 1  # several classes, so the order is checked too

    _, deployed_id = _deploy(tmp_path / "model", endpoint, "digits-argmax")
    # integers in: the handler makes them float32, as in process
    prediction = endpoint.predict(instances=ROWS.int().tolist())
    assert prediction.predictions == expected
    assert prediction.deployed_model_id == deployed_id

    # the handler's own exception for a bad instance: 400 with its message
    bad = [*ROWS[:2].tolist(), [0.0] * 63]
    with pytest.raises(exceptions.BadRequest) as raised:
        endpoint.predict(instances=bad)
    assert status_of(raised.value) == "INVALID_ARGUMENT"
    assert error_message(raised.value) == (
        "The model refused the instances: Instance 2 is not a list of 64 pixel values."
    )
    # and it keeps serving
    assert endpoint.predict(instances=ROWS.tolist()).predictions == expected
    _undeploy(endpoint, deployed_id)


def test_a_handler_that_fails_to_initialize_fails_the_deploy_with_its_message(
    sdk: Sdk, trained: Digits, endpoint: aiplatform.Endpoint, tmp_path: Path
) -> None:
    archive_with_handler(tmp_path / "model", trained, HERE / "torch_failing_handler.py")
    with pytest.raises(exceptions.FailedPrecondition) as raised:
        deploy_one(tmp_path / "model", endpoint, "failing-handler", TORCH_IMAGE)
    message = raised.value.message
    found = re.search(r"The model server for deployed model (\d+) crashed ", message)
    assert found is not None, message
    # the exception line of its output says why, once, then its output follows
    assert (
        "crashed (exited with status 1): ValueError: The archive's handler "
        "'torch_failing_handler.py' (MANIFEST.json model.handler) did not load: RuntimeError: "
        "The digits labels are not in the archive (labels.json). Its last output:\n" in message
    ), message
    # nothing left: no deployed model, no model server
    assert endpoint.list_models() == []
    assert server_pids(found.group(1)) == []
