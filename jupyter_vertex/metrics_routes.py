"""HTTP routes: Endpoint metrics for a time window, as chart-ready series.

Thin handlers over services (see :mod:`jupyter_vertex.routes` for the shared base).
"""

from __future__ import annotations

from .routes import BaseHandler

HANDLERS: tuple[type[BaseHandler], ...] = ()
