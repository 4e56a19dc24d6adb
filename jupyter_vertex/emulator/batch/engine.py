"""Runs BatchPredictionJobs as asyncio tasks in the embedded Vertex's process.

A job starts ``dedicatedResources.startingReplicaCount`` model servers (capped by
``--max-replicas-per-model``) through the serving engine, under the deployed model id
``batch-JOBID`` (so they are found, recorded, reaped and stopped like any other). A jsonl job
whose rows need no reshaping runs the fast path (:mod:`.shards`, which says when exactly): the
servers score byte ranges of the input themselves. Any other job runs the row path: it reads its
input as a stream (:mod:`.inputs`, off the event loop), sends batches of
``manualBatchTuningParameters.batchSize`` instances (default 64) to the servers (one batch
per server at work and one waiting, round robin), retries a batch the model refused row by
row so that only the bad rows fail, and writes Vertex's output layout (:mod:`.outputs`).
``completionStats`` and ``outputInfo`` are stored as it goes. With a ``maxReplicaCount`` above
the starting count the serving engine's autoscaler adds servers while all are kept busy (as
Vertex scales a batch job up to its max), and each chunk sends two batches per ready server.
The servers stop when the job ends, however it ends. Cancel stops them and keeps what was
written; rows it did not reach (those in flight and the rest of the input, counted) are
``incompleteCount``, as are a failed job's.

After a restart of the embedded Vertex, a job that was running is FAILED with
:data:`.records.RESTART_REASON` (its servers died with the previous process); it is not
resumed.
"""

from __future__ import annotations

import asyncio
import datetime
import itertools
import json
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..core.errors import ApiError
from ..core.job_tasks import JobTasks
from ..core.store import Store, Tx
from ..serving.autoscale import Scaling
from ..serving.containers import server_for
from ..serving.serving import Serving
from ..storage.local_storage import LocalStorage, split_gs_uri
from . import records as r
from . import shards
from .inputs import InputError, Row, Shape, Source
from .outputs import Writer

log = logging.getLogger(__name__)

DEFAULT_BATCH = 64
# Batches in flight per ready server: one scored while the next waits, so a server never idles
# while the previous answer is written, and the autoscaler sees every server busy.
IN_FLIGHT = 2
# completionStats are stored at most this often while a job runs (and always at its end): a
# store write per tiny batch would cost more than the batch.
STATS_EVERY = 0.25


def job_id_of(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def deployed_id_of(path: str) -> str:
    return f"batch-{job_id_of(path)}"


def output_directory(prefix: str, model_name: str, when: datetime.datetime) -> str:
    stamp = when.strftime("%Y_%m_%dT%H_%M_%S_") + f"{when.microsecond // 1000:03d}Z"
    return f"{prefix.rstrip('/')}/prediction-{model_name}-{stamp}"


def _detail(status: int, body: bytes) -> str:
    text = body.decode("utf-8", "replace")
    try:
        return str(json.loads(text).get("detail", text))
    except (ValueError, AttributeError):
        return text or f"the model server answered {status}"


class Progress:
    """A running job's counts, and the rows read but not yet written (in flight)."""

    def __init__(self) -> None:
        self.stats = {"successfulCount": 0, "failedCount": 0, "incompleteCount": 0}
        self.pending = 0

    def rendered(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.stats.items()}  # int64 fields are JSON strings


def _batch_size(job: dict[str, Any]) -> int:
    return int((job.get("manualBatchTuningParameters") or {}).get("batchSize") or DEFAULT_BATCH)


def _object_files(source: Source, uris: list[str]) -> list[tuple[str, Path]] | None:
    """Each input object's file in local storage, or None when one is not kept as a file."""
    if source.object_file is None:
        return None
    files = []
    for uri in uris:
        found = source.object_file(*split_gs_uri(uri, "input"))
        if found is None:
            return None
        files.append((uri, found))
    return files


def _take(rows: Iterator[Row], count: int) -> list[Row]:
    return list(itertools.islice(rows, count))


def _count(rows: Iterator[Row]) -> int:
    """The rows left in the input (a malformed one ends the count: it could not be scored)."""
    count = 0
    try:
        for _ in rows:
            count += 1
    except InputError:
        pass
    return count


class BatchRunner:
    def __init__(
        self,
        store: Store,
        serving: Serving,
        folder: Path,
        storage: LocalStorage | None = None,
        shard_bytes: int = shards.SHARD_BYTES,
    ) -> None:
        self.store = store
        self.shard_bytes = shard_bytes  # --batch-shard-bytes: the fast path's input shards
        self.serving = serving
        self.storage = storage
        self.folder = folder
        self.storage_url = ""
        self.jobs = JobTasks(store, r.FAMILY)
        self._writers: dict[str, Writer] = {}

    async def start(self, storage_url: str) -> int:
        """FAIL the jobs a previous process left unfinished; answer how many."""
        self.storage_url = storage_url
        await asyncio.to_thread(shutil.rmtree, self.folder, True)
        return await self.jobs.fail_unfinished()

    def launch(self, path: str) -> None:
        self.jobs.launch(path, self._run(path))

    async def cancel(self, path: str) -> None:
        """Ask a job to stop (CANCELLING, then CANCELLED once its servers are stopped)."""
        if not await self.jobs.cancel(path):
            await self._end(path, r.CANCELLED, r.CODE_CANCELLED, "The job was cancelled.")

    async def close(self) -> None:
        await self.jobs.close()

    @property
    def _closing(self) -> bool:
        return self.jobs.closing

    # one job -------------------------------------------------------------------------------

    async def _update(self, path: str, **fields: Any) -> dict[str, Any]:
        def write(tx: Tx) -> dict[str, Any]:
            job = r.get_job(tx, path)
            job.update(fields)
            job["updateTime"] = tx.now
            tx.update(path, job)
            return job

        return await self.store.write(write)

    async def _end(self, path: str, state: str, code: int = 0, message: str = "") -> None:
        def write(tx: Tx) -> None:
            job = tx.get(path, r.KIND)
            if job is None:
                return
            r.finish(job, state, tx.now, code, message)
            tx.update(path, job)

        await self.store.write(write)

    async def _run(self, path: str) -> None:
        deployed_id = deployed_id_of(path)
        writer: Writer | None = None
        outcome: tuple[str, int, str] = (r.SUCCEEDED, 0, "")
        try:
            writer = await self._prepare_and_score(path)
        except asyncio.CancelledError:
            if self._closing:
                outcome = (r.FAILED, r.CODE_INTERNAL, r.RESTART_REASON)
            else:
                outcome = (r.CANCELLED, r.CODE_CANCELLED, "The job was cancelled.")
        except InputError as error:
            outcome = (r.FAILED, r.CODE_INVALID_ARGUMENT, str(error))
        except ApiError as error:
            outcome = (r.FAILED, r.CODE_FAILED_PRECONDITION, error.message)
        except Exception as error:  # noqa: BLE001 - the job fails with the reason
            log.exception("batch prediction job %s failed", path)
            outcome = (r.FAILED, r.CODE_INTERNAL, f"{type(error).__name__}: {error}")
        # the servers stop and what was written stays, however the job ended
        writer = writer or self._writers.pop(path, None)
        self._writers.pop(path, None)
        if writer is not None:
            try:
                await asyncio.to_thread(writer.close)
            except Exception as error:  # noqa: BLE001
                log.exception("batch prediction job %s: writing its output failed", path)
                if outcome[0] == r.SUCCEEDED:
                    outcome = (r.FAILED, r.CODE_INTERNAL, f"Writing the output failed: {error}")
        await self.serving.undeploy(deployed_id)
        await asyncio.to_thread(shutil.rmtree, self.folder / job_id_of(path), True)
        await self._end(path, *outcome)

    async def _prepare_and_score(self, path: str) -> Writer:
        job = await self._update(path, state=r.PENDING)
        headers = self.storage.headers if self.storage else {}
        source = Source(
            self.storage_url, self.storage.object_file if self.storage else None, headers
        )
        config = job.get("inputConfig") or {}
        listed = (config.get("gcsSource") or {}).get("uris") or []
        uris: list[str] = []
        for position, uri in enumerate(listed):
            field = f"batch_prediction_job.input_config.gcs_source.uris[{position}]"
            uris += await asyncio.to_thread(source.names, uri, field)
        if not uris:
            raise InputError(f"No input file matches {', '.join(listed)}.")
        resources = job.get("dedicatedResources") or {}
        count = self.serving.replica_count(int(resources.get("startingReplicaCount") or 1))
        most = max(count, int(resources.get("maxReplicaCount") or 0))
        spec = server_for(job.get("_containerSpec") or {})
        await self.serving.deploy(
            deployed_id_of(path),
            spec,
            str(job.get("_artifactUri") or ""),
            Scaling(count, most),
        )
        now = datetime.datetime.now(datetime.timezone.utc)
        prefix = job["outputConfig"]["gcsDestination"]["outputUriPrefix"]
        directory = output_directory(prefix, job.get("_modelDisplayName", "model"), now)
        job = await self._update(
            path,
            state=r.RUNNING,
            startTime=now.isoformat().replace("+00:00", "Z"),
            outputInfo={"gcsOutputDirectory": directory},
        )
        fmt = str(job["outputConfig"].get("predictionsFormat") or "jsonl")
        writer = Writer(
            self.storage_url,
            directory,
            self.folder / job_id_of(path),
            fmt,
            self.storage.headers if self.storage else {},
        )
        self._writers[path] = writer
        files = await asyncio.to_thread(_object_files, source, uris)
        if files is not None and shards.applies(job, spec):
            await self._score_shards(path, job, files, writer, self.serving.replica_count(most))
        else:
            await self._score(path, job, source, uris, writer)
        return writer

    async def _score_shards(
        self,
        path: str,
        job: dict[str, Any],
        files: list[tuple[str, Path]],
        writer: Writer,
        replicas: int,
    ) -> None:
        """The fast path (:mod:`.shards`): the model servers score the input's byte ranges."""
        deployed_id = deployed_id_of(path)

        async def save(stats: dict[str, int]) -> None:
            await self._update(path, completionStats={k: str(v) for k, v in stats.items()})

        scorer = shards.ShardScorer(
            self.serving,
            deployed_id,
            self.folder / job_id_of(path) / "shards",
            writer,
            batch_size=_batch_size(job),
            parameters=job.get("modelParameters"),
            ready=lambda: self._ready(deployed_id),
            save=save,
            closing=lambda: self._closing,
        )
        await scorer.run(shards.plan(files, self.shard_bytes, replicas))

    async def _score(
        self,
        path: str,
        job: dict[str, Any],
        source: Source,
        uris: list[str],
        writer: Writer,
    ) -> None:
        size = _batch_size(job)
        fmt = str((job.get("inputConfig") or {}).get("instancesFormat"))
        parameters = job.get("modelParameters")
        rows = source.rows(uris, fmt, Shape.of(job.get("instanceConfig") or {}))
        progress = Progress()
        try:
            await self._chunks(path, rows, size, parameters, writer, progress)
        except BaseException:
            if not self._closing:  # a stopping process does not read the rest of the input
                progress.stats["incompleteCount"] = progress.pending + await asyncio.to_thread(
                    _count, rows
                )
                await self._update(path, completionStats=progress.rendered())
            raise
        finally:  # cancelled or failed too: the input's download ends
            await asyncio.to_thread(rows.close)

    async def _chunks(
        self,
        path: str,
        rows: Iterator[Row],
        size: int,
        parameters: Any,
        writer: Writer,
        progress: Progress,
    ) -> None:
        stats = progress.stats
        deployed_id = deployed_id_of(path)
        loop = asyncio.get_running_loop()
        stored = loop.time()
        while True:
            slots = self._ready(deployed_id) * IN_FLIGHT
            # Rows taken from the input count even when a cancel comes meanwhile (as
            # incomplete): the reading thread consumes them whether or not we wait.
            take = asyncio.ensure_future(asyncio.to_thread(_take, rows, size * slots))
            try:
                await asyncio.shield(take)
            finally:
                chunk = await take
                progress.pending = len(chunk)
            if not chunk:
                break
            batches = [chunk[i : i + size] for i in range(0, len(chunk), size)]
            answers = await asyncio.gather(
                *(self._batch(deployed_id, batch, parameters) for batch in batches)
            )
            lines: list[tuple[bool, dict[str, Any]]] = []
            for batch, answer in zip(batches, answers, strict=True):
                for row, (ok, value) in zip(batch, answer, strict=True):
                    if ok:
                        lines.append((True, {**row.shown, "prediction": value}))
                    else:
                        error = {"code": r.CODE_INVALID_ARGUMENT, "message": value}
                        lines.append((False, {**row.shown, "error": error}))
            # Scored rows are written and counted even when a cancel comes meanwhile: each
            # row ends counted once, in the files or as incomplete.
            write = asyncio.ensure_future(asyncio.to_thread(self._write, writer, lines))
            try:
                await asyncio.shield(write)
            finally:
                await write
                good = sum(1 for ok, _ in lines if ok)
                stats["successfulCount"] += good
                stats["failedCount"] += len(lines) - good
                progress.pending = 0
            if loop.time() - stored >= STATS_EVERY:
                stored = loop.time()
                await self._update(path, completionStats=progress.rendered())
        await self._update(path, completionStats=progress.rendered())

    def _ready(self, deployed_id: str) -> int:
        """Servers ready now (at least one: a chunk waits for a server as online serving does)."""
        status = self.serving.status(deployed_id) or {}
        return max(1, int(status.get("availableReplicaCount") or 0))

    @staticmethod
    def _write(writer: Writer, lines: list[tuple[bool, dict[str, Any]]]) -> None:
        for ok, line in lines:
            (writer.predictions if ok else writer.errors).add(line)

    async def _batch(
        self, deployed_id: str, rows: list[Row], parameters: Any
    ) -> list[tuple[bool, Any]]:
        """(True, prediction) or (False, the model's message) per row."""
        status, predictions, message = await self._predict(
            deployed_id, [row.instance for row in rows], parameters
        )
        if status == 200 and len(predictions) == len(rows):
            return [(True, p) for p in predictions]
        if len(rows) == 1:
            return [(False, message)]
        out: list[tuple[bool, Any]] = []
        for row in rows:  # one bad row fails alone
            out += await self._batch(deployed_id, [row], parameters)
        return out

    async def _predict(
        self, deployed_id: str, instances: list[Any], parameters: Any
    ) -> tuple[int, list[Any], str]:
        body: dict[str, Any] = {"instances": instances}
        if parameters is not None:
            body["parameters"] = parameters
        status, _, answer = await self.serving.forward(
            deployed_id, json.dumps(body).encode(), "application/json"
        )
        if status != 200:
            return status, [], _detail(status, answer)
        predictions = json.loads(answer).get("predictions") or []
        return status, predictions, f"the model answered {len(predictions)} predictions"
