"""Shared fixtures: a real embedded Vertex process and a real Jupyter server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest_plugins = ("pytest_jupyter.jupyter_server",)


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator["EmulatorProcess"]:  # noqa: F821
    """One embedded Vertex for the session, as a real subprocess on free ports."""
    from jupyter_vertex.emulator.testing import EmulatorProcess

    data_dir: Path = tmp_path_factory.mktemp("emulator")
    with EmulatorProcess(data_dir=data_dir) as emu:
        yield emu
