"""Use cases of the extension. No tornado here: services know Google client types only.

Each service takes a :class:`jupyter_vertex.backend.clients.ClientFactory` and returns the
JSON shapes of the extension's REST API (see ``jupyter_vertex/api/openapi.yaml``);
:func:`build_services` builds them all, once.
"""

from __future__ import annotations

from .container import SETTINGS_KEY, Services, build_services

__all__ = ["SETTINGS_KEY", "Services", "build_services"]
