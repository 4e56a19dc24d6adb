"""A model server's batch route: score one shard of a batch prediction job's jsonl input.

The embedded Vertex hands each model server byte ranges of a jsonl input file (local
storage keeps objects as files) on :data:`SHARD_ROUTE`, an internal route added to the SDK's
model server on its unix socket only (:func:`model_server`). The server reads the range's
lines (:func:`shard_lines`: those that start in it), parses them, predicts them in batches of
``batchSize`` with the handler's predictor (the calls the SDK's ``PredictionHandler`` makes for
``/predict``), retries a batch the model refused row by row, and writes the shard's
``{"instance": <the line's JSON text>, "prediction": …}`` and ``{"instance": …, "error":
{"code": 3, "message": …}}`` lines to the two files it is given, in input order. It answers
the counts. The JSON parsing and writing of every row thus happens in the replicas' processes,
in parallel, and the embedded Vertex only assembles the files (:mod:`..batch.shards`).

A line that is not JSON ends the shard: the rows before it are scored and written, and the
answer names the line's byte offset and the parser's message (the job fails with it, as when
the embedded Vertex reads the input itself). Messages are those ``/predict`` would answer, so
a row's error line is the same on either path.

Only a server whose handler is the SDK's default ``PredictionHandler`` has the route (a custom
handler owns its request's shape; the engine sends those servers ``/predict`` requests).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from json.encoder import encode_basestring_ascii
from typing import Any

SHARD_ROUTE = "/jupyter-vertex/batch-shard"
_ERROR_CODE = 3  # google.rpc.Code INVALID_ARGUMENT, as every error line says
# json.loads and json.dumps(…, separators=…) build a decoder/encoder per call; a row is
# parsed by the C scanner and a prediction written by one encoder (the same JSON text).
_SCAN = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
_ENCODE = json.JSONEncoder(separators=(",", ":")).encode


def _parse(text: str) -> Any:
    """``json.loads(text)`` of a stripped line, raising its ValueError when it is not JSON."""
    try:
        value, end = _SCAN(text, 0)
        if end == len(text):
            return value
    except StopIteration:
        pass
    return json.loads(text)  # not one JSON value: json.loads says why, in its words


def _dumps(value: Any) -> str:
    """``json.dumps(value, separators=(",", ":"))``, quicker for the usual scalars."""
    kind = type(value)
    if kind is int:
        return int.__repr__(value)
    if kind is str:
        return encode_basestring_ascii(value)
    return _ENCODE(value)


def shard_lines(path: str, start: int, end: int) -> tuple[int, bytes]:
    """The lines of ``path`` that start in ``[start, end)``, as bytes, and where they start.

    A line that starts before ``start`` belongs to the shard before; the last line is read
    through its end even past ``end``."""
    with open(path, "rb") as handle:
        if start > 0:
            handle.seek(start - 1)
            handle.readline()  # the rest of the line that started before: not ours
        begin = handle.tell()
        if begin >= end:
            return begin, b""
        data = handle.read(end - begin)
        if data and not data.endswith(b"\n"):
            data += handle.readline()
        return begin, data


def count_rows(path: str, start: int, end: int) -> int:
    """The input rows (lines that are not blank) that start in ``[start, end)``."""
    _, data = shard_lines(path, start, end)
    return sum(1 for line in data.split(b"\n") if line.strip())


class _Refused(Exception):
    """The model refused a batch; the message is ``/predict``'s error detail."""


def _predict_with(predictor: Any) -> Callable[[list[Any], Any], list[Any]]:
    """``/predict`` for one batch, with its error messages, answering the predictions."""
    from fastapi import HTTPException
    from google.cloud.aiplatform.prediction.serializer import DefaultSerializer

    def predict(instances: list[Any], parameters: Any) -> list[Any]:
        body: dict[str, Any] = {"instances": instances}
        if parameters is not None:
            body["parameters"] = parameters
        try:
            results = predictor.postprocess(predictor.predict(predictor.preprocess(body)))
        except HTTPException as error:
            raise _Refused(str(error.detail)) from None
        except Exception as error:  # noqa: BLE001 - the handler's own wording
            raise _Refused(
                f"The following exception has occurred: {type(error).__name__}. "
                f"Arguments: {error.args}."
            ) from None
        predictions = results.get("predictions") if isinstance(results, dict) else None
        predictions = predictions or []
        if len(predictions) != len(instances):
            raise _Refused(f"the model answered {len(predictions)} predictions")
        try:
            return [_dumps(p) for p in predictions]
        except TypeError:
            try:  # the server's own serializer says why
                DefaultSerializer.serialize(results, "application/json")
            except HTTPException as error:
                raise _Refused(str(error.detail)) from None
            raise

    return predict


def score_shard(predictor: Any, request: dict[str, Any]) -> dict[str, Any]:
    """Score one shard (see the module's docstring); answer its counts."""
    begin, data = shard_lines(request["input"], int(request["start"]), int(request["end"]))
    raw = data.decode("utf-8", "replace").split("\n")
    texts: list[str] = []
    values: list[Any] = []
    malformed: dict[str, Any] | None = None
    for index, line in enumerate(raw):
        text = line.strip()
        if not text:
            continue
        try:
            values.append(_parse(text))
        except ValueError as error:
            offset = begin + sum(len(b) + 1 for b in data.split(b"\n")[:index])
            malformed = {"offset": offset, "error": str(error)}
            break
        texts.append(text)
    predict = _predict_with(predictor)
    size = max(1, int(request.get("batchSize") or 1))
    parameters = request.get("parameters")
    good = bad = 0
    with (
        open(request["predictions"], "w", encoding="utf-8") as predictions,
        open(request["errors"], "w", encoding="utf-8") as errors,
    ):
        for first in range(0, len(values), size):
            batch = values[first : first + size]
            for text, (ok, value) in zip(
                texts[first : first + size], _scored(predict, batch, parameters), strict=True
            ):
                if ok:
                    predictions.write(f'{{"instance":{text},"prediction":{value}}}\n')
                    good += 1
                else:
                    message = json.dumps(value)
                    errors.write(
                        f'{{"instance":{text},"error":{{"code":{_ERROR_CODE},'
                        f'"message":{message}}}}}\n'
                    )
                    bad += 1
    answer: dict[str, Any] = {"successful": good, "failed": bad}
    if malformed is not None:
        answer["malformed"] = malformed
    return answer


def _scored(
    predict: Callable[[list[Any], Any], list[Any]], batch: list[Any], parameters: Any
) -> list[tuple[bool, str]]:
    """(True, the prediction's JSON) or (False, the model's message) per instance: a batch the
    model refuses is retried row by row, so that only the bad rows fail."""
    try:
        return [(True, p) for p in predict(batch, parameters)]
    except _Refused as refused:
        if len(batch) == 1:
            return [(False, str(refused))]
    out: list[tuple[bool, str]] = []
    for instance in batch:
        out += _scored(predict, [instance], parameters)
    return out


def add_shard_route(server: Any) -> None:
    """Add :data:`SHARD_ROUTE` to an SDK model server whose handler is the default one.

    Shards run one at a time, on a thread: the server's event loop keeps answering its
    health route meanwhile."""
    from google.cloud.aiplatform.prediction.handler import PredictionHandler
    from starlette.requests import Request
    from starlette.responses import JSONResponse

    if type(server.handler) is not PredictionHandler:
        return
    predictor = server.handler._predictor
    lock = asyncio.Lock()

    async def shard(request: Request) -> JSONResponse:
        body = json.loads(await request.body())
        async with lock:
            try:
                answer = await asyncio.to_thread(score_shard, predictor, body)
            except Exception as error:  # noqa: BLE001 - the job fails with the reason
                return JSONResponse({"detail": f"{type(error).__name__}: {error}"}, 500)
        return JSONResponse(answer)

    # a plain Starlette route: the request is passed as is, not read from annotations
    server.app.add_route(SHARD_ROUTE, shard, methods=["POST"])


def model_server() -> Any:
    """The SDK's model server app with the shard route (uvicorn's factory)."""
    from google.cloud.aiplatform.prediction.model_server import CprModelServer

    server = CprModelServer()
    add_shard_route(server)
    return server
