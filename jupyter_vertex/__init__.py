"""jupyter_vertex: Vertex AI in JupyterLab, with an embedded Vertex for local work.

Importing this package is cheap: Google's client libraries are imported only when used.
"""

from __future__ import annotations

from typing import Any

from .version import __version__

__all__ = ["__version__"]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "jupyter-vertex"}]


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    from .app import VertexApp

    return [{"module": "jupyter_vertex", "app": VertexApp}]
