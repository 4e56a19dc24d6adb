"""A batch prediction job's fast path: input shards scored by the model servers themselves.

Which path a job runs (:func:`applies`): a ``jsonl`` input read from local storage's object
files, ``jsonl`` predictions, no ``instanceConfig`` that reshapes rows (``keyField``,
``includedFields``, ``excludedFields``, ``instanceType`` "array"), and a model server with
the SDK's default handler (every prebuilt framework, and Custom Prediction Routines without
their own handler) run here. Any other job (``csv`` or ``file-list`` input, ``csv``
predictions, reshaped rows, a custom handler) runs the engine's row path
(:mod:`.engine`): the embedded Vertex reads every row and sends ``/predict`` batches.

Here the embedded Vertex only splits each input file into byte ranges (:func:`plan`: at most
``--batch-shard-bytes``, and small enough that every replica gets work) and keeps
:data:`IN_FLIGHT_PER_REPLICA` shards in flight per ready model server (so none idles between
shards, and the autoscaler sees them busy). Each server parses, predicts and writes its
shard's output lines (:mod:`..serving.batch_worker`); the shards' outputs are appended, in
input order, to Vertex's ``predictions_0000N`` / ``errors_0000N`` files (:mod:`.outputs`),
and ``completionStats`` is stored after each shard. On cancel or failure, the rows of the
shards not appended yet are ``incompleteCount`` (each row ends counted once); a line that is
not JSON fails the job after the rows before it are written, as on the row path.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..serving.batch_worker import SHARD_ROUTE, count_rows
from ..serving.containers import DEFAULT_HANDLER, ServerSpec
from ..serving.serving import Serving
from .inputs import InputError, Shape
from .outputs import Writer

SHARD_BYTES = 4 * 2**20  # the default of --batch-shard-bytes
MIN_SHARD_BYTES = 64 * 2**10  # smaller shards would cost more in requests than they spread
IN_FLIGHT_PER_REPLICA = 2
SHARDS_PER_REPLICA = 4  # a small file is cut so that every replica gets shards


@dataclass(frozen=True)
class Shard:
    index: int
    uri: str
    path: str
    start: int
    end: int


def applies(job: dict[str, Any], spec: ServerSpec) -> bool:
    """Whether the job can run on shards (see the module's docstring)."""
    shape = Shape.of(job.get("instanceConfig") or {})
    return (
        str((job.get("inputConfig") or {}).get("instancesFormat")) == "jsonl"
        and str((job.get("outputConfig") or {}).get("predictionsFormat") or "jsonl") == "jsonl"
        and not (shape.key_field or shape.included or shape.excluded)
        and shape.instance_type != "array"
        and spec.handler == DEFAULT_HANDLER
    )


def plan(files: list[tuple[str, Path]], shard_bytes: int, replicas: int) -> list[Shard]:
    """Byte ranges of every input file, in input order."""
    shards: list[Shard] = []
    for uri, path in files:
        size = path.stat().st_size
        spread = -(-size // (SHARDS_PER_REPLICA * max(1, replicas)))
        step = max(1, min(shard_bytes, max(MIN_SHARD_BYTES, spread)))
        for start in range(0, size, step):
            shards.append(Shard(len(shards), uri, str(path), start, min(size, start + step)))
    return shards


def _line_number(path: str, offset: int) -> int:
    """The 1-based number of the line that starts at ``offset``."""
    lines = 1
    with open(path, "rb") as handle:
        left = offset
        while left > 0:
            chunk = handle.read(min(left, 1 << 20))
            if not chunk:
                break
            lines += chunk.count(b"\n")
            left -= len(chunk)
    return lines


def _detail(body: bytes) -> str:
    text = body.decode("utf-8", "replace")
    try:
        return str(json.loads(text).get("detail", text))
    except (ValueError, AttributeError):
        return text


class ShardScorer:
    """One job's shards: sent to its servers, appended to its output in order."""

    def __init__(
        self,
        serving: Serving,
        deployed_id: str,
        folder: Path,
        writer: Writer,
        *,
        batch_size: int,
        parameters: Any,
        ready: Callable[[], int],
        save: Callable[[dict[str, int]], Awaitable[Any]],
        closing: Callable[[], bool],
    ) -> None:
        self.serving = serving
        self.deployed_id = deployed_id
        self.folder = folder  # where the servers write each shard's lines
        self.writer = writer
        self.batch_size = batch_size
        self.parameters = parameters
        self.ready = ready
        self.save = save
        self.closing = closing
        self.stats = {"successfulCount": 0, "failedCount": 0, "incompleteCount": 0}

    async def run(self, shards: list[Shard]) -> None:
        waiting = deque(shards)
        flying: dict[int, asyncio.Task[dict[str, Any]]] = {}
        done = 0  # shards appended to the output, in order
        try:
            await asyncio.to_thread(self.folder.mkdir, parents=True, exist_ok=True)
            while done < len(shards):
                while waiting and len(flying) < IN_FLIGHT_PER_REPLICA * self.ready():
                    shard = waiting.popleft()
                    flying[shard.index] = asyncio.ensure_future(self._send(shard))
                await asyncio.wait(list(flying.values()), return_when=asyncio.FIRST_COMPLETED)
                while done < len(shards) and flying.get(done, None) is not None:
                    task = flying[done]
                    if not task.done():
                        break
                    del flying[done]
                    answer = task.result()
                    done += 1  # counted from here on, even if a cancel lands while appending
                    await self._append(shards[done - 1], answer)
        except InputError:
            raise  # a line that is not JSON: the rows after it are not counted, as on the row path
        except BaseException:
            if not self.closing():  # a stopping process does not read the rest of the input
                rest = shards[done:]
                self.stats["incompleteCount"] = await asyncio.to_thread(
                    lambda: sum(count_rows(s.path, s.start, s.end) for s in rest)
                )
                await self.save(self.stats)
            raise
        finally:
            for task in flying.values():
                task.cancel()

    async def _send(self, shard: Shard) -> dict[str, Any]:
        outputs = self._outputs(shard)
        body: dict[str, Any] = {
            "input": shard.path,
            "start": shard.start,
            "end": shard.end,
            "batchSize": self.batch_size,
            "predictions": str(outputs[0]),
            "errors": str(outputs[1]),
        }
        if self.parameters is not None:
            body["parameters"] = self.parameters
        status, _, answer = await self.serving.forward(
            self.deployed_id, json.dumps(body).encode(), "application/json", SHARD_ROUTE
        )
        if status != 200:
            raise RuntimeError(
                f"A model server could not score bytes {shard.start}-{shard.end} of "
                f"{shard.uri}: {_detail(answer)}"
            )
        found: dict[str, Any] = json.loads(answer)
        return found

    def _outputs(self, shard: Shard) -> tuple[Path, Path]:
        return (
            self.folder / f"{shard.index:06d}.predictions.jsonl",
            self.folder / f"{shard.index:06d}.errors.jsonl",
        )

    async def _append(self, shard: Shard, answer: dict[str, Any]) -> None:
        """Append a scored shard's lines and count them (even when a cancel comes meanwhile:
        each row ends counted once, in the files or as incomplete)."""
        good, bad = int(answer["successful"]), int(answer["failed"])
        write = asyncio.ensure_future(asyncio.to_thread(self._copy, shard, good, bad))
        try:
            await asyncio.shield(write)
        finally:
            await write
            self.stats["successfulCount"] += good
            self.stats["failedCount"] += bad
        await self.save(self.stats)
        malformed = answer.get("malformed")
        if malformed:
            number = await asyncio.to_thread(_line_number, shard.path, int(malformed["offset"]))
            raise InputError(
                f"{shard.uri} line {number} is not valid JSON ({malformed['error']}); the "
                "instances format is jsonl: one JSON value a line."
            )

    def _copy(self, shard: Shard, good: int, bad: int) -> None:
        predictions, errors = self._outputs(shard)
        if good:
            self.writer.predictions.add_jsonl(predictions, good)
        if bad:
            self.writer.errors.add_jsonl(errors, bad)
        for path in (predictions, errors):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
