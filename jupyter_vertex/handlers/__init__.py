"""The extension's HTTP handlers under ``{base_url}jupyter-vertex/api/``, one module per area.

:func:`all_handlers` concatenates each area's ``HANDLERS`` (their order is the order in
which Tornado tries the patterns); :func:`default_handlers` gives the ``(pattern, handler)``
pairs the app registers, with the JSON 404 for any other API path last.
"""

from __future__ import annotations

from jupyter_server.utils import url_path_join

from . import (
    artifacts,
    batch,
    endpoints,
    instances,
    jobs,
    metrics,
    models,
    pipelines,
    serving,
    status,
    training,
)
from .base import API_PREFIX, BaseHandler, template_to_regex
from .fallback import NotFoundHandler

__all__ = ["all_handlers", "default_handlers"]


def all_handlers() -> tuple[type[BaseHandler], ...]:
    """Every API handler class, each with its route template."""
    return (
        status.HANDLERS
        + models.HANDLERS
        + endpoints.HANDLERS
        + jobs.HANDLERS
        + serving.HANDLERS
        + metrics.HANDLERS
        + instances.HANDLERS
        + training.HANDLERS
        + batch.HANDLERS
        + pipelines.HANDLERS
        + artifacts.HANDLERS
    )


def default_handlers() -> list[tuple[str, type[BaseHandler]]]:
    """``(pattern, handler)`` pairs, relative to the server's base URL."""
    handlers: list[tuple[str, type[BaseHandler]]] = []
    for handler in all_handlers():
        assert handler.route is not None
        pattern = url_path_join(API_PREFIX, template_to_regex(handler.route)) + "$"
        handlers.append((pattern, handler))
    handlers.append((url_path_join(API_PREFIX, "(.*)"), NotFoundHandler))
    return handlers
