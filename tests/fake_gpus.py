"""A fake ``nvidia-smi`` for tests of the honest-hardware path on machines without GPUs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from jupyter_vertex.emulator.testing import EmulatorProcess

GPU_NAME = "NVIDIA H100 80GB HBM3"
FAKE_LIST = "\n".join(
    f"GPU {i}: {GPU_NAME} (UUID: GPU-0000000{i}-aaaa-bbbb-cccc-dddddddddddd)" for i in range(4)
)


def fake_nvidia_smi(folder: Path) -> Path:
    """An ``nvidia-smi`` in ``folder`` whose ``-L`` lists four H100s, as the real one does."""
    folder.mkdir(parents=True, exist_ok=True)
    fake = folder / "nvidia-smi"
    fake.write_text(f'#!/bin/sh\n[ "$1" = "-L" ] || exit 9\ncat <<"EOF"\n{FAKE_LIST}\nEOF\n')
    fake.chmod(0o755)
    return fake


@contextmanager
def emulator_with_gpus(folder: Path) -> Iterator[EmulatorProcess]:
    """A real embedded Vertex that finds the fake ``nvidia-smi`` first on its PATH."""
    tools = fake_nvidia_smi(folder / "tools").parent
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
        emulator = EmulatorProcess(folder / "vertex").start()
    try:
        yield emulator
    finally:
        emulator.stop()
