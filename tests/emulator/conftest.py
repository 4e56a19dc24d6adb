"""Raw-HTTP fixtures for the embedded Vertex's own tests."""

from __future__ import annotations

import uuid

import pytest

from jupyter_vertex.emulator.testing import EmulatorProcess

from .emulator_api import Api


@pytest.fixture
def api(emulator: EmulatorProcess) -> Api:
    return Api(emulator, f"p-{uuid.uuid4().hex[:12]}")
