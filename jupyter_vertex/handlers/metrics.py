"""HTTP routes: Endpoint metrics for a time window, as chart-ready series.

Thin handlers over services (see :mod:`jupyter_vertex.handlers.base` for the shared base).
"""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from .base import BaseHandler


class EndpointMetricsHandler(BaseHandler):
    route = "/endpoints/{endpointId}/metrics"

    @web.authenticated
    @authorized
    async def get(self, **_: str) -> None:
        p = self.params()
        metrics = self.services.metrics
        self.reply(
            await metrics.endpoint_metrics(
                p["endpointId"], p.get("window") or "1h", p.get("deployedModelId")
            )
        )


HANDLERS: tuple[type[BaseHandler], ...] = (EndpointMetricsHandler,)
