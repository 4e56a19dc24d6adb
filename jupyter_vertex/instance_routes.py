"""HTTP routes: Workbench instances and the "running now" summary.

Thin handlers over services (see :mod:`jupyter_vertex.routes` for the shared base).
"""

from __future__ import annotations

from .routes import BaseHandler

HANDLERS: tuple[type[BaseHandler], ...] = ()
