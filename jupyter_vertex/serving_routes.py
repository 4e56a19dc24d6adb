"""HTTP routes: Deploy, undeploy, traffic split, predict and bulk predict, operations, SDK code.

Thin handlers over services (see :mod:`jupyter_vertex.routes` for the shared base).
"""

from __future__ import annotations

from .routes import BaseHandler

HANDLERS: tuple[type[BaseHandler], ...] = ()
