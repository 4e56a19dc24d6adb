"""Use cases of the extension. No tornado here: services know Google client types only.

Each service takes a :class:`jupyter_vertex.clients.ClientFactory` and returns the JSON
shapes of the extension's REST API (see ``jupyter_vertex/api/openapi.yaml``).
"""

from __future__ import annotations

from .endpoints import EndpointsService
from .models import ModelsService
from .status import StatusService

__all__ = ["EndpointsService", "ModelsService", "StatusService"]
