"""backend = "vertex": the instance routes send Google's Notebooks API v2 the same calls.

No network: discovery uses the fake ADC and metadata server of ``test_vertex_backend``;
Google's HTTP answers come from a requests adapter mounted on the client's own session,
which records what the real ``google-cloud-notebooks`` client sends.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
import requests
from requests.adapters import BaseAdapter

from .test_vertex_backend import google_env, metadata_server, vertex_config

__all__ = ["google_env", "metadata_server", "vertex_config"]  # fixtures used here

PARENT = "projects/metadata-project/locations/europe-west4-a"


class Recorder(BaseAdapter):
    """Answers every request with a fixed JSON body and keeps what was sent."""

    def __init__(self, answer: dict[str, Any]) -> None:
        super().__init__()
        self.answer = answer
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, **_: Any) -> requests.Response:
        self.sent.append(request)
        response = requests.Response()
        response.status_code = 200
        response._content = json.dumps(self.answer).encode()
        response.headers["Content-Type"] = "application/json"
        response.request = request
        response.url = request.url or ""
        return response

    def close(self) -> None:
        pass


async def notebooks_client(vertex_app: Any, answer: dict[str, Any]) -> tuple[Any, Recorder]:
    client = await vertex_app.clients.client("google.cloud.notebooks_v2", "NotebookServiceClient")
    credentials = client.transport._credentials
    credentials.token = "fake-access-token"  # no refresh against Google
    credentials.expiry = datetime.datetime.utcnow() + datetime.timedelta(hours=1)
    recorder = Recorder(answer)
    client.transport._session.mount("https://", recorder)
    return client, recorder


async def test_the_notebooks_client_targets_google(vertex_app: Any) -> None:
    client, _ = await notebooks_client(vertex_app, {})
    assert client.api_endpoint == "notebooks.googleapis.com"
    assert client.transport.kind == "rest"
    assert type(client).__name__ == "NotebookServiceClient"


async def test_create_sends_the_instance_to_notebooks_googleapis(api: Any, vertex_app: Any) -> None:
    operation = {
        "name": f"{PARENT}/operations/operation-1",
        "metadata": {
            "@type": "type.googleapis.com/google.cloud.notebooks.v2.OperationMetadata",
            "target": f"{PARENT}/instances/lab",
            "verb": "create",
        },
    }
    _, recorder = await notebooks_client(vertex_app, operation)
    status, answer = await api(
        "POST",
        "instances",
        body={
            "instanceId": "lab",
            "machineType": "g2-standard-8",
            "acceleratorType": "NVIDIA_L4",
            "acceleratorCount": 1,
            "bootDiskSizeGb": 200,
            "postStartupScript": "gs://my-bucket/setup.sh",
            "networkTags": ["notebooks"],
            "serviceAccount": "trainer@metadata-project.iam.gserviceaccount.com",
        },
    )
    assert status == 202
    assert (answer["kind"], answer["target"], answer["done"]) == ("createInstance", "lab", False)
    (sent,) = recorder.sent
    assert sent.method == "POST"
    assert sent.url is not None
    assert sent.url.startswith(f"https://notebooks.googleapis.com/v2/{PARENT}/instances?")
    assert "instanceId=lab" in sent.url
    assert sent.body is not None
    assert json.loads(sent.body) == {
        "gceSetup": {
            "machineType": "g2-standard-8",
            "acceleratorConfigs": [{"type": 13, "coreCount": "1"}],
            "serviceAccounts": [{"email": "trainer@metadata-project.iam.gserviceaccount.com"}],
            "vmImage": {"project": "cloud-notebooks-managed", "family": "workbench-instances"},
            "bootDisk": {"diskSizeGb": "200", "diskType": 3},
            "dataDisks": [{"diskSizeGb": "100", "diskType": 3}],
            "tags": ["notebooks"],
            "metadata": {"post-startup-script": "gs://my-bucket/setup.sh"},
            "gpuDriverConfig": {"enableGpuDriver": True},
        }
    }


@pytest.mark.parametrize("action", ["start", "stop", "reset"])
async def test_actions_post_to_the_instance(api: Any, vertex_app: Any, action: str) -> None:
    operation = {
        "name": f"{PARENT}/operations/operation-2",
        "metadata": {
            "@type": "type.googleapis.com/google.cloud.notebooks.v2.OperationMetadata",
            "target": f"{PARENT}/instances/lab",
            "verb": action,
        },
    }
    _, recorder = await notebooks_client(vertex_app, operation)
    status, answer = await api("POST", "instances", "lab", action)
    assert (status, answer["kind"]) == (202, f"{action}Instance")
    (sent,) = recorder.sent
    assert sent.method == "POST"
    assert sent.url is not None
    assert sent.url.startswith(
        f"https://notebooks.googleapis.com/v2/{PARENT}/instances/lab:{action}"
    )
