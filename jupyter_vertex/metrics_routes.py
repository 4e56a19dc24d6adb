"""HTTP routes: Endpoint metrics for a time window, as chart-ready series.

Thin handlers over services (see :mod:`jupyter_vertex.routes` for the shared base).
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from .routes import BaseHandler
from .services.metrics import MetricsService

if TYPE_CHECKING:
    from .app import VertexApp

_SERVICES: weakref.WeakKeyDictionary[Any, MetricsService] = weakref.WeakKeyDictionary()


def metrics_service(app: VertexApp) -> MetricsService:
    """The metrics service of an extension app (made on first use, kept with the app)."""
    found = _SERVICES.get(app)
    if found is None or found.clients is not app.clients:
        found = _SERVICES[app] = MetricsService(app.clients)
    return found


class EndpointMetricsHandler(BaseHandler):
    route = "/endpoints/{endpointId}/metrics"

    @web.authenticated
    @authorized
    async def get(self, **_: str) -> None:
        p = self.params()
        metrics = metrics_service(self.vertex)
        self.reply(
            await metrics.endpoint_metrics(
                p["endpointId"], p.get("window") or "1h", p.get("deployedModelId")
            )
        )


HANDLERS: tuple[type[BaseHandler], ...] = (EndpointMetricsHandler,)
