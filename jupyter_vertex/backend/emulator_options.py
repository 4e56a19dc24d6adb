"""The embedded Vertex's command-line options that the server's configuration sets.

Only the options configured are passed; the checks are the emulator's own (it refuses the
same with exit code 2), done here first so that the server names the setting at fault.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

__all__ = ["is_executable", "port_range", "instance_args", "training_args"]


def training_args(
    python: str | None, image_python: Mapping[str, str], max_concurrent_jobs: int
) -> list[str]:
    """``--training-python``, ``--image-python PREFIX=PATH``, ``--max-concurrent-jobs``."""
    args: list[str] = []
    if python:
        args += ["--training-python", python]
    for prefix, path in sorted(image_python.items()):
        args += ["--image-python", f"{prefix}={path}"]
    if max_concurrent_jobs > 0:
        args += ["--max-concurrent-jobs", str(max_concurrent_jobs)]
    return args


def instance_args(python: str | None, ports: str | None) -> list[str]:
    """``--instance-python`` and ``--instance-ports`` of Workbench instances."""
    args: list[str] = []
    if python:
        args += ["--instance-python", python]
    if ports:
        args += ["--instance-ports", ports]
    return args


def is_executable(path: str) -> bool:
    """Whether ``path`` is an absolute path to an executable file."""
    return os.path.isabs(path) and os.path.isfile(path) and os.access(path, os.X_OK)


def port_range(text: str) -> str | None:
    """``LOW-HIGH`` normalised (``" 80 - 90"`` → ``"80-90"``), or None if it is not one
    with ``1 <= LOW <= HIGH <= 65535``."""
    match = re.fullmatch(r"(\d{1,5})\s*-\s*(\d{1,5})", text)
    if not match or not 1 <= int(match[1]) <= int(match[2]) <= 65535:
        return None
    return f"{int(match[1])}-{int(match[2])}"
