"""Vertex's prebuilt PyTorch prediction images (``pytorch-cpu.*``, ``pytorch-gpu.*``), served
by the SDK's model server with this predictor, which runs the archive through TorchServe's own
Python backend (the ``ts`` package of the ``torchserve`` wheel; its Java frontend is not run).

On Vertex those images run TorchServe on ``model.mar``, a TorchServe model archive in the
model's artifact folder: a zip whose ``MAR-INF/MANIFEST.json`` names, under ``model``, the
``handler`` (a built-in one such as ``base_handler`` or ``image_classifier``, or a module in
the archive, ``handler.py`` or ``handler.py:function``), the ``serializedFile`` (TorchScript
program or state_dict) and, for eager-mode models, the ``modelFile`` defining the model's
class. The images set TorchServe's JSON service envelope: a request's ``instances`` are one
batch handed to the handler, and its output list is answered as ``predictions``.

Here, as TorchServe's frontend and worker do it:

- load: the archive is extracted into this server's working folder, which becomes the current
  folder and is importable (the handler and ``modelFile`` modules import from it); TorchServe's
  ``TsModelLoader`` loads the handler with the ``json`` envelope (which builds the handler's
  ``ts.context.Context`` and calls its ``initialize``). A handler that fails to load raises,
  so the model server exits and the deploy fails with the handler's message.
- predict: the request body becomes one TorchServe request record (a ``body`` parameter with
  the JSON value, as the frontend passes a JSON POST), ``Service.predict`` runs the handler
  on it, and its framed answer (TorchServe's backend-to-frontend format) is read back: the
  envelope's JSON is the response. A handler's exception answers 400 with its message (where
  TorchServe itself answers 503 "Prediction failed" and only logs the message);
  ``PredictionException`` keeps its own code and message, as in TorchServe.

TorchServe (and so PyTorch) is imported in ``load``, i.e. in the model server process only.
"""

from __future__ import annotations

import json
import logging
import os
import re
import struct
import sys
import uuid
import zipfile
from pathlib import Path
from typing import Any

from fastapi import HTTPException
from google.cloud.aiplatform.prediction.predictor import Predictor
from google.cloud.aiplatform.utils import prediction_utils

ARCHIVE = "model.mar"
MANIFEST = "MAR-INF/MANIFEST.json"
#: Where the archive is extracted, in the server's working folder.
MODEL_DIR = "mar"
#: The name Vertex's PyTorch images register the archive under.
MODEL_NAME = "model"
#: TorchServe's service envelope in Vertex's PyTorch images (``service_envelope=json``).
ENVELOPE = "json"
BATCH_SIZE = 1  # TorchServe's default batch size
#: What TorchServe's service answers for an exception in the handler other than its own
#: ``PredictionException`` (which keeps its code and message) or running out of memory.
GENERIC_FAILURE = (503, "Prediction failed")
_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(?:Error|Exception): ")


class TorchServePredictor(Predictor):
    """A TorchServe model archive, run by TorchServe's own model loader and service."""

    def __init__(self) -> None:
        self._service: Any = None
        self._failure: BaseException | None = None

    def load(self, artifacts_uri: str, **kwargs: Any) -> None:
        """Copy the artifacts into this server's working folder, extract the archive there and
        load its handler as TorchServe's worker does."""
        prediction_utils.download_model_artifacts(artifacts_uri)
        model_dir, handler = _extract_archive(artifacts_uri)
        # TorchServe runs its worker in the extracted archive with it on PYTHONPATH
        os.chdir(model_dir)
        sys.path.insert(0, model_dir)

        import ts
        from ts.metrics.metric_cache_yaml_impl import MetricsCacheYamlImpl
        from ts.model_loader import ModelLoaderFactory

        metrics = MetricsCacheYamlImpl(
            config_file_path=os.path.join(os.path.dirname(ts.__file__), "configs", "metrics.yaml")
        )
        metrics.initialize_cache()
        metrics.model_name = MODEL_NAME
        # TorchServe's frontend takes the worker's metric lines off its output into its metrics
        # log; with no frontend here they would only flood this server's output, per request
        logging.getLogger("ts.metrics").setLevel(logging.WARNING)
        try:
            service = ModelLoaderFactory.get_model_loader().load(
                MODEL_NAME, model_dir, handler, None, BATCH_SIZE, ENVELOPE, True, metrics
            )
        except Exception as exc:
            raise ValueError(
                f"The archive's handler {handler!r} (MANIFEST.json model.handler) did not "
                f"load: {type(exc).__name__}: {_message(exc)}"
            ) from exc
        service.set_cl_socket(None)  # no frontend socket: answers come back from predict
        service._entry_point = self._recording(service._entry_point)
        self._service = service

    def _recording(self, entry_point: Any) -> Any:
        """``entry_point``, keeping the exception it raises (TorchServe's service only logs it)."""

        def handle(data: Any, context: Any) -> Any:
            try:
                return entry_point(data, context)
            except Exception as exc:
                self._failure = exc
                raise

        return handle

    def preprocess(self, prediction_input: Any) -> list[dict[str, Any]]:
        """The request as TorchServe's frontend hands a JSON POST to its worker: one request
        record whose ``body`` parameter is the JSON value."""
        instances = (
            prediction_input.get("instances") if isinstance(prediction_input, dict) else None
        )
        if not isinstance(instances, list) or not instances:
            raise _bad('"instances" must be a non-empty list.')
        return [
            {
                "requestId": str(uuid.uuid4()).encode(),
                "headers": [{"name": b"content-type", "value": b"application/json"}],
                "parameters": [
                    {"name": "body", "contentType": "application/json", "value": prediction_input}
                ],
            }
        ]

    def predict(self, instances: Any) -> Any:
        """TorchServe's ``Service.predict`` on the batch of one request, its answer read back."""
        self._failure = None
        code, message, answers = _read_answer(bytes(self._service.predict(instances)))
        if code != 200:
            failure, self._failure = self._failure, None
            if (code, message) == GENERIC_FAILURE and failure is not None:
                # the handler's own exception, which TorchServe only logs
                raise _bad(_message(failure))
            raise HTTPException(status_code=code, detail=message)
        ((status, phrase, value),) = answers
        if status >= 400:  # the handler set this request's status (context.set_response_status)
            raise HTTPException(status_code=status, detail=phrase or value.decode("utf-8"))
        return value

    def postprocess(self, prediction_results: Any) -> Any:
        """The JSON envelope's answer: ``{"predictions": [...]}``."""
        return json.loads(prediction_results)


def _extract_archive(artifacts_uri: str) -> tuple[str, str]:
    """The archive extracted into ``MODEL_DIR`` (absolute path), and its manifest's handler."""
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
            handler = model.get("handler") if isinstance(model, dict) else None
            if not isinstance(handler, str) or not handler:
                raise ValueError(f"{MANIFEST} in {ARCHIVE} names no model.handler.")
            archive.extractall(MODEL_DIR)
    except (zipfile.BadZipFile, json.JSONDecodeError) as exc:
        raise ValueError(f"{ARCHIVE} is not a TorchServe model archive ({exc}).") from None
    return str(Path(MODEL_DIR).resolve()), handler


def _read_answer(frame: bytes) -> tuple[int, str, list[tuple[int, str, bytes]]]:
    """TorchServe's predict response frame: its code and message, and per request its status,
    reason phrase and body."""
    offset = 0

    def number() -> int:
        nonlocal offset
        (value,) = struct.unpack_from("!i", frame, offset)
        offset += 4
        return int(value)

    def chunk() -> bytes:
        nonlocal offset
        length = number()
        offset += length
        return frame[offset - length : offset]

    code, message = number(), chunk().decode("utf-8")
    answers: list[tuple[int, str, bytes]] = []
    while True:
        length = number()  # of the request id, or the end of the list
        if length == -1:
            return code, message, answers
        offset += length
        chunk()  # the content type
        status, phrase = number(), chunk().decode("utf-8")
        for _ in range(2 * number()):  # response headers: name and value
            chunk()
        answers.append((status, phrase, chunk()))


def _bad(message: str) -> HTTPException:
    return HTTPException(status_code=400, detail=message)


def _message(exc: BaseException) -> str:
    """An exception's message; for TorchScript's (its traceback, then the error's own line)
    the last line, without the exception's class name."""
    text = str(exc).strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > 1 and _EXCEPTION_LINE.match(lines[-1]):
        return _EXCEPTION_LINE.sub("", lines[-1])
    return text
