"""The package's version, in a leaf module so that any layer may read it without importing
the package's ``__init__`` (which names the server extension's app)."""

from __future__ import annotations

try:
    from ._version import __version__
except ImportError:  # a source tree that hatch has not built yet
    try:
        from importlib.metadata import PackageNotFoundError, version

        __version__ = version("jupyter_vertex")
    except (ImportError, PackageNotFoundError):
        __version__ = "0.0.0.dev0"

__all__ = ["__version__"]
