"""The PyTorch predictor on real TorchServe archives, in-process, through TorchServe's own
Python backend (the ``ts`` package): the built-in base handler on TorchScript models, handler
functions in the archive and the Context TorchServe builds for them, the errors a handler
raises (its message as a 400, ``PredictionException``'s own code), the envelope's answer, and
the archives that fail the load (the served path through the SDK is
tests/sdk/test_sdk_pytorch.py)."""

from __future__ import annotations

import json
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import torch
from fastapi import HTTPException
from torch_archive import archive_torchscript, state_dict_bytes, write_archive

from jupyter_vertex.emulator.serving.torch_predictor import TorchServePredictor


class Pixels(torch.nn.Module):
    """64 features in, 10 probabilities out."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.linear = torch.nn.Linear(64, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.linear(x / 16), dim=1)


# A handler module with functions: ``handle`` tells what TorchServe gave it, ``total`` sums
# each instance, ``refuse`` raises TorchServe's PredictionException, ``teapot`` sets the
# request's status.
FUNCTIONS = b"""
import os

from ts.utils.util import PredictionException


def handle(data, context):
    if data is None:
        return None
    return [
        {
            "instance": row,
            "model_name": context.model_name,
            "model_dir": context.system_properties["model_dir"],
            "batch_size": context.system_properties["batch_size"],
            "gpu_id": context.system_properties["gpu_id"],
            "serialized": context.manifest["model"]["serializedFile"],
            "cwd": os.getcwd(),
            "content_type": context.get_request_header(0, "content-type"),
        }
        for row in data
    ]


def total(data, context):
    return None if data is None else [sum(row) for row in data]


def refuse(data, context):
    if data is not None:
        raise PredictionException("Too many instances for this model.", 413)


def teapot(data, context):
    if data is not None:
        context.set_response_status(418, "Short and stout.")
    return data
"""

Loader = Callable[[Path], TorchServePredictor]


@pytest.fixture
def load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Loader]:
    """A predictor loaded as a model server loads it: from its own working folder. The load
    changes the current folder and the import path, and imports the archive's modules (one
    model a process, as in a model server): all undone before the next load and afterwards."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    count = 0

    def forget_archive_modules() -> None:
        for name, module in list(sys.modules.items()):
            if str(getattr(module, "__file__", None) or "").startswith(str(tmp_path)):
                del sys.modules[name]

    def loaded(artifacts: Path) -> TorchServePredictor:
        nonlocal count
        count += 1
        forget_archive_modules()
        server = tmp_path / f"server-{count}"
        server.mkdir()
        monkeypatch.chdir(server)
        predictor = TorchServePredictor()
        predictor.load(str(artifacts))
        return predictor

    yield loaded
    forget_archive_modules()


def _answer(predictor: TorchServePredictor, instances: Any) -> Any:
    """The model server's answer to ``{"instances": instances}``, as JSON read back."""
    result = predictor.postprocess(
        predictor.predict(predictor.preprocess({"instances": instances}))
    )
    assert list(result) == ["predictions"]
    return json.loads(json.dumps(result))["predictions"]


def _refused(predictor: TorchServePredictor, instances: Any, status: int = 400) -> str:
    with pytest.raises(HTTPException) as raised:
        _answer(predictor, instances)
    assert raised.value.status_code == status
    return str(raised.value.detail)


def _load_error(load: Loader, artifacts: Path) -> str:
    with pytest.raises(ValueError) as raised:
        load(artifacts)
    return str(raised.value)


def _functions_archive(folder: Path, handler: str) -> Path:
    return write_archive(
        folder,
        {"stats.py": FUNCTIONS, "weights.bin": b""},
        {"serializedFile": "weights.bin", "handler": handler},
    )


@pytest.mark.parametrize("traced", [False, True], ids=["scripted", "traced"])
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


def test_the_base_handlers_errors_are_400_with_its_message(load: Loader, tmp_path: Path) -> None:
    archive_torchscript(tmp_path / "artifacts", Pixels().eval())
    predictor = load(tmp_path / "artifacts")
    # TorchScript's error: its last line, without the traceback of the script
    assert _refused(predictor, [[1.0] * 10, [2.0] * 10]) == (
        "mat1 and mat2 shapes cannot be multiplied (2x10 and 64x10)"
    )
    assert _refused(predictor, [[1.0] * 64, [1.0] * 63]) == (
        "expected sequence of length 64 at dim 1 (got 63)"
    )
    assert _refused(predictor, [["a"] * 64]) == "too many dimensions 'str'"
    assert _refused(predictor, []) == '"instances" must be a non-empty list.'
    # and it keeps answering
    assert len(_answer(predictor, [[1.0] * 64])) == 1


def test_a_handler_function_gets_the_context_torchserve_builds(
    load: Loader, tmp_path: Path
) -> None:
    _functions_archive(tmp_path / "artifacts", "stats.py")
    predictor = load(tmp_path / "artifacts")
    model_dir = str(tmp_path / "server-1" / "mar")
    common = {
        "model_name": "model",
        "model_dir": model_dir,
        "batch_size": 1,
        "gpu_id": None,
        "serialized": "weights.bin",
        "cwd": model_dir,
        "content_type": "application/json",
    }
    # the JSON envelope: the instances are the batch, the handler's list the predictions
    assert _answer(predictor, [[1, 2], "text"]) == [
        {"instance": [1, 2], **common},
        {"instance": "text", **common},
    ]
    # the envelope decodes {"b64": ...} values to bytes, which this handler answers as they
    # are: not JSON, so the envelope's own error, as a 400
    assert _refused(predictor, [{"image": {"b64": "aGk="}}]) == (
        "Object of type bytes is not JSON serializable"
    )
    # the archive was extracted there, as TorchServe extracts it
    extracted = {p.name for p in Path(model_dir).iterdir()} - {"__pycache__"}
    assert extracted == {"MAR-INF", "stats.py", "weights.bin"}


def test_a_named_handler_function_and_its_errors(load: Loader, tmp_path: Path) -> None:
    _functions_archive(tmp_path / "sums", "stats.py:total")
    assert _answer(load(tmp_path / "sums"), [[1, 2], [3.5, 4]]) == [3, 7.5]

    _functions_archive(tmp_path / "refusing", "stats:refuse")
    refusing = load(tmp_path / "refusing")
    # TorchServe's PredictionException keeps its own code and message
    assert _refused(refusing, [[1]], status=413) == "Too many instances for this model."

    _functions_archive(tmp_path / "teapot", "stats.py:teapot")
    # a status the handler sets on the request, with its reason phrase
    assert _refused(load(tmp_path / "teapot"), [[1]], status=418) == "Short and stout."


def test_an_answer_that_is_not_one_per_request_is_torchserves_503(
    load: Loader, tmp_path: Path
) -> None:
    write_archive(
        tmp_path / "artifacts",
        {"empty.py": b"def handle(data, context):\n    return []\n"},
        {"handler": "empty.py"},
    )
    predictor = load(tmp_path / "artifacts")
    assert _refused(predictor, [[1]], status=503) == "number of batch response mismatched"


def test_an_eager_model_with_the_base_handler(load: Loader, tmp_path: Path) -> None:
    module = Pixels().eval()
    source = b"import torch\n\n\nclass Pixels(torch.nn.Module):\n" + (
        b"    def __init__(self):\n"
        b"        super().__init__()\n"
        b"        self.linear = torch.nn.Linear(64, 10)\n\n"
        b"    def forward(self, x):\n"
        b"        return torch.softmax(self.linear(x / 16), dim=1)\n"
    )
    write_archive(
        tmp_path / "artifacts",
        {"pixels.py": source, "pixels.pth": state_dict_bytes(module)},
        {"serializedFile": "pixels.pth", "modelFile": "pixels.py", "handler": "base_handler"},
    )
    predictor = load(tmp_path / "artifacts")
    rows = torch.arange(2 * 64, dtype=torch.float32).reshape(2, 64) % 13
    with torch.no_grad():
        expected = module(rows).tolist()
    assert _answer(predictor, rows.tolist()) == expected


def test_archives_that_do_not_load_fail_saying_why(load: Loader, tmp_path: Path) -> None:
    weights = state_dict_bytes(Pixels())
    cases: list[tuple[dict[str, bytes], dict[str, Any], str]] = [
        (
            {"digits.pt": weights},
            {"serializedFile": "digits.pt", "handler": "no_such_handler"},
            "The archive's handler 'no_such_handler' (MANIFEST.json model.handler) did not "
            "load: ModuleNotFoundError: No module named 'ts.torch_handler.no_such_handler'",
        ),
        (
            {"digits.pt": weights, "two.py": b"class A:\n    pass\n\n\nclass B:\n    pass\n"},
            {"serializedFile": "digits.pt", "handler": "two.py"},
            "The archive's handler 'two.py' (MANIFEST.json model.handler) did not load: "
            "ValueError: Expected only one class in custom service code or a function entry "
            "point [<class 'two.A'>, <class 'two.B'>]",
        ),
        (
            {"digits.pt": weights},
            {"serializedFile": "digits.pt"},
            "MAR-INF/MANIFEST.json in model.mar names no model.handler.",
        ),
    ]
    for index, (files, model, message) in enumerate(cases):
        write_archive(tmp_path / f"artifacts-{index}", files, model)
        assert _load_error(load, tmp_path / f"artifacts-{index}") == message


def test_weights_that_are_not_torchscript_fail_the_base_handlers_load(
    load: Loader, tmp_path: Path
) -> None:
    write_archive(
        tmp_path / "artifacts",
        {"digits.pt": state_dict_bytes(Pixels())},
        {"serializedFile": "digits.pt", "handler": "base_handler"},
    )
    message = _load_error(load, tmp_path / "artifacts")
    prefix = (
        "The archive's handler 'base_handler' (MANIFEST.json model.handler) did not load: "
        "RuntimeError: "
    )
    assert message.startswith(prefix), message


def test_an_artifact_folder_without_an_archive_fails_the_load(load: Loader, tmp_path: Path) -> None:
    (tmp_path / "artifacts").mkdir()
    (tmp_path / "artifacts" / "model.pt").write_bytes(b"weights")
    assert _load_error(load, tmp_path / "artifacts") == (
        f"There is no model.mar in {tmp_path / 'artifacts'}: Vertex's PyTorch prediction "
        "containers serve a TorchServe model archive of that name."
    )
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "model.mar").write_bytes(b"not a zip")
    assert _load_error(load, tmp_path / "other") == (
        "model.mar is not a TorchServe model archive (File is not a zip file)."
    )
    with zipfile.ZipFile(tmp_path / "other" / "model.mar", "w") as archive:
        archive.writestr("digits.pt", b"")
    assert _load_error(load, tmp_path / "other") == (
        "model.mar has no MAR-INF/MANIFEST.json: it is not a TorchServe model archive."
    )
