"""The PyTorch predictor on real TorchServe archives, in-process: the base handler's steps
(instances as one tensor, the TorchScript model, its rows as predictions), the 400s for
instances the model cannot take, and the archives that fail the deploy, each saying what is
not run (the served path through the SDK is tests/sdk/test_sdk_pytorch.py)."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch
from fastapi import HTTPException
from torch_archive import archive_torchscript, torchscript_bytes, write_archive

from jupyter_vertex.emulator.torch_predictor import TorchServePredictor

SUPPORTED = (
    'the embedded Vertex runs TorchScript models with TorchServe\'s base handler ("handler": '
    '"base_handler", the serializedFile saved from torch.jit.script or torch.jit.trace).'
)


class Pixels(torch.nn.Module):
    """64 features in, 10 probabilities out."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.linear = torch.nn.Linear(64, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.linear(x / 16), dim=1)


class Total(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.sum()


Loader = Callable[[Path], TorchServePredictor]


@pytest.fixture
def load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Loader:
    """A predictor loaded as a model server loads it: from its own working folder."""

    def loaded(artifacts: Path) -> TorchServePredictor:
        (tmp_path / "server").mkdir()
        monkeypatch.chdir(tmp_path / "server")
        predictor = TorchServePredictor()
        predictor.load(str(artifacts))
        return predictor

    return loaded


def _answer(predictor: TorchServePredictor, instances: Any) -> Any:
    """The predictions in the JSON the model server would send, read back."""
    tensor = predictor.preprocess({"instances": instances})
    result = predictor.postprocess(predictor.predict(tensor))
    assert list(result) == ["predictions"]
    return json.loads(json.dumps(result))["predictions"]


def _refused(predictor: TorchServePredictor, instances: Any) -> str:
    with pytest.raises(HTTPException) as raised:
        _answer(predictor, instances)
    assert raised.value.status_code == 400
    return str(raised.value.detail)


def _load_error(load: Loader, artifacts: Path) -> str:
    with pytest.raises(ValueError) as raised:
        load(artifacts)
    return str(raised.value)


@pytest.mark.parametrize("traced", [False, True])
def test_the_base_handler_answers_the_models_rows(
    load: Loader, tmp_path: Path, traced: bool
) -> None:
    module = Pixels().eval()
    rows = torch.arange(3 * 64, dtype=torch.float32).reshape(3, 64) % 17
    archive_torchscript(tmp_path / "artifacts", module, rows if traced else None)
    predictor = load(tmp_path / "artifacts")

    with torch.no_grad():
        expected = module(rows).tolist()
    # JSON numbers of the float32 outputs, exactly: the same program on the same batch
    assert _answer(predictor, rows.tolist()) == expected
    # integers make an int64 tensor, as torch.as_tensor makes it: the model's division
    # turns it to float32, so the same answer
    assert _answer(predictor, rows.int().tolist()) == expected


def test_instances_the_model_cannot_take_are_400(load: Loader, tmp_path: Path) -> None:
    archive_torchscript(tmp_path / "artifacts", Pixels().eval())
    predictor = load(tmp_path / "artifacts")
    assert _refused(predictor, [[1.0] * 10, [2.0] * 10]) == (
        "The model could not compute the instances: mat1 and mat2 shapes cannot be "
        "multiplied (2x10 and 64x10)"
    )
    assert _refused(predictor, [[1.0] * 64, [1.0] * 63]) == (
        "The instances do not make one tensor (numbers, or lists of numbers all of one "
        "shape): expected sequence of length 64 at dim 1 (got 63)."
    )
    assert _refused(predictor, [["a"] * 64]) == (
        "The instances do not make one tensor (numbers, or lists of numbers all of one "
        "shape): too many dimensions 'str'."
    )
    assert _refused(predictor, []) == '"instances" must be a non-empty list.'
    # and it keeps answering
    assert len(_answer(predictor, [[1.0] * 64])) == 1


def test_an_output_without_a_row_per_instance_is_400(load: Loader, tmp_path: Path) -> None:
    archive_torchscript(tmp_path / "artifacts", Total())
    predictor = load(tmp_path / "artifacts")
    assert _refused(predictor, [[1.0, 2.0]]) == (
        "The model must answer a tensor with one row per instance to be answered as "
        "predictions; it answered a single value."
    )


def test_archives_that_are_not_run_fail_the_load_saying_why(load: Loader, tmp_path: Path) -> None:
    program = torchscript_bytes(Pixels().eval())
    cases: list[tuple[dict[str, bytes], dict[str, Any], str]] = [
        (
            {"digits.pt": program},
            {"serializedFile": "digits.pt", "handler": "image_classifier"},
            "The archive's handler 'image_classifier' (MANIFEST.json model.handler) is not run "
            f"here: {SUPPORTED}",
        ),
        (
            {"digits.pt": program, "handler.py": b"def handle(data, context): return data\n"},
            {"serializedFile": "digits.pt", "handler": "handler.py"},
            "The archive's handler 'handler.py' (MANIFEST.json model.handler) is not run "
            f"here: {SUPPORTED}",
        ),
        (
            {"digits.pt": program, "model.py": b"import torch\n"},
            {"serializedFile": "digits.pt", "handler": "base_handler", "modelFile": "model.py"},
            "The archive is an eager-mode model (modelFile 'model.py'), which is not run "
            f"here: {SUPPORTED}",
        ),
        (
            {"digits.pt": program},
            {"handler": "base_handler"},
            "MAR-INF/MANIFEST.json in model.mar names no model.serializedFile.",
        ),
        (
            {},
            {"serializedFile": "digits.pt", "handler": "base_handler"},
            "model.mar has no 'digits.pt', the serializedFile its manifest names.",
        ),
    ]
    for index, (files, model, message) in enumerate(cases):
        artifacts = tmp_path / f"artifacts-{index}"
        write_archive(artifacts, files, model)
        server = tmp_path / "server"
        if server.exists():
            for child in sorted(server.rglob("*"), reverse=True):
                child.rmdir() if child.is_dir() else child.unlink()
            server.rmdir()
        assert _load_error(load, artifacts) == message


def test_weights_that_are_not_torchscript_fail_the_load(load: Loader, tmp_path: Path) -> None:
    path = tmp_path / "weights.pt"
    torch.save(Pixels().state_dict(), path)
    write_archive(
        tmp_path / "artifacts",
        {"digits.pt": path.read_bytes()},
        {"serializedFile": "digits.pt", "handler": "base_handler"},
    )
    message = _load_error(load, tmp_path / "artifacts")
    prefix = "The archive's serializedFile 'digits.pt' is not a TorchScript program ("
    assert message.startswith(prefix), message
    assert message.endswith(f"): {SUPPORTED}"), message


def test_an_artifact_folder_without_an_archive_fails_the_load(load: Loader, tmp_path: Path) -> None:
    (tmp_path / "artifacts").mkdir()
    (tmp_path / "artifacts" / "model.pt").write_bytes(b"weights")
    assert _load_error(load, tmp_path / "artifacts") == (
        f"There is no model.mar in {tmp_path / 'artifacts'}: Vertex's PyTorch prediction "
        "containers serve a TorchServe model archive of that name."
    )
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "model.mar").write_bytes(b"not a zip")
    with pytest.raises(ValueError) as raised:
        TorchServePredictor().load(str(tmp_path / "other"))
    assert str(raised.value) == (
        "model.mar is not a TorchServe model archive (File is not a zip file)."
    )
    with zipfile.ZipFile(tmp_path / "other" / "model.mar", "w") as archive:
        archive.writestr("digits.pt", b"")
    with pytest.raises(ValueError) as raised:
        TorchServePredictor().load(str(tmp_path / "other"))
    assert str(raised.value) == (
        "model.mar has no MAR-INF/MANIFEST.json: it is not a TorchServe model archive."
    )
