"""Endpoints, long-running operations and the init() helper through the real SDK."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from google.api_core import exceptions
from google.auth.exceptions import RefreshError
from google.cloud import aiplatform
from google.oauth2.credentials import Credentials
from sdk_helpers import SKLEARN_IMAGE, Sdk, status_of

import jupyter_vertex.emulator as vertex
from jupyter_vertex.emulator.core.connection import EmulatorConnection
from jupyter_vertex.emulator.testing import EmulatorProcess


def test_endpoint_lifecycle(sdk: Sdk) -> None:
    endpoint = aiplatform.Endpoint.create(
        display_name="serving", description="d", labels={"env": "dev"}
    )
    name = endpoint.resource_name
    assert name.startswith("projects/") and "/endpoints/" in name
    resource = endpoint.gca_resource
    assert (resource.display_name, resource.description, resource.labels) == (
        "serving",
        "d",
        {"env": "dev"},
    )
    assert endpoint.traffic_split == {}
    assert endpoint.list_models() == []
    by_name = aiplatform.Endpoint(name)
    assert by_name.display_name == "serving"
    by_id = aiplatform.Endpoint(name.split("/")[-1])
    assert by_id.resource_name == name
    endpoint.update(display_name="renamed", labels={"env": "prod"})
    fresh = aiplatform.Endpoint(name)
    assert (fresh.display_name, fresh.gca_resource.description, fresh.labels) == (
        "renamed",
        "d",
        {"env": "prod"},
    )
    fresh.update(description="new")
    assert aiplatform.Endpoint(name).gca_resource.description == "new"
    endpoint.delete()
    with pytest.raises(exceptions.NotFound):
        aiplatform.Endpoint(name).display_name  # noqa: B018 - fetches lazily


def test_list_endpoints(sdk: Sdk) -> None:
    for display_name, env in (("b", "prod"), ("a", "dev"), ("c", "prod")):
        aiplatform.Endpoint.create(display_name=display_name, labels={"env": env})
    assert [e.display_name for e in aiplatform.Endpoint.list()] == ["b", "a", "c"]
    prod = aiplatform.Endpoint.list(filter='labels.env="prod"', order_by="display_name")
    assert [e.display_name for e in prod] == ["b", "c"]
    assert aiplatform.Endpoint.list(project=f"{sdk.project}-other") == []


def test_endpoint_ids_and_errors(sdk: Sdk) -> None:
    endpoint = aiplatform.Endpoint.create(display_name="named", endpoint_id="my-endpoint")
    assert endpoint.resource_name.endswith("/endpoints/my-endpoint")
    with pytest.raises(exceptions.Conflict) as caught:
        aiplatform.Endpoint.create(display_name="again", endpoint_id="my-endpoint")
    assert status_of(caught.value) == "ALREADY_EXISTS"
    with pytest.raises(exceptions.BadRequest) as caught:
        aiplatform.Endpoint.create(display_name="bad", endpoint_id="Bad_Id")
    assert status_of(caught.value) == "INVALID_ARGUMENT"
    assert "endpoint_id" in caught.value.message
    with pytest.raises(exceptions.NotFound):
        aiplatform.Endpoint("404").display_name  # noqa: B018
    with pytest.raises(exceptions.NotFound):
        aiplatform.Endpoint("my-endpoint", location="europe-west4").display_name  # noqa: B018


@pytest.fixture(scope="module")
def slow_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    """Operations finish 0.3 s after they start, so the SDK has to poll them."""
    with EmulatorProcess(
        tmp_path_factory.mktemp("slow"),
        extra_args=["--operation-delay", "0.3", "--log-level", "DEBUG"],
    ) as emu:
        yield emu


@pytest.mark.parametrize("transport", ["grpc", "rest"])
def test_the_sdk_polls_operations_that_finish_later(
    slow_emulator: EmulatorProcess, model_dir: Path, monkeypatch: pytest.MonkeyPatch, transport: str
) -> None:
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", slow_emulator.storage_url)
    connection = slow_emulator.connection(project=f"polling-{transport}", location="us-central1")
    for key, value in connection.to_env().items():
        monkeypatch.setenv(key, value)
    vertex.init(api_transport=transport)
    endpoint = aiplatform.Endpoint.create(display_name="eventually")
    assert endpoint.display_name == "eventually"
    model = aiplatform.Model.upload(
        display_name="eventually",
        artifact_uri=str(model_dir),
        serving_container_image_uri=SKLEARN_IMAGE,
    )
    assert model.version_id == "1"
    endpoint.delete()
    assert aiplatform.Endpoint.list() == []
    if transport == "grpc":  # google.longrunning.Operations/GetOperation, transcoded
        return
    # over REST the client libraries poll at the /ui/ twins of the operation paths
    log = (slow_emulator.data_dir / "emulator.log").read_text()
    for owner in ("endpoints", "models"):
        assert re.search(
            rf"200 GET /ui/projects/\d+/locations/us-central1/{owner}/\w+/operations/", log
        )
    assert re.search(r"200 GET /ui/projects/\d+/locations/us-central1/operations/\d+", log)


# the init() helper ----------------------------------------------------------------------


def test_init_uses_the_environment(sdk: Sdk, model_dir: Path) -> None:
    from google.cloud.aiplatform import initializer

    config = initializer.global_config
    assert (config.project, config.location) == (sdk.project, sdk.location)
    # the SDK's default transport, gRPC, at the embedded Vertex's gRPC address
    assert (config.api_endpoint, config._api_transport) == (sdk.emu.grpc_address, "grpc")
    assert sdk.staging_bucket == f"gs://{sdk.project}-vertex-staging-{sdk.location}"
    # its staging bucket works for any number of local uploads in one process
    for _ in range(2):
        model = aiplatform.Model.upload(
            display_name="twice",
            artifact_uri=str(model_dir),
            serving_container_image_uri=SKLEARN_IMAGE,
        )
        assert model.uri.startswith(sdk.staging_bucket + "/")


def test_init_reads_the_runtime_dir_file(
    emulator: EmulatorProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in EmulatorConnection(
        url="u", token="t", storage_url="s", project="p", location="l"
    ).to_env():
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))
    emulator.connection(project="from-file", location="europe-west4").write(
        tmp_path / "jupyter_vertex_emulator.json"
    )
    assert (tmp_path / "jupyter_vertex_emulator.json").stat().st_mode & 0o777 == 0o600
    connection = vertex.init()
    assert connection.url == emulator.url
    from google.cloud.aiplatform import initializer

    assert (initializer.global_config.project, initializer.global_config.location) == (
        "from-file",
        "europe-west4",
    )
    endpoint = aiplatform.Endpoint.create(display_name="file")
    assert "/locations/europe-west4/" in endpoint.resource_name
    assert json.loads((tmp_path / "jupyter_vertex_emulator.json").read_text())["token"] == (
        emulator.token
    )


def test_init_without_an_emulator_says_how_to_get_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in EmulatorConnection(
        url="u", token="t", storage_url="s", project="p", location="l"
    ).to_env():
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))
    with pytest.raises(RuntimeError, match="JUPYTER_VERTEX_EMULATOR_URL"):
        vertex.init()


def test_plain_sdk_init_works_too(emulator: EmulatorProcess) -> None:
    aiplatform.init(
        project="plain-init",
        location="us-central1",
        api_endpoint=emulator.url,
        api_transport="rest",
        credentials=Credentials(token=emulator.token),
    )
    endpoint = aiplatform.Endpoint.create(display_name="plain")
    assert aiplatform.Endpoint(endpoint.resource_name).display_name == "plain"
    # A 401 makes google-auth try to refresh the credentials; a bare token cannot be
    # refreshed, so the SDK raises RefreshError (as it would against Google).
    aiplatform.init(credentials=Credentials(token="wrong"))
    with pytest.raises(RefreshError):
        aiplatform.Endpoint.list()
