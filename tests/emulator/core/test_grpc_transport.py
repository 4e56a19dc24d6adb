"""The API over gRPC (issue 16, point 1): Google's generated clients on their default
transport, against a real embedded Vertex, answered by the same routes as HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.api_core import exceptions
from google.oauth2.credentials import Credentials

from jupyter_vertex.emulator import sdk_setup
from jupyter_vertex.emulator.testing import EmulatorProcess

from ..emulator_api import Api

LOCATION = "us-central1"
PREDICTION_COUNT = "aiplatform.googleapis.com/prediction/online/prediction_count"


@pytest.fixture
def trusted(emulator: EmulatorProcess) -> Iterator[EmulatorProcess]:
    """Google's gRPC clients made to trust the embedded Vertex, as init() does; undone after
    (other tests in this worker must reach the hosts they name)."""
    saved = dict(sdk_setup._GRPC)
    cert = Path(emulator.tls_cert).read_bytes()
    sdk_setup.trust_grpc(emulator.grpc_address, cert, emulator.token, emulator.url)
    yield emulator
    sdk_setup._GRPC.clear()
    sdk_setup._GRPC.update(saved)


def _endpoints(emu: EmulatorProcess, token: str | None = None) -> Any:
    from google.cloud.aiplatform_v1.services.endpoint_service import EndpointServiceClient

    return EndpointServiceClient(
        credentials=Credentials(token=token or emu.token),
        client_options={"api_endpoint": emu.grpc_address},
    )


def test_the_gapic_client_on_its_default_transport_creates_lists_updates_and_deletes(
    trusted: EmulatorProcess,
) -> None:
    client = _endpoints(trusted)
    assert client._transport.kind == "grpc"
    parent = f"projects/g-{uuid.uuid4().hex[:10]}/locations/{LOCATION}"
    created = client.create_endpoint(
        parent=parent, endpoint={"display_name": "over grpc", "labels": {"team": "a"}}
    ).result(timeout=30)
    assert created.display_name == "over grpc"
    assert dict(created.labels) == {"team": "a"}
    second = client.create_endpoint(parent=parent, endpoint={"display_name": "second"})
    second.result(timeout=30)
    # page_size travels as a query parameter of the transcoded GET
    pages = client.list_endpoints(
        request={"parent": parent, "page_size": 1, "order_by": "display_name"}
    )
    assert [e.display_name for e in pages] == ["over grpc", "second"]
    assert len(next(iter(pages.pages)).endpoints) == 1
    # a PATCH whose body is one field and whose path comes from inside it
    updated = client.update_endpoint(
        endpoint={"name": created.name, "display_name": "renamed"},
        update_mask={"paths": ["display_name"]},
    )
    assert (updated.name, updated.display_name, dict(updated.labels)) == (
        created.name,
        "renamed",
        {"team": "a"},
    )
    assert client.get_endpoint(name=created.name).display_name == "renamed"
    client.delete_endpoint(name=created.name).result(timeout=30)
    with pytest.raises(exceptions.NotFound) as missing:
        client.get_endpoint(name=created.name)
    assert missing.value.message == f"Endpoint {created.name} not found."


def test_both_transports_serve_the_same_resources(trusted: EmulatorProcess, api: Api) -> None:
    made = api.create_endpoint("made over http")
    fetched = _endpoints(trusted).get_endpoint(name=made["name"])
    assert (fetched.name, fetched.display_name) == (made["name"], "made over http")


def test_errors_carry_googles_status_codes_and_messages(trusted: EmulatorProcess, api: Api) -> None:
    client = _endpoints(trusted)
    body = {"labels": {"team": "a"}}  # no display name
    said_over_http = api.error(
        "POST", f"v1/{api.parent}/endpoints", body, status="INVALID_ARGUMENT"
    )
    with pytest.raises(exceptions.InvalidArgument) as invalid:
        client.create_endpoint(parent=api.parent, endpoint=body).result()
    assert invalid.value.message == said_over_http
    assert "display_name" in said_over_http
    with pytest.raises(exceptions.Unauthenticated) as refused:
        _endpoints(trusted, token="not-the-token").list_endpoints(
            parent=f"projects/p/locations/{LOCATION}"
        )
    assert refused.value.message.startswith("Request is missing required authentication")
    with pytest.raises(exceptions.InvalidArgument) as unbound:
        client.get_endpoint(name="not/a/resource/name")
    assert unbound.value.message == (
        "Invalid google.cloud.aiplatform.v1.GetEndpointRequest: name must name a resource "
        "this method serves."
    )


def test_a_method_no_route_serves_is_unimplemented(trusted: EmulatorProcess) -> None:
    cert = Path(trusted.tls_cert).read_bytes()
    with grpc.secure_channel(trusted.grpc_address, grpc.ssl_channel_credentials(cert)) as channel:
        call = channel.unary_unary("/google.cloud.aiplatform.v1.DatasetService/CreateDataset")
        with pytest.raises(grpc.RpcError) as error:
            call(b"", metadata=[("authorization", f"Bearer {trusted.token}")], timeout=10)
    assert error.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_the_port_speaks_tls_only(trusted: EmulatorProcess) -> None:
    with grpc.insecure_channel(trusted.grpc_address) as channel:
        call = channel.unary_unary("/google.cloud.aiplatform.v1.EndpointService/ListEndpoints")
        with pytest.raises(grpc.RpcError) as error:
            call(b"", timeout=10)
    assert error.value.code() == grpc.StatusCode.UNAVAILABLE


def test_monitoring_logging_and_resource_manager_clients_with_google_hosts_reach_it(
    trusted: EmulatorProcess,
) -> None:
    """Their generated clients on the default transport and Google's default hosts: the
    channel goes to the embedded Vertex once trust_grpc() (init()) has run."""
    from google.cloud import monitoring_v3, resourcemanager_v3
    from google.cloud.logging_v2.services.logging_service_v2 import LoggingServiceV2Client

    credentials = Credentials(token="anything: the embedded Vertex's token is sent")
    project = f"g-{uuid.uuid4().hex[:10]}"
    projects = resourcemanager_v3.ProjectsClient(credentials=credentials)
    assert projects._transport.kind == "grpc"
    found = projects.get_project(name=f"projects/{project}")
    assert found.project_id == project
    assert found.state == resourcemanager_v3.Project.State.ACTIVE
    number = found.name.split("/")[1]
    assert number.isdigit()

    metrics = monitoring_v3.MetricServiceClient(credentials=credentials)
    series = metrics.list_time_series(
        request={
            "name": f"projects/{project}",
            "filter": f'metric.type = "{PREDICTION_COUNT}"',
            "interval": {
                "start_time": {"seconds": 1_700_000_000},
                "end_time": {"seconds": 1_700_000_600},
            },
            "view": monitoring_v3.ListTimeSeriesRequest.TimeSeriesView.FULL,
        }
    )
    assert list(series) == []

    logs = LoggingServiceV2Client(credentials=credentials)
    entries = logs.list_log_entries(request={"resource_names": [f"projects/{project}"]})
    assert list(entries) == []
