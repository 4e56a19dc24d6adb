"""Start-up ends by freezing what the warm-up imported (Google's client library, jupyter_server):
later full garbage collections skip those long-lived objects instead of stopping the event
loop for ~200 ms each (docs/performance.md)."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from jupyter_vertex.app import VertexApp


@pytest.fixture
def vertex_config(emulated: dict[str, Any]) -> dict[str, Any]:
    return emulated


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()  # whatever an earlier test's server froze
    yield


async def test_start_up_freezes_the_long_lived_objects_once_warm(
    unfrozen: None, vertex_app: VertexApp
) -> None:
    await vertex_app._warm_up
    assert "google.cloud.aiplatform_v1" in sys.modules
    assert gc.get_freeze_count() > 100_000  # the server and the client library, not a few
