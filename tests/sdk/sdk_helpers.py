"""Helpers of the SDK conformance tests."""

from __future__ import annotations

from dataclasses import dataclass

from jupyter_vertex.emulator.testing import EmulatorProcess

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
    """The canonical status in a REST error answer.

    Over REST, google.api_core picks the exception class by HTTP status alone: 400 gives
    ``BadRequest`` for both INVALID_ARGUMENT and FAILED_PRECONDITION, 409 gives ``Conflict``
    for ALREADY_EXISTS and ABORTED. The canonical status is in the answer's body.
    """
    response = getattr(error, "response", None)
    assert response is not None, error
    status: str = response.json()["error"]["status"]
    return status
