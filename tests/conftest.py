"""Shared fixtures: a real embedded Vertex process and a real Jupyter server."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from jupyter_vertex.emulator.testing import EmulatorProcess

pytest_plugins = ("pytest_jupyter.jupyter_server",)

# gRPC clients in this process must survive the forks tests make (a client as another user,
# children with a preexec_fn): without this, set before grpc starts, gRPC's fork handlers
# break live connections (see jupyter_vertex/emulator/__main__.py)
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "0")


@pytest.fixture(scope="session", autouse=True)
def git_stays_in_test_folders(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Git never looks above pytest's temp folder: the temp folder may itself sit inside a
    repository (CI keeps TMPDIR under the checkout), which would turn "not in a repo" into
    the project's own repo. Child git processes inherit this."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path_factory.getbasetemp()))
        # No warm model server in the many short-lived embedded Vertexes (the Jupyter
        # servers' too): each would import a model server's libraries for nothing. The
        # session's embedded Vertex, which most deploys go to, keeps one.
        patch.setenv("JUPYTER_VERTEX_WARM_MODEL_SERVERS", "0")
        yield


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    """One embedded Vertex for the session, as a real subprocess on free ports."""
    from jupyter_vertex.emulator.testing import EmulatorProcess

    data_dir: Path = tmp_path_factory.mktemp("emulator")
    with EmulatorProcess(data_dir=data_dir, extra_args=["--warm-model-servers", "1"]) as emu:
        yield emu


@pytest.fixture
def fake_deployment() -> Callable[..., str]:
    """Record "model version deployed on endpoint" straight in an emulator's store.

    DeployModel belongs to the serving slice; until then this writes the endpoint's
    ``deployedModels`` / ``trafficSplit`` the way Vertex answers them, so the rules that
    depend on deployments (no deleting deployed models, versions or endpoints) can be tested.
    Answers the deployed model id.
    """

    def deploy(
        emu: EmulatorProcess,
        endpoint_name: str,
        model_name: str,
        version_id: str = "1",
        deployed_model_id: str = "1111",
    ) -> str:
        with sqlite3.connect(Path(emu.data_dir) / "vertex.sqlite3", timeout=10) as db:
            (raw,) = db.execute(
                "SELECT data FROM resources WHERE name = ?", (endpoint_name,)
            ).fetchone()
            endpoint = json.loads(raw)
            endpoint.setdefault("deployedModels", []).append(
                {
                    "id": deployed_model_id,
                    "model": model_name,
                    "modelVersionId": version_id,
                    "displayName": "deployed",
                }
            )
            endpoint["trafficSplit"] = {deployed_model_id: 100}
            db.execute(
                "UPDATE resources SET data = ? WHERE name = ?",
                (json.dumps(endpoint), endpoint_name),
            )
        return deployed_model_id

    return deploy
