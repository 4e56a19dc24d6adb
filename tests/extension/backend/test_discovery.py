"""Discovery of project/region/account for real Vertex AI, with fakes only (no network)."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from jupyter_vertex.backend.discovery import (
    DEFAULT_REGION,
    Discovery,
    MetadataClient,
    read_gcloud_properties,
)
from jupyter_vertex.errors import ConfigurationError

from .fakes import GCE_VALUES, FakeCredentials, FakeMetadataServer


def no_adc() -> tuple[None, None]:
    from google.auth.exceptions import DefaultCredentialsError

    raise DefaultCredentialsError("Your default credentials were not found.")


def adc(project: str | None = None, email: str | None = None) -> Any:
    calls: list[int] = []

    def loader() -> tuple[FakeCredentials, str | None]:
        calls.append(1)
        return FakeCredentials(email), project

    loader.calls = calls  # type: ignore[attr-defined]
    return loader


def unreachable_metadata() -> MetadataClient:
    # A loopback port nobody listens on: refused at once.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return MetadataClient(host=f"127.0.0.1:{port}", timeout=0.2)


def write_gcloud(root: Path, name: str, text: str, active: str | None = None) -> Path:
    (root / "configurations").mkdir(parents=True, exist_ok=True)
    (root / "configurations" / f"config_{name}").write_text(text)
    if active is not None:
        (root / "active_config").write_text(active + "\n")
    return root


def test_explicit_config_wins_over_everything(tmp_path: Path) -> None:
    env = {"GOOGLE_CLOUD_PROJECT": "env-project", "CLOUD_ML_REGION": "asia-east1"}
    found = Discovery(
        project="conf-project",
        region="europe-west1",
        env=env,
        adc_loader=adc("adc-project", "me@example.com"),
        metadata=unreachable_metadata(),
    ).discover()
    assert (found.project, found.region, found.account) == (
        "conf-project",
        "europe-west1",
        "me@example.com",
    )
    assert (found.project_source, found.region_source) == ("config", "config")


@pytest.mark.parametrize(
    ("env", "project", "source"),
    [
        ({"GOOGLE_CLOUD_PROJECT": "a", "GCLOUD_PROJECT": "b"}, "a", "env:GOOGLE_CLOUD_PROJECT"),
        ({"GCLOUD_PROJECT": "b", "CLOUD_ML_PROJECT_ID": "c"}, "b", "env:GCLOUD_PROJECT"),
        ({"CLOUD_ML_PROJECT_ID": "c"}, "c", "env:CLOUD_ML_PROJECT_ID"),
        ({"CLOUDSDK_CORE_PROJECT": "d"}, "d", "env:CLOUDSDK_CORE_PROJECT"),
    ],
)
def test_project_from_environment(
    tmp_path: Path, env: dict[str, str], project: str, source: str
) -> None:
    env = {**env, "CLOUDSDK_CONFIG": str(tmp_path / "none")}
    found = Discovery(env=env, adc_loader=no_adc, metadata=unreachable_metadata()).discover()
    assert (found.project, found.project_source) == (project, source)


@pytest.mark.parametrize(
    ("env", "region"),
    [
        ({"CLOUD_ML_REGION": "europe-west4", "GOOGLE_CLOUD_REGION": "x"}, "europe-west4"),
        ({"GOOGLE_CLOUD_REGION": "us-east1"}, "us-east1"),
        ({"GOOGLE_CLOUD_LOCATION": "asia-northeast1"}, "asia-northeast1"),
        ({"CLOUDSDK_AI_REGION": "us-west1"}, "us-west1"),
    ],
)
def test_region_from_environment(tmp_path: Path, env: dict[str, str], region: str) -> None:
    env = {**env, "GOOGLE_CLOUD_PROJECT": "p", "CLOUDSDK_CONFIG": str(tmp_path)}
    found = Discovery(env=env, adc_loader=no_adc, metadata=unreachable_metadata()).discover()
    assert found.region == region


def test_gcloud_configuration_files(tmp_path: Path) -> None:
    write_gcloud(
        tmp_path,
        "work",
        "[core]\nproject = gcloud-project\naccount = alice@example.com\n\n"
        "[compute]\nregion = us-east4\n\n[ai]\nregion = europe-west2\n",
        active="work",
    )
    write_gcloud(tmp_path, "default", "[core]\nproject = wrong\n")
    env = {"CLOUDSDK_CONFIG": str(tmp_path)}
    found = Discovery(
        env=env, adc_loader=adc("adc-project"), metadata=unreachable_metadata()
    ).discover()
    assert (found.project, found.region, found.account) == (
        "gcloud-project",
        "europe-west2",  # ai/region wins over compute/region, as for `gcloud ai`
        "alice@example.com",
    )
    assert (found.project_source, found.region_source) == ("gcloud", "gcloud")


def test_gcloud_active_config_from_environment(tmp_path: Path) -> None:
    write_gcloud(tmp_path, "work", "[core]\nproject = from-work\n", active="work")
    write_gcloud(tmp_path, "other", "[core]\nproject = from-other\n[compute]\nregion = r1\n")
    env = {"CLOUDSDK_CONFIG": str(tmp_path), "CLOUDSDK_ACTIVE_CONFIG_NAME": "other"}
    props = read_gcloud_properties(env)
    assert props == {"core/project": "from-other", "compute/region": "r1"}


def test_gcloud_config_in_home(tmp_path: Path) -> None:
    write_gcloud(tmp_path / ".config" / "gcloud", "default", "[core]\nproject = home-p\n")
    assert read_gcloud_properties({"HOME": str(tmp_path)}) == {"core/project": "home-p"}


def test_gcloud_config_name_cannot_escape(tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("[core]\nproject = leaked\n")
    env = {"CLOUDSDK_CONFIG": str(tmp_path), "CLOUDSDK_ACTIVE_CONFIG_NAME": "../secret"}
    assert read_gcloud_properties(env) == {}


def test_adc_project_and_service_account(tmp_path: Path) -> None:
    loader = adc("adc-project", "sa@adc-project.iam.gserviceaccount.com")
    found = Discovery(
        env={"CLOUDSDK_CONFIG": str(tmp_path)}, adc_loader=loader, metadata=unreachable_metadata()
    ).discover()
    assert (found.project, found.region, found.account) == (
        "adc-project",
        DEFAULT_REGION,
        "sa@adc-project.iam.gserviceaccount.com",
    )
    assert (found.project_source, found.region_source) == ("adc", "default")


def test_real_google_auth_with_an_authorized_user_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """google.auth.default() itself, on a fake authorized_user file (no network)."""
    creds = tmp_path / "adc.json"
    creds.write_text(
        json.dumps(
            {
                "type": "authorized_user",
                "client_id": "id.apps.googleusercontent.com",
                "client_secret": "secret",
                "refresh_token": "refresh",
            }
        )
    )
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(creds))
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "file-project")
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    found = Discovery(metadata=unreachable_metadata()).discover()
    assert found.project == "file-project"
    assert type(found.credentials).__module__ == "google.oauth2.credentials"


def test_metadata_server(tmp_path: Path) -> None:
    fake = FakeMetadataServer(GCE_VALUES)
    with fake.running():
        from google.auth.compute_engine import Credentials as GceCredentials

        def gce_adc() -> tuple[object, None]:
            return GceCredentials(), None

        found = Discovery(
            env={"CLOUDSDK_CONFIG": str(tmp_path)},
            adc_loader=gce_adc,
            metadata=MetadataClient(host=fake.host, timeout=2),
        ).discover()
    assert (found.project, found.region, found.account) == (
        "metadata-project",
        "europe-west4",
        "vm-sa@metadata-project.iam.gserviceaccount.com",
    )
    assert (found.project_source, found.region_source) == ("metadata", "metadata")


def test_metadata_without_google_flavor_is_ignored(tmp_path: Path) -> None:
    fake = FakeMetadataServer(GCE_VALUES, flavor=None)
    with fake.running():
        discovery = Discovery(
            env={"CLOUDSDK_CONFIG": str(tmp_path)},
            adc_loader=no_adc,
            metadata=MetadataClient(host=fake.host, timeout=2),
        )
        with pytest.raises(ConfigurationError):
            discovery.discover()
    assert fake.requests == ["/computeMetadata/v1/project/project-id"]


def test_missing_project_is_a_configuration_error_with_the_fix(tmp_path: Path) -> None:
    discovery = Discovery(
        env={"CLOUDSDK_CONFIG": str(tmp_path)}, adc_loader=no_adc, metadata=unreachable_metadata()
    )
    with pytest.raises(ConfigurationError) as info:
        discovery.discover()
    error = info.value
    assert (error.status_code, error.reason) == (503, "CONFIGURATION")
    assert "default credentials were not found" in error.message
    assert error.hint is not None
    for fix in (
        "c.VertexApp.project = ",
        "gcloud config set project ",
        "GOOGLE_CLOUD_PROJECT",
        "gcloud auth application-default login",
    ):
        assert fix in error.hint


def test_unreachable_metadata_fails_fast_and_is_remembered() -> None:
    client = unreachable_metadata()
    start = time.monotonic()
    assert client.get("project/project-id") is None
    assert client.get("instance/zone") is None
    assert time.monotonic() - start < 1.0


def test_success_is_cached_failure_is_not(tmp_path: Path) -> None:
    env: dict[str, str] = {"CLOUDSDK_CONFIG": str(tmp_path)}
    loader = adc(None)
    discovery = Discovery(env=env, adc_loader=loader, metadata=unreachable_metadata())
    with pytest.raises(ConfigurationError):
        discovery.discover()
    env["GOOGLE_CLOUD_PROJECT"] = "fixed"
    assert discovery.discover().project == "fixed"
    assert discovery.discover().project == "fixed"
    assert len(loader.calls) == 2


def test_adc_failure_is_remembered_briefly(tmp_path: Path) -> None:
    calls: list[int] = []

    def failing() -> tuple[None, None]:
        calls.append(1)
        return no_adc()

    env: dict[str, str] = {"CLOUDSDK_CONFIG": str(tmp_path)}
    discovery = Discovery(env=env, adc_loader=failing, metadata=unreachable_metadata())
    for _ in range(3):
        with pytest.raises(ConfigurationError):
            discovery.discover()
    env["GOOGLE_CLOUD_PROJECT"] = "p"  # the cheap sources are read again at once
    assert discovery.discover().project == "p"
    assert len(calls) == 1
