"""Helpers of the SDK conformance tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_vertex.emulator.testing import EmulatorProcess, model_servers

LOCATION = "us-central1"
SKLEARN_IMAGE = "us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest"


@dataclass
class Sdk:
    emu: EmulatorProcess
    project: str
    location: str
    staging_bucket: str

    @property
    def parent(self) -> str:
        return f"projects/{self.project}/locations/{self.location}"


def status_of(error: BaseException) -> str:
    """The canonical status of an error answer, on either transport.

    Over REST, google.api_core picks the exception class by HTTP status alone: 400 gives
    ``BadRequest`` for both INVALID_ARGUMENT and FAILED_PRECONDITION, 409 gives ``Conflict``
    for ALREADY_EXISTS and ABORTED. The canonical status is in the answer's body. Over gRPC
    it is the call's status code.
    """
    response = getattr(error, "response", None)
    assert response is not None, error
    if hasattr(response, "code") and not hasattr(response, "json"):  # a gRPC call
        return str(response.code().name)
    status: str = response.json()["error"]["status"]
    return status


def error_message(error: BaseException) -> str:
    """The embedded Vertex's error message (over REST the SDK's ``message`` adds the method
    and URL; over gRPC it is the status's message as sent)."""
    response = getattr(error, "response", None)
    assert response is not None, error
    if hasattr(response, "details") and not hasattr(response, "json"):  # a gRPC call
        return str(response.details())
    message: str = response.json()["error"]["message"]
    return message


def deploy_one(folder: Path, endpoint: Any, name: str, image: str) -> Any:
    """Upload ``folder`` with ``image`` and deploy it to ``endpoint`` on one replica."""
    from google.cloud import aiplatform

    model = aiplatform.Model.upload(
        display_name=name, artifact_uri=str(folder), serving_container_image_uri=image
    )
    model.deploy(
        endpoint=endpoint, machine_type="n1-standard-2", min_replica_count=1, max_replica_count=1
    )
    return model


def maps_library(pid: int, library: str) -> bool:
    """Whether process ``pid`` has a shared library whose path contains ``library`` loaded."""
    return library in Path(f"/proc/{pid}/maps").read_text()


def server_pids(deployed_id: str) -> list[int]:
    """The model server processes of a deployed model, found in /proc by their env."""
    return list(model_servers(deployed_id))
