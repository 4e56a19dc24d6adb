"""A benchmark-only Jupyter server extension: measures the server's event-loop lag.

A task asks to wake up every 5 ms and records how late each wake-up is; ``GET /bench-lag``
answers the percentiles since the last ``?reset=1``. ``POST /bench-noop`` does nothing (the
cost of any authenticated Jupyter API request). Loaded by benchmarks/harness.py only.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from jupyter_server.base.handlers import APIHandler
from tornado import web

TICK = 0.005
_samples: list[float] = []
_tasks: set[asyncio.Task[None]] = set()


async def _probe() -> None:
    while True:
        start = time.perf_counter()
        await asyncio.sleep(TICK)
        _samples.append(max(0.0, time.perf_counter() - start - TICK) * 1000)


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class LagHandler(APIHandler):
    @web.authenticated
    async def get(self) -> None:
        values = list(_samples)
        if self.get_argument("reset", None):
            _samples.clear()
        self.finish(
            {
                "samples": len(values),
                "p50_ms": _percentile(values, 0.50),
                "p99_ms": _percentile(values, 0.99),
                "max_ms": max(values, default=0.0),
            }
        )


class NoopHandler(APIHandler):
    """An authenticated API POST that does nothing: what any Jupyter API request costs
    (auth, cookies, logging), the floor under the extension's predict route."""

    @web.authenticated
    async def post(self) -> None:
        self.finish("{}")


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    return [{"module": "lag_probe"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    serverapp.web_app.add_handlers(
        ".*$",
        [
            (serverapp.base_url + "bench-lag", LagHandler),
            (serverapp.base_url + "bench-noop", NoopHandler),
        ],
    )
    serverapp.io_loop.add_callback(lambda: _tasks.add(asyncio.ensure_future(_probe())))
