"""Endpoint metrics in SQLite: one row per series and minute, in its own database file
(``metrics.sqlite3`` next to the resource store) on its own worker thread, so measurements
never queue behind resource writes and the resource store's schema stays its own.

Writes add to a minute's row (counters and gauge sums add up, distributions merge), so a
minute written in several flushes, or by a restarted process, still sums correctly. Rows older
than ``RETENTION_DAYS`` are dropped.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from .metrics import Cell, Cells, Distribution, SeriesKey

T = TypeVar("T")
DATABASE_FILE = "metrics.sqlite3"
RETENTION_DAYS = 42  # the panel's longest window is 30 days

_SCHEMA = """
CREATE TABLE IF NOT EXISTS points (
    project TEXT NOT NULL,
    metric TEXT NOT NULL,
    endpoint_id TEXT NOT NULL,
    minute INTEGER NOT NULL,
    location TEXT NOT NULL,
    deployed_model_id TEXT NOT NULL,
    label TEXT NOT NULL,
    total REAL NOT NULL,
    samples INTEGER NOT NULL,
    distribution TEXT,
    PRIMARY KEY (project, metric, endpoint_id, minute, location, deployed_model_id, label)
) WITHOUT ROWID
"""


class MetricsStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._executor: ThreadPoolExecutor | None = None
        self._conn: sqlite3.Connection | None = None

    async def open(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vertex-metrics")
        await self.submit(self._open)

    async def close(self) -> None:
        if self._executor is None:
            return
        await self.submit(self._close)
        self._executor.shutdown(wait=True)
        self._executor = None

    async def submit(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn`` on the store's thread; calls run in the order they were submitted."""
        if self._executor is None:
            raise RuntimeError("the metrics store is not open")
        return await asyncio.wrap_future(self._executor.submit(fn, *args))

    def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=True)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(_SCHEMA)
        self._conn = conn

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    # on the store's thread -----------------------------------------------------------

    def add(self, cells: Cells) -> None:
        """Add measured minutes to their rows, in one transaction."""
        conn = self._conn
        assert conn is not None
        conn.execute("BEGIN IMMEDIATE")
        try:
            for (key, minute), cell in cells.items():
                where = _key_values(key, minute)
                distribution = None
                if cell.distribution is not None:
                    found = conn.execute(
                        "SELECT distribution FROM points WHERE (project, metric, endpoint_id,"
                        " minute, location, deployed_model_id, label) = (?,?,?,?,?,?,?)",
                        where,
                    ).fetchone()
                    merged = cell.distribution.copy()
                    if found and found[0]:
                        merged.merge(Distribution.from_row(json.loads(found[0])))
                    distribution = json.dumps(merged.to_row())
                conn.execute(
                    "INSERT INTO points (project, metric, endpoint_id, minute, location,"
                    " deployed_model_id, label, total, samples, distribution)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO UPDATE SET"
                    " total = total + excluded.total, samples = samples + excluded.samples,"
                    " distribution = excluded.distribution",
                    (*where, cell.total, cell.samples, distribution),
                )
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def forget_before(self, minute: int) -> int:
        conn = self._conn
        assert conn is not None
        return conn.execute("DELETE FROM points WHERE minute < ?", (minute,)).rowcount

    def rows(
        self,
        project: str,
        metric: str,
        first_minute: int,
        end: int,
        endpoint_id: str | None = None,
    ) -> Cells:
        """The stored minutes of one metric in [first_minute, end) for a project
        (and an endpoint)."""
        conn = self._conn
        assert conn is not None
        sql = (
            "SELECT project, metric, endpoint_id, minute, location, deployed_model_id, label,"
            " total, samples, distribution FROM points"
            " WHERE project = ? AND metric = ? AND minute >= ? AND minute < ?"
        )
        args: list[Any] = [project, metric, first_minute, end]
        if endpoint_id is not None:
            sql += " AND endpoint_id = ?"
            args.append(endpoint_id)
        out: Cells = {}
        for row in conn.execute(sql, args):
            proj, met, endpoint, minute, location, deployed, label, total, samples, dist = row
            key = SeriesKey(proj, location, endpoint, met, deployed, label)
            out[(key, int(minute))] = Cell(
                float(total),
                int(samples),
                Distribution.from_row(json.loads(dist)) if dist else None,
            )
        return out


def _key_values(key: SeriesKey, minute: int) -> tuple[Any, ...]:
    return (
        key.project,
        key.metric,
        key.endpoint_id,
        minute,
        key.location,
        key.deployed_model_id,
        key.label,
    )
