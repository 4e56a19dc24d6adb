"""Finding a standalone ``jupyter-vertex-emulator`` (issue 16, point 2): ``init(data_dir=…)``
with no environment, ``init(staging_bucket=…)`` on a fresh data dir, and the ``env``
subcommand's exports."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from google.cloud import aiplatform, storage
from google.cloud.aiplatform import initializer
from sdk_helpers import SKLEARN_IMAGE

import jupyter_vertex.emulator as vertex
from jupyter_vertex.emulator.core.connection import EmulatorConnection
from jupyter_vertex.emulator.core.resources import project_number
from jupyter_vertex.emulator.testing import EmulatorProcess

ENV_KEYS = list(
    EmulatorConnection(
        url="u",
        token="t",
        storage_url="s",
        project="p",
        location="l",
        grpc_address="g",
        tls_cert="c",
    ).to_env()
)


@pytest.fixture(scope="module")
def standalone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    """A standalone embedded Vertex on a fresh data dir (no bucket in its storage)."""
    with EmulatorProcess(data_dir=tmp_path_factory.mktemp("standalone")) as emu:
        yield emu


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No connection in the environment nor in the Jupyter runtime dir."""
    for key in ENV_KEYS:
        monkeypatch.setenv(key, "")  # recorded, so init()'s own setting is undone afterwards
        monkeypatch.delenv(key)
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))


@pytest.mark.usefixtures("no_env")
def test_init_finds_a_standalone_emulator_from_its_data_dir(standalone: EmulatorProcess) -> None:
    connection = vertex.init(project="from-data-dir", data_dir=standalone.data_dir)
    assert (connection.url, connection.storage_url) == (standalone.url, standalone.storage_url)
    assert connection.token == standalone.token
    config = initializer.global_config
    # the SDK's default transport, at the gRPC address connection.json names
    assert connection.grpc_address == standalone.grpc_address
    assert (config.project, config.api_endpoint) == ("from-data-dir", standalone.grpc_address)
    endpoint = aiplatform.Endpoint.create(display_name="found")
    assert endpoint.resource_name.startswith(
        f"projects/{project_number('from-data-dir')}/locations/us-central1/endpoints/"
    )


@pytest.mark.usefixtures("no_env")
def test_init_from_a_data_dir_without_an_emulator_says_how_to_start_one(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError) as refused:
        vertex.init(data_dir=tmp_path)
    assert str(refused.value) == (
        f"No embedded Vertex is running with data dir {tmp_path} (no "
        f"{tmp_path / 'connection.json'}): start one with "
        f"`jupyter-vertex-emulator --data-dir {tmp_path}`."
    )


@pytest.mark.usefixtures("no_env")
def test_init_creates_a_given_staging_bucket(standalone: EmulatorProcess, model_dir: Path) -> None:
    bucket = f"fresh-{uuid.uuid4().hex[:8]}"
    vertex.init(
        project="fresh-project", data_dir=standalone.data_dir, staging_bucket=f"gs://{bucket}"
    )
    assert initializer.global_config.staging_bucket == f"gs://{bucket}"
    client = storage.Client(project="fresh-project")
    created = client.get_bucket(bucket)
    assert str(created.project_number) == project_number("fresh-project")
    assert created.location == "US-CENTRAL1"
    model = aiplatform.Model.upload(
        display_name="fresh", artifact_uri=str(model_dir), serving_container_image_uri=SKLEARN_IMAGE
    )
    assert model.uri.startswith(f"gs://{bucket}/")
    # an existing bucket is used as it is
    vertex.init(data_dir=standalone.data_dir, staging_bucket=f"gs://{bucket}/some/folder")
    assert initializer.global_config.staging_bucket == f"gs://{bucket}/some/folder"


def _env(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-m", "jupyter_vertex.emulator", "env", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_env_prints_the_exports(standalone: EmulatorProcess) -> None:
    assert re.fullmatch(r"[A-Za-z0-9_-]+", standalone.token)  # printed unquoted
    done = _env("--data-dir", str(standalone.data_dir))
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == (
        f"export JUPYTER_VERTEX_EMULATOR_URL={standalone.url}\n"
        f"export JUPYTER_VERTEX_EMULATOR_TOKEN={standalone.token}\n"
        f"export STORAGE_EMULATOR_HOST={standalone.storage_url}\n"
        f"export JUPYTER_VERTEX_EMULATOR_GRPC={standalone.grpc_address}\n"
        f"export JUPYTER_VERTEX_EMULATOR_TLS_CERT={standalone.tls_cert}\n"
    )


def test_env_without_an_emulator_says_so(tmp_path: Path) -> None:
    done = _env("--data-dir", str(tmp_path))
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        f"jupyter-vertex-emulator env: No embedded Vertex is running with data dir {tmp_path} "
        f"(no {tmp_path / 'connection.json'}): start one with "
        f"`jupyter-vertex-emulator --data-dir {tmp_path}`.\n"
    )
