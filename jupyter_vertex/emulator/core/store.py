"""The emulator's state: one SQLite database in WAL mode, used from one worker thread.

Every mutation is a function ``fn(tx)`` run in a single ``BEGIN IMMEDIATE`` transaction on
the store's own thread, so the event loop never waits on disk, writes are serialised, and a
failed call leaves nothing half-written. Resources are rows of one generic table (name,
kind, parent, JSON data), which later resource kinds (jobs, notebooks, ...) reuse; schema
changes are numbered migrations recorded in ``schema_migrations``.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from .resources import timestamp

T = TypeVar("T")

# (version, description, statements). Append only; never edit an applied migration.
MIGRATIONS: list[tuple[int, str, tuple[str, ...]]] = [
    (
        1,
        "generic resource table",
        (
            """
            CREATE TABLE resources (
                name TEXT PRIMARY KEY,
                kind TEXT NOT NULL,
                parent TEXT NOT NULL,
                data TEXT NOT NULL,
                create_time TEXT NOT NULL,
                update_time TEXT NOT NULL
            ) WITHOUT ROWID
            """,
            "CREATE INDEX resources_by_kind_parent ON resources (kind, parent)",
        ),
    ),
]


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


class Tx:
    """The resource operations available inside one transaction (store thread only)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self.now = timestamp()  # one clock reading per transaction
        self._depth = 0

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A nested transaction: undo just this block's writes if it raises."""
        self._depth += 1
        label = f"sp{self._depth}"
        self._conn.execute(f"SAVEPOINT {label}")
        try:
            yield
        except BaseException:
            self._conn.execute(f"ROLLBACK TO {label}")
            self._conn.execute(f"RELEASE {label}")
            raise
        else:
            self._conn.execute(f"RELEASE {label}")
        finally:
            self._depth -= 1

    def get(self, name: str, kind: str | None = None) -> dict[str, Any] | None:
        row = self._conn.execute("SELECT kind, data FROM resources WHERE name = ?", (name,))
        found = row.fetchone()
        if found is None or (kind is not None and found[0] != kind):
            return None
        data: dict[str, Any] = json.loads(found[1])
        return data

    def exists(self, name: str) -> bool:
        cursor = self._conn.execute("SELECT 1 FROM resources WHERE name = ?", (name,))
        return cursor.fetchone() is not None

    def insert(self, kind: str, name: str, parent: str, data: dict[str, Any]) -> None:
        self._conn.execute(
            "INSERT INTO resources (name, kind, parent, data, create_time, update_time)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (name, kind, parent, _dumps(data), self.now, self.now),
        )

    def update(self, name: str, data: dict[str, Any]) -> None:
        cursor = self._conn.execute(
            "UPDATE resources SET data = ?, update_time = ? WHERE name = ?",
            (_dumps(data), self.now, name),
        )
        if cursor.rowcount != 1:
            raise KeyError(name)

    def delete(self, name: str) -> bool:
        return self._conn.execute("DELETE FROM resources WHERE name = ?", (name,)).rowcount == 1

    def delete_children(self, kind: str, parent: str) -> int:
        cursor = self._conn.execute(
            "DELETE FROM resources WHERE kind = ? AND parent = ?", (kind, parent)
        )
        return cursor.rowcount

    def children(self, kind: str, parent: str) -> list[dict[str, Any]]:
        cursor = self._conn.execute(
            "SELECT data FROM resources WHERE kind = ? AND parent = ? ORDER BY name",
            (kind, parent),
        )
        return [json.loads(row[0]) for row in cursor]

    def all_of_kind(self, kind: str) -> list[dict[str, Any]]:
        cursor = self._conn.execute(
            "SELECT data FROM resources WHERE kind = ? ORDER BY name", (kind,)
        )
        return [json.loads(row[0]) for row in cursor]

    def count(self, kind: str, parent: str) -> int:
        cursor = self._conn.execute(
            "SELECT COUNT(*) FROM resources WHERE kind = ? AND parent = ?", (kind, parent)
        )
        return int(cursor.fetchone()[0])


class Store:
    """The SQLite store and its dedicated worker thread."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._executor: ThreadPoolExecutor | None = None
        self._conn: sqlite3.Connection | None = None
        # bumped after every write: in-memory caches of resources compare it to know they
        # are still current without reading (e.g. the predict route's routing table)
        self.generation = 0

    # lifecycle -------------------------------------------------------------------------

    async def open(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vertex-store")
        await self._submit(self._open_on_thread)

    async def close(self) -> None:
        if self._executor is None:
            return
        await self._submit(self._close_on_thread)
        self._executor.shutdown(wait=True)
        self._executor = None

    def _open_on_thread(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=True)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=5000")
        self._conn = conn
        self._migrate(conn)

    def _close_on_thread(self) -> None:
        if self._conn is not None:
            try:
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                self._conn.close()
                self._conn = None

    @staticmethod
    def _migrate(conn: sqlite3.Connection) -> None:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        applied = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
        for version, description, statements in MIGRATIONS:
            if version in applied:
                continue
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in statements:
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_migrations (version, description, applied_at)"
                    " VALUES (?, ?, ?)",
                    (version, description, timestamp()),
                )
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    # transactions ----------------------------------------------------------------------

    async def write(self, fn: Callable[[Tx], T]) -> T:
        """Run ``fn`` in one write transaction; any exception rolls everything back."""
        try:
            return await self._submit(self._transaction, fn, "BEGIN IMMEDIATE")
        finally:
            self.generation += 1

    async def read(self, fn: Callable[[Tx], T]) -> T:
        """Run ``fn`` in one read transaction (a consistent snapshot)."""
        return await self._submit(self._transaction, fn, "BEGIN")

    def _transaction(self, fn: Callable[[Tx], T], begin: str) -> T:
        conn = self._conn
        if conn is None:
            raise RuntimeError("the store is closed")
        conn.execute(begin)
        try:
            result = fn(Tx(conn))
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return result

    async def _submit(self, fn: Callable[..., T], *args: Any) -> T:
        if self._executor is None:
            raise RuntimeError("the store is not open")
        return await asyncio.wrap_future(self._executor.submit(fn, *args))
