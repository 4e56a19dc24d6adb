"""Vertex's prebuilt PyTorch prediction images (``pytorch-cpu.*``, ``pytorch-gpu.*``), served
by the SDK's model server with this predictor.

On Vertex those images run TorchServe on ``model.mar``, a TorchServe model archive in the
model's artifact folder: a zip whose ``MAR-INF/MANIFEST.json`` names, under ``model``, the
``handler``, the ``serializedFile`` (weights or a TorchScript program) and, for eager-mode
models, the ``modelFile`` defining the model's class. TorchServe's JSON request envelope
(which those images use) hands the handler the request's ``instances`` as the batch, one
instance a row, and answers the handler's output list as ``predictions``, one per instance.

What runs here, without TorchServe: TorchScript models (``torch.jit.script`` or
``torch.jit.trace``, saved as the ``serializedFile``) with TorchServe's base handler
(``"handler": "base_handler"``), whose steps this predictor does:

- preprocess: the instances as one tensor (``torch.as_tensor``: numbers, nested lists of one
  shape);
- inference: the model on that tensor, without gradients;
- postprocess: the output's rows as JSON values (``tolist()``), one per instance.

Archives with another handler (a built-in one such as ``image_classifier``, or a handler
module inside the archive) or with a ``modelFile`` (an eager-mode model) fail the deploy
with a message naming what is not run. PyTorch is imported in ``load``, i.e. in the model
server process only. Instances the model cannot take answer 400 with the reason, which the
embedded Vertex passes on as INVALID_ARGUMENT.
"""

from __future__ import annotations

import json
import os
import zipfile
from typing import Any

from fastapi import HTTPException
from google.cloud.aiplatform.prediction.predictor import Predictor
from google.cloud.aiplatform.utils import prediction_utils

ARCHIVE = "model.mar"
MANIFEST = "MAR-INF/MANIFEST.json"
BASE_HANDLER = "base_handler"
SUPPORTED = (
    'the embedded Vertex runs TorchScript models with TorchServe\'s base handler ("handler": '
    '"base_handler", the serializedFile saved from torch.jit.script or torch.jit.trace)'
)


class TorchServePredictor(Predictor):
    """A TorchScript model in a TorchServe archive, with the base handler's steps."""

    def __init__(self) -> None:
        self._torch: Any = None
        self._model: Any = None

    def load(self, artifacts_uri: str, **kwargs: Any) -> None:
        """Copy the artifacts into this server's working folder, check the archive's manifest
        and load its TorchScript program."""
        prediction_utils.download_model_artifacts(artifacts_uri)
        manifest, serialized = _read_archive(artifacts_uri)
        model = manifest.get("model")
        handler = model.get("handler") if isinstance(model, dict) else None
        if handler != BASE_HANDLER:
            raise ValueError(
                f"The archive's handler {handler!r} (MANIFEST.json model.handler) is not run "
                f"here: {SUPPORTED}."
            )
        assert isinstance(model, dict)
        if model.get("modelFile"):
            raise ValueError(
                f"The archive is an eager-mode model (modelFile {model['modelFile']!r}), which "
                f"is not run here: {SUPPORTED}."
            )
        import torch

        self._torch = torch
        try:
            self._model = torch.jit.load(serialized, map_location="cpu")
        except RuntimeError as exc:
            raise ValueError(
                f"The archive's serializedFile {model.get('serializedFile')!r} is not a "
                f"TorchScript program ({_last_line(str(exc))}): {SUPPORTED}."
            ) from None
        self._model.eval()

    def preprocess(self, prediction_input: Any) -> Any:
        """The instances as one tensor, one instance a row (the base handler's preprocess)."""
        instances = (
            prediction_input.get("instances") if isinstance(prediction_input, dict) else None
        )
        if not isinstance(instances, list) or not instances:
            raise _bad('"instances" must be a non-empty list.')
        try:
            return self._torch.as_tensor(instances)
        except (ValueError, TypeError, RuntimeError) as exc:
            raise _bad(
                "The instances do not make one tensor (numbers, or lists of numbers all of "
                f"one shape): {_last_line(str(exc))}."
            ) from None

    def predict(self, instances: Any) -> Any:
        """The model's output for the batch (the base handler's inference)."""
        try:
            with self._torch.inference_mode():
                return self._model(instances)
        except RuntimeError as exc:
            raise _bad(
                f"The model could not compute the instances: {_last_line(str(exc))}"
            ) from None

    def postprocess(self, prediction_results: Any) -> dict[str, Any]:
        """``predictions``: the output's rows (the base handler's postprocess)."""
        torch = self._torch
        if not isinstance(prediction_results, torch.Tensor) or prediction_results.dim() == 0:
            given = (
                "a single value"
                if isinstance(prediction_results, torch.Tensor)
                else type(prediction_results).__name__
            )
            raise _bad(
                "The model must answer a tensor with one row per instance to be answered as "
                f"predictions; it answered {given}."
            )
        return {"predictions": prediction_results.tolist()}


def _read_archive(artifacts_uri: str) -> tuple[dict[str, Any], str]:
    """The archive's manifest, and its serializedFile extracted into the working folder."""
    if not os.path.isfile(ARCHIVE):
        raise ValueError(
            f"There is no {ARCHIVE} in {artifacts_uri}: Vertex's PyTorch prediction "
            "containers serve a TorchServe model archive of that name."
        )
    try:
        with zipfile.ZipFile(ARCHIVE) as archive:
            try:
                manifest = json.loads(archive.read(MANIFEST))
            except KeyError:
                raise ValueError(
                    f"{ARCHIVE} has no {MANIFEST}: it is not a TorchServe model archive."
                ) from None
            model = manifest.get("model") if isinstance(manifest, dict) else None
            serialized = model.get("serializedFile") if isinstance(model, dict) else None
            if not isinstance(serialized, str) or not serialized:
                raise ValueError(f"{MANIFEST} in {ARCHIVE} names no model.serializedFile.")
            try:
                path = archive.extract(serialized, "mar")
            except KeyError:
                raise ValueError(
                    f"{ARCHIVE} has no {serialized!r}, the serializedFile its manifest names."
                ) from None
    except (zipfile.BadZipFile, json.JSONDecodeError) as exc:
        raise ValueError(f"{ARCHIVE} is not a TorchServe model archive ({exc}).") from None
    assert isinstance(manifest, dict)
    return manifest, path


def _bad(message: str) -> HTTPException:
    return HTTPException(status_code=400, detail=message)


def _last_line(text: str) -> str:
    """The last line of a TorchScript error (its first lines are the script's traceback),
    without the exception's class name."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    last = lines[-1] if lines else text
    for prefix in ("RuntimeError: ", "ValueError: ", "TypeError: "):
        last = last.removeprefix(prefix)
    return last.rstrip(".")
