"""Importing a Google client package's message modules without its ``__init__``.

``google.cloud.aiplatform_v1`` and ``google.cloud.monitoring_v3`` import every service client
in their ``__init__`` (~0.6 s each); the emulator needs only the messages of ``types``.
"""

from __future__ import annotations

import importlib
import os
import sys
import types
from collections.abc import Iterable


def import_types(package: str, names: Iterable[str], distribution: str) -> None:
    """Import ``PACKAGE.types.NAME`` for each name, registering their messages.

    While they import, ``PACKAGE`` and ``PACKAGE.types`` are bare placeholder packages (so
    their ``__init__`` does not run); the loaded submodules stay in ``sys.modules``, and a
    full import of the package later picks them up. Should the light import fail, the
    package is imported the ordinary way."""
    names = list(names)
    subpackage = f"{package}.types"
    if package in sys.modules:
        for name in names:
            importlib.import_module(f"{subpackage}.{name}")
        return
    import google.cloud

    leaf = package.rpartition(".")[2]
    root = next(
        (
            os.path.join(p, leaf)
            for p in google.cloud.__path__
            if os.path.isdir(os.path.join(p, leaf))
        ),
        None,
    )
    if root is None:  # pragma: no cover - broken install
        raise ImportError(f"{distribution} is not installed")
    placeholders = {package: root, subpackage: os.path.join(root, "types")}
    for module_name, path in placeholders.items():
        placeholder = types.ModuleType(module_name)
        placeholder.__path__ = [path]
        sys.modules[module_name] = placeholder
    try:
        for name in names:
            importlib.import_module(f"{subpackage}.{name}")
    except Exception:
        for module_name in placeholders:
            sys.modules.pop(module_name, None)
        for name in names:
            importlib.import_module(f"{subpackage}.{name}")
        return
    for module_name in placeholders:
        sys.modules.pop(module_name, None)
