"""Bulk prediction: an array of any length, cut into requests, sent with a bound, in order.

A bulk prediction runs as an asyncio task in the server: ``concurrency`` workers take the
next chunk in turn and send it (asynchronously, :mod:`.predict_transport`), so at most that
many requests are in flight and the event loop never waits on the network. Progress
(instances and requests done) is visible while it runs; predictions are put back in input
order. The first failing request fails the whole job with its message and stops the rest.
Jobs live in memory only: kept 15 minutes after they end, at most 8 running at once.
"""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ...backend.blocking import run_blocking
from ...backend.clients import ClientFactory
from ...errors import (
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    ResourceExhausted,
    to_vertex_error,
)
from .bulk_chunks import Chunk, plan_chunks, request_body
from .predict import TransportCache
from .predict_input import ParsedBody
from .predict_transport import PredictTransport

__all__ = ["BulkService", "MAX_RUNNING"]

AIPLATFORM = "google.cloud.aiplatform_v1"
MAX_RUNNING = 8
KEEP_SECONDS = 15 * 60
DEFAULT_CONCURRENCY = 8
DEFAULT_MAX_REQUEST_BYTES = 1_400_000
DEFAULT_MAX_INSTANCES = 10_000


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class BulkJob:
    id: str
    endpoint_id: str
    total: int
    chunks: list[Chunk]
    create_time: str = field(default_factory=_now)
    state: str = "RUNNING"
    done: int = 0
    requests_done: int = 0
    error: dict[str, str] | None = None
    end_time: str | None = None
    ended_at: float | None = None
    deployed: dict[str, None] = field(default_factory=dict)  # an ordered set
    results: list[list[Any] | None] = field(default_factory=list)
    predictions: list[Any] | None = None
    task: asyncio.Task[None] | None = None

    def end(self, state: str, clock: float) -> None:
        self.state = state
        self.end_time = _now()
        self.ended_at = clock
        self.results = []

    def to_json(self, *, predictions: bool = True) -> dict[str, Any]:
        return {
            "id": self.id,
            "endpointId": self.endpoint_id,
            "state": self.state,
            "total": self.total,
            "done": self.done,
            "requests": len(self.chunks),
            "requestsDone": self.requests_done,
            "error": self.error,
            "createTime": self.create_time,
            "endTime": self.end_time,
            "deployedModelIds": list(self.deployed),
            "predictions": self.predictions if predictions else None,
        }


@dataclass(frozen=True)
class BulkOptions:
    concurrency: int = DEFAULT_CONCURRENCY
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES
    max_instances: int = DEFAULT_MAX_INSTANCES
    parameters: Any = None

    @classmethod
    def of(cls, fields: dict[str, Any]) -> BulkOptions:
        return cls(
            concurrency=int(fields.get("concurrency", DEFAULT_CONCURRENCY)),
            max_request_bytes=int(fields.get("maxRequestBytes", DEFAULT_MAX_REQUEST_BYTES)),
            max_instances=int(fields.get("maxInstancesPerRequest", DEFAULT_MAX_INSTANCES)),
            parameters=fields.get("parameters"),
        )


class BulkService:
    def __init__(
        self, clients: ClientFactory, transports: TransportCache, *, clock: Any = time.monotonic
    ) -> None:
        self.clients = clients
        self.transports = transports
        self.clock = clock
        self._jobs: dict[str, BulkJob] = {}
        self._starting = 0

    # -- bookkeeping -----------------------------------------------------------------

    def _purge(self) -> None:
        limit = self.clock() - KEEP_SECONDS
        for key, job in list(self._jobs.items()):
            if job.ended_at is not None and job.ended_at < limit:
                del self._jobs[key]

    def running(self) -> list[dict[str, Any]]:
        """The running bulk predictions, without predictions (for "running now")."""
        self._purge()
        return [j.to_json(predictions=False) for j in self._jobs.values() if j.state == "RUNNING"]

    def check_capacity(self) -> None:
        """RESOURCE_EXHAUSTED when ``MAX_RUNNING`` bulk predictions run already."""
        self._purge()
        running = sum(j.state == "RUNNING" for j in self._jobs.values()) + self._starting
        if running >= MAX_RUNNING:
            raise ResourceExhausted(
                f"{MAX_RUNNING} bulk predictions are running already, the most at once.",
                hint="Wait for one to end, or cancel one (DELETE /bulkPredictions/{id}).",
            )

    def get(self, bulk_id: str) -> BulkJob:
        self._purge()
        job = self._jobs.get(bulk_id)
        if job is None:
            raise NotFound(
                f"Bulk prediction {bulk_id} not found (they are kept 15 minutes after they end)."
            )
        return job

    async def delete(self, bulk_id: str) -> None:
        """Cancel it if it runs, then forget it."""
        job = self.get(bulk_id)
        del self._jobs[bulk_id]
        if job.task is not None and not job.task.done():
            job.task.cancel()
            await asyncio.gather(job.task, return_exceptions=True)

    async def close(self) -> None:
        """Cancel what runs and let the sending threads go (the server stops)."""
        tasks = [j.task for j in self._jobs.values() if j.task is not None and not j.task.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # -- running ---------------------------------------------------------------------

    async def _check_endpoint(self, name: str, endpoint_id: str) -> None:
        client = await self.clients.endpoint_service()
        endpoint = await self.clients.call(client.get_endpoint, name=name)
        if not endpoint.deployed_models:
            raise FailedPrecondition(
                f"Endpoint {endpoint_id} has no deployed model to predict with.",
                hint="Deploy a model to it first.",
            )

    async def create(self, endpoint_id: str, body: ParsedBody) -> dict[str, Any]:
        """Plan the requests and start sending them; answer the job at once."""
        self.check_capacity()
        options = BulkOptions.of(body.fields)
        self._starting += 1
        try:
            location = await self.clients.location()
            name = f"{location.parent}/endpoints/{endpoint_id}"
            await self._check_endpoint(name, endpoint_id)
            chunks = await run_blocking(
                plan_chunks,
                body,
                max_bytes=options.max_request_bytes,
                max_instances=options.max_instances,
                parameters=options.parameters,
            )
            transport = await self.transports.get()
        finally:
            self._starting -= 1
        job = BulkJob(
            id=uuid.uuid4().hex[:16],
            endpoint_id=endpoint_id,
            total=body.count,
            chunks=chunks,
            results=[None] * len(chunks),
        )
        self._jobs[job.id] = job
        job.task = asyncio.create_task(self._run(job, body, name, options, transport))
        return job.to_json()

    @staticmethod
    async def _send(
        transport: PredictTransport, endpoint: str, body: ParsedBody, chunk: Chunk, params: Any
    ) -> tuple[list[Any], str]:
        """One request: its predictions, in order, and the deployed model that answered."""
        answer = await transport.predict(endpoint, request_body(body, chunk, params))
        predictions: list[Any] = answer["predictions"]
        if len(predictions) != chunk.size:
            raise InvalidArgument(
                f"The model answered {len(predictions)} predictions for {chunk.size} instances."
            )
        return predictions, str(answer.get("deployedModelId", ""))

    async def _run(
        self,
        job: BulkJob,
        body: ParsedBody,
        endpoint: str,
        options: BulkOptions,
        transport: PredictTransport,
    ) -> None:
        pending = iter(range(len(job.chunks)))

        async def worker() -> None:
            for k in pending:  # the workers share one iterator: each chunk is sent once
                chunk = job.chunks[k]
                predictions, deployed_id = await self._send(
                    transport, endpoint, body, chunk, options.parameters
                )
                job.results[k] = predictions
                job.done += chunk.size
                job.requests_done += 1
                if deployed_id:
                    job.deployed[deployed_id] = None

        workers = [
            asyncio.create_task(worker()) for _ in range(min(options.concurrency, len(job.chunks)))
        ]
        try:
            finished, unfinished = await asyncio.wait(workers, return_when=asyncio.FIRST_EXCEPTION)
            failed = next((t for t in finished if t.exception() is not None), None)
            if failed is not None:
                for task in unfinished:
                    task.cancel()
                error = to_vertex_error(failed.exception())  # type: ignore[arg-type]
                job.error = {"message": error.message, "reason": error.reason}
                job.end("FAILED", self.clock())
                return
            results = job.results
            job.predictions = await run_blocking(
                lambda: list(itertools.chain.from_iterable(r or [] for r in results))
            )
            job.end("SUCCEEDED", self.clock())
        except asyncio.CancelledError:
            for task in workers:
                task.cancel()
            job.end("CANCELLED", self.clock())
            raise
