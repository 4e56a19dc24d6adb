"""Read big prediction bodies in a helper process, so the Jupyter server's GIL stays free.

Reading a bulk body (``predict_input.parse_body``) is pure Python CPU work: ~2 s for the
34 MB of 100,000 digits rows. In a worker thread it still holds the server's GIL, and the
event loop then waits its turn for it at every wake-up (measured: loop lag p99 ~110 ms, max
~400 ms during a bulk prediction). In a separate process the server only copies the bytes
there and a compact answer back (the instances' byte offsets as one array: ~1 ms to
unpickle, where the decoded text and a list of spans took ~50 ms of GIL). Requests are then
slices of the bytes as sent.

One spawned process (no fork of a threaded server), started ahead of need: a bulk route
warms it while the body is still streaming in. Errors (InvalidArgument naming the field)
come back pickled, with their message and hint.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from ...backend.blocking import run_blocking
from .bulk_chunks import compact
from .predict_input import ParsedBody, parse_body

__all__ = ["PROCESS_BODY", "ParseProcess"]

#: Bodies from this size up are read in the helper process (smaller ones: a thread).
PROCESS_BODY = 1024 * 1024


def _ready() -> bool:
    return True


def _parse_compact(raw: bytes) -> ParsedBody:
    """In the helper: read the body; answer only the instances' byte offsets and fields."""
    return compact(parse_body(raw, keep=False))


class ParseProcess:
    """A one-process pool for ``parse_body(raw, keep=False)``, made on first use."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=1, mp_context=multiprocessing.get_context("spawn")
                )
            return self._pool

    def warm(self) -> None:
        """Start the process now, from a thread (spawning it takes a few hundred milliseconds
        and some of it blocks the caller)."""
        if self._pool is None:
            threading.Thread(target=self._start, name="jupyter-vertex-parse-warm").start()

    def _start(self) -> None:
        try:
            self._executor().submit(_ready)
        except RuntimeError:  # closed meanwhile (the server stops)
            pass

    async def parse(self, raw: bytes) -> ParsedBody:
        """``parse_body(raw, keep=False)`` off the server's GIL for big bodies."""
        if len(raw) < PROCESS_BODY:
            return await run_blocking(parse_body, raw, keep=False)
        loop = asyncio.get_running_loop()
        try:
            parsed = await loop.run_in_executor(self._executor(), _parse_compact, raw)
        except BrokenProcessPool:  # the helper died (killed, out of memory): a thread then
            self.close()
            return await run_blocking(parse_body, raw, keep=False)
        parsed.raw = raw  # requests are slices of the bytes as sent
        return parsed

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
