"""Helpers of the embedded Workbench tests: Google's Notebooks client on the embedded Vertex,
creating an instance, its folder, polling with a deadline."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from google.cloud import notebooks_v2
from google.oauth2.credentials import Credentials

from jupyter_vertex.emulator.testing import EmulatorProcess

ZONE = "us-central1-a"


def client_for(emu: EmulatorProcess) -> notebooks_v2.NotebookServiceClient:
    return notebooks_v2.NotebookServiceClient(
        transport="rest",
        client_options={"api_endpoint": emu.url},
        credentials=Credentials(token=emu.token),
    )


def create(
    client: notebooks_v2.NotebookServiceClient,
    parent: str,
    instance_id: str,
    **gce: Any,
) -> Any:
    """Start creating an instance with these ``GceSetup`` fields; answer the operation."""
    return client.create_instance(
        parent=parent,
        instance_id=instance_id,
        instance=notebooks_v2.Instance(gce_setup=notebooks_v2.GceSetup(**gce)),
    )


def folder_of(emu: EmulatorProcess, instance: notebooks_v2.Instance) -> Path:
    _, number, _, zone, _, instance_id = instance.name.split("/")
    return Path(emu.data_dir) / "workbench" / number / zone / instance_id


def wait_for(condition: Callable[[], Any], timeout: float = 60.0) -> Any:
    """Poll ``condition`` until it answers something truthy, or fail at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)
