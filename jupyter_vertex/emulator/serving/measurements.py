"""The embedded Vertex's endpoint metrics at run time: measurements from the predict route
are summed in memory and written to SQLite by a background task every ``flush_interval``
seconds (and when the emulator stops), never on the request path; a sampler reads the model
servers' replicas, CPU and memory every ``sample_interval`` seconds. Queries see the stored
minutes plus what is still in memory, so an answer never lags the traffic.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from ..core.resources import parse_resource_name
from . import process_stats
from .metrics import Aggregate, Cells, SeriesKey, Where, merge_cells, minute_of, record_request
from .metrics_store import DATABASE_FILE, RETENTION_DAYS, MetricsStore
from .serving import Serving

log = logging.getLogger(__name__)

FLUSH_INTERVAL = 5.0
SAMPLE_INTERVAL = 10.0

# (endpoint name, deployed model id) of every deployed model: what the sampler measures
DeployedModels = Callable[[], Awaitable[list[tuple[str, str]]]]


class Metrics:
    def __init__(
        self,
        data_dir: Path,
        serving: Serving | None,
        deployed_models: DeployedModels,
        *,
        flush_interval: float = FLUSH_INTERVAL,
        sample_interval: float = SAMPLE_INTERVAL,
    ) -> None:
        self.serving = serving
        self.deployed_models = deployed_models
        self.store = MetricsStore(data_dir / DATABASE_FILE)
        self.flush_interval = flush_interval
        self.sample_interval = sample_interval
        self.aggregate = Aggregate()
        self._opened: asyncio.Future[None] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._cpu: dict[str, tuple[float, float]] = {}  # deployed id -> (cpu s, wall s)
        self._forgotten = 0.0

    # lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        """Open the store and start the flusher and the sampler (on the running loop)."""
        self._opened = asyncio.ensure_future(self.store.open())
        self._tasks = [
            asyncio.ensure_future(self._flush_loop()),
            asyncio.ensure_future(self._sample_loop()),
        ]

    async def _ready(self) -> None:
        if self._opened is None:
            raise RuntimeError("metrics not started")
        await asyncio.shield(self._opened)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    # measuring -----------------------------------------------------------------------

    def record(
        self,
        where: Where,
        *,
        deployed_model_id: str,
        instances: int,
        status: int,
        total_ms: float,
        model_ms: float | None,
    ) -> None:
        """Count one predict request (in memory; cheap)."""
        record_request(
            self.aggregate,
            where,
            deployed_model_id=deployed_model_id,
            instances=instances,
            status=status,
            total_ms=total_ms,
            model_ms=model_ms,
            now=time.time(),
        )

    async def flush(self) -> None:
        await self._ready()
        cells = self.aggregate.take()
        if not cells:
            return
        try:
            await self.store.submit(self.store.add, cells)
        except Exception:
            log.exception("could not write %d metric point(s); keeping them", len(cells))
            self.aggregate.cells = merge_cells([cells, self.aggregate.cells])
        now = time.time()
        if now - self._forgotten > 3600:
            self._forgotten = now
            await self.store.submit(
                self.store.forget_before, minute_of(now - RETENTION_DAYS * 86400)
            )

    async def _flush_loop(self) -> None:
        try:
            while True:
                await asyncio.sleep(self.flush_interval)
                await self.flush()
        finally:  # stopping: write what is left, then close
            try:
                await asyncio.shield(self._final())
            except Exception:  # pragma: no cover - nothing more to do
                log.exception("could not write the last metric points")

    async def _final(self) -> None:
        await self.flush()
        await self.store.close()

    # reading -------------------------------------------------------------------------

    async def cells(
        self, project: str, metric: str, first_minute: int, end: int, endpoint_id: str | None
    ) -> Cells:
        """The minutes of one metric in [first_minute, end): stored plus in memory."""
        await self._ready()
        pending = {
            (key, minute): cell
            for (key, minute), cell in self.aggregate.snapshot().items()
            if key.project == project
            and key.metric == metric
            and first_minute <= minute < end
            and (endpoint_id is None or key.endpoint_id == endpoint_id)
        }

        def read() -> Cells:  # on the store's thread, which runs calls in order: any flush
            # submitted before this read is in the rows
            stored = self.store.rows(project, metric, first_minute, end, endpoint_id)
            for key, cell in pending.items():
                found = stored.get(key)
                if found is None:
                    stored[key] = cell
                else:
                    found.merge(cell)
            return stored

        return await self.store.submit(read)

    # sampling ------------------------------------------------------------------------

    async def _sample_loop(self) -> None:
        while True:
            try:
                await self.sample()
            except Exception:  # noqa: BLE001 - try again next time
                log.exception("sampling the model servers failed")
            await asyncio.sleep(self.sample_interval)

    async def sample(self) -> None:
        """Record replicas, CPU utilization and memory of every served deployed model."""
        serving = self.serving
        if serving is None:
            return
        targets = await self.deployed_models()
        now = time.time()
        minute = minute_of(now)
        seen = set()
        for endpoint, deployed_id in targets:
            pids = serving.pids(deployed_id)
            if not pids:
                continue
            seen.add(deployed_id)
            name = parse_resource_name(endpoint, "endpoints", "endpoint")
            where = (name.location.project, name.location.location, name.resource_id)

            def key(
                metric: str, where: tuple[str, str, str] = where, id: str = deployed_id
            ) -> SeriesKey:
                return SeriesKey(*where, metric, id)

            cpu, rss = await asyncio.to_thread(process_stats.usage, pids)
            wall = time.monotonic()
            self.aggregate.sample(key("replicas"), minute, len(pids))
            self.aggregate.sample(key("memory/bytes_used"), minute, rss)
            before = self._cpu.get(deployed_id)
            self._cpu[deployed_id] = (cpu, wall)
            if before is not None and wall > before[1]:
                used = max(0.0, cpu - before[0]) / ((wall - before[1]) * len(pids))
                self.aggregate.sample(key("cpu/utilization"), minute, min(used, 1.0))
        for gone in set(self._cpu) - seen:
            del self._cpu[gone]
