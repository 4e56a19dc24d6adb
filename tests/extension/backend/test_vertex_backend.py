"""backend = "vertex": discovery → status, clients for {region}-aiplatform.googleapis.com.

No network access to Google: ADC is a fake authorized_user file, the metadata server a
fake on loopback, and clients are built but never called.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jupyter_vertex.backend.discovery import ACCOUNT_ENV_VARS, PROJECT_ENV_VARS, REGION_ENV_VARS

from .fakes import GCE_VALUES, FakeMetadataServer


@pytest.fixture
def metadata_server() -> Iterator[FakeMetadataServer]:
    with FakeMetadataServer(GCE_VALUES).running() as server:
        yield server


@pytest.fixture
def google_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, metadata_server: FakeMetadataServer
) -> Path:
    """Fake ADC (authorized_user), fake metadata server, an empty gcloud config."""
    for name in (*PROJECT_ENV_VARS, *REGION_ENV_VARS, *ACCOUNT_ENV_VARS):
        monkeypatch.delenv(name, raising=False)
    adc = tmp_path / "adc.json"
    adc.write_text(
        json.dumps(
            {
                "type": "authorized_user",
                "client_id": "id.apps.googleusercontent.com",
                "client_secret": "secret",
                "refresh_token": "refresh",
            }
        )
    )
    gcloud = tmp_path / "gcloud"
    (gcloud / "configurations").mkdir(parents=True)
    (gcloud / "configurations" / "config_default").write_text(
        "[core]\naccount = alice@example.com\n"
    )
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(adc))
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(gcloud))
    monkeypatch.setenv("GCE_METADATA_HOST", metadata_server.host)
    return gcloud


@pytest.fixture
def vertex_config(google_env: Path) -> dict[str, Any]:
    return {"backend": "vertex"}


async def test_status_reports_discovered_project_and_region(api: Any) -> None:
    status, body = await api("GET", "status")
    assert status == 200
    assert body == {
        "backend": "vertex",
        "project": "metadata-project",
        "region": "europe-west4",
        "account": "alice@example.com",
        "capabilities": ["models", "endpoints", "training", "instances"],
        "emulator": None,
        "hardware": None,
    }


async def test_clients_target_the_regional_vertex_host(vertex_app: Any) -> None:
    clients = vertex_app.clients
    models = await clients.model_service()
    endpoints = await clients.endpoint_service()
    for client in (models, endpoints):
        assert client.api_endpoint == "europe-west4-aiplatform.googleapis.com"
        assert client.transport.kind == "rest"
        assert type(client.transport._credentials).__module__ == "google.oauth2.credentials"
    assert type(models).__name__ == "ModelServiceClient"
    assert type(endpoints).__name__ == "EndpointServiceClient"
    assert await clients.model_service() is models  # cached
    location = await clients.location()
    assert location.parent == "projects/metadata-project/locations/europe-west4"


@pytest.mark.parametrize("vertex_config", [{"backend": "vertex", "region": "asia-east1"}])
async def test_configured_region_wins(google_env: Path, vertex_app: Any) -> None:
    client = await vertex_app.clients.model_service()
    assert client.api_endpoint == "asia-east1-aiplatform.googleapis.com"


class TestMissingProject:
    @pytest.fixture
    def vertex_config(self, google_env: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
        monkeypatch.setenv("GCE_METADATA_HOST", "127.0.0.1:9")  # nobody there
        return {"backend": "vertex"}

    async def test_status_is_503_configuration_with_the_fix(self, api: Any) -> None:
        status, body = await api("GET", "status")
        assert status == 503
        assert body["reason"] == "CONFIGURATION"
        assert body["message"].startswith("No Google Cloud project is configured")
        assert "c.VertexApp.project = " in body["hint"]
        assert "gcloud config set project " in body["hint"]

    async def test_every_route_says_so(self, api: Any) -> None:
        for method, path, payload in (
            ("GET", ("models",), None),
            ("GET", ("models", "1"), None),
            ("GET", ("endpoints",), None),
            ("POST", ("endpoints",), {"displayName": "x"}),
        ):
            status, body = await api(method, *path, body=payload)
            assert (status, body["reason"]) == (503, "CONFIGURATION"), (method, path)

    async def test_fixing_the_configuration_needs_no_restart(
        self, api: Any, google_env: Path
    ) -> None:
        assert (await api("GET", "status"))[0] == 503
        (google_env / "configurations" / "config_default").write_text(
            "[core]\nproject = fixed-project\n[ai]\nregion = us-east1\n"
        )
        status, body = await api("GET", "status")
        assert status == 200
        assert (body["project"], body["region"]) == ("fixed-project", "us-east1")


@pytest.mark.parametrize("vertex_config", [{"backend": "vertex", "region": "evil.com/x"}])
async def test_a_region_that_is_not_one_is_a_configuration_error(
    google_env: Path, api: Any
) -> None:
    status, body = await api("GET", "status")
    assert (status, body["reason"]) == (503, "CONFIGURATION")
    assert body["message"] == "'evil.com/x' is not a Vertex AI region (from config)."


async def test_training_clients_target_google(vertex_app: Any) -> None:
    clients = vertex_app.clients
    jobs = await clients.job_service()
    pipelines = await clients.pipeline_service()
    for client in (jobs, pipelines):
        assert client.api_endpoint == "europe-west4-aiplatform.googleapis.com"
        assert client.transport.kind == "rest"
    storage = await clients.storage_client()
    assert storage.project == "metadata-project"
    assert storage._connection.API_BASE_URL == "https://storage.googleapis.com"
    logging = await clients.logging_client()
    assert logging.project == "metadata-project"
    assert logging._connection.API_BASE_URL == "https://logging.googleapis.com"
    assert await clients.logging_client() is logging  # cached


async def test_training_needs_a_staging_bucket(api: Any, jp_root_dir: Path) -> None:
    (jp_root_dir / "train.py").write_text("print('hi')\n")
    status, body = await api("POST", "jobs", body={"path": "train.py"})
    assert (status, body["reason"]) == (503, "CONFIGURATION")
    assert body["message"] == (
        "Training and batch prediction on Vertex AI need a Cloud Storage staging bucket."
    )
    assert "c.VertexApp.staging_bucket = 'gs://my-bucket'" in body["hint"]


async def test_batch_prediction_stages_in_the_configured_bucket_only(
    api: Any, vertex_app: Any, jp_root_dir: Path
) -> None:
    (jp_root_dir / "rows.jsonl").write_text("[1, 2]\n")
    status, body = await api(
        "POST", "models", "123", "batchPredictionJobs", body={"input": "rows.jsonl"}
    )
    assert (status, body["reason"]) == (503, "CONFIGURATION")
    assert body["message"] == (
        "Training and batch prediction on Vertex AI need a Cloud Storage staging bucket."
    )
    # a kernel reaches real Vertex AI with Application Default Credentials: no set-up
    assert await vertex_app.clients.kernel_setup() == ""


@pytest.mark.parametrize(
    "vertex_config", [{"backend": "vertex", "staging_bucket": "gs://my-staging"}]
)
async def test_the_configured_staging_bucket_is_used(google_env: Path, vertex_app: Any) -> None:
    assert await vertex_app.clients.staging_bucket() == "gs://my-staging"
