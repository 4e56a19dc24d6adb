"""Endpoints and long-running operations over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ..emulator_api import Api


def test_create_endpoint_operation_and_resource(api: Api) -> None:
    operation = api.ok(
        "POST",
        f"v1/{api.parent}/endpoints",
        {"displayName": "serve", "description": "d", "labels": {"team": "a"}},
    )
    assert operation["done"] is True
    assert operation["metadata"]["@type"] == (
        "type.googleapis.com/google.cloud.aiplatform.v1.CreateEndpointOperationMetadata"
    )
    endpoint = operation["response"]
    assert endpoint["@type"] == "type.googleapis.com/google.cloud.aiplatform.v1.Endpoint"
    name = endpoint["name"]
    assert operation["name"].startswith(name + "/operations/")
    fetched = api.ok("GET", f"v1/{name}")
    assert {k: v for k, v in endpoint.items() if k != "@type"} == fetched
    assert (fetched["displayName"], fetched["description"], fetched["labels"]) == (
        "serve",
        "d",
        {"team": "a"},
    )
    assert fetched["createTime"] == fetched["updateTime"]
    assert len(fetched["etag"]) == 20


def test_endpoint_ids(api: Api) -> None:
    assert api.create_endpoint("a", endpointId="my-endpoint")["name"].endswith(
        "/endpoints/my-endpoint"
    )
    assert api.create_endpoint("b", endpointId="123456789")["name"].endswith("/endpoints/123456789")
    message = api.error(
        "POST",
        f"v1/{api.parent}/endpoints",
        {"displayName": "c"},
        params={"endpointId": "my-endpoint"},
        status="ALREADY_EXISTS",
    )
    assert message.endswith("/endpoints/my-endpoint already exists.")
    for bad in ("My-endpoint", "1234567890", "0123", "ends-", "a_b", "x" * 64):
        message = api.error(
            "POST",
            f"v1/{api.parent}/endpoints",
            {"displayName": "c"},
            params={"endpointId": bad},
            status="INVALID_ARGUMENT",
        )
        assert message.startswith("Invalid endpoint_id:")
    assert len(api.ok("GET", f"v1/{api.parent}/endpoints")["endpoints"]) == 2


def test_update_endpoint(api: Api) -> None:
    endpoint = api.create_endpoint("before", description="keep", labels={"a": "1"})
    name = endpoint["name"]

    def patch(body: dict[str, Any], mask: str) -> Any:
        return api.call("PATCH", f"v1/{name}", {"name": name, **body}, params={"updateMask": mask})

    updated = patch({"displayName": "after", "description": "ignored"}, "display_name").json()
    assert (updated["displayName"], updated["description"]) == ("after", "keep")
    assert updated["etag"] != endpoint["etag"]
    stale = patch({"displayName": "x", "etag": endpoint["etag"]}, "displayName")
    assert (stale.status_code, stale.json()["error"]["status"]) == (409, "ABORTED")
    for mask, needle in [
        ("deployedModels", '"deployed_models" cannot be updated'),
        ("colour", '"colour" is not a field'),
    ]:
        response = patch({}, mask)
        assert response.status_code == 400 and needle in response.json()["error"]["message"]
    bad_split = patch({"trafficSplit": {"999": 100}}, "traffic_split")
    assert bad_split.status_code == 400
    assert "not the id of a model deployed" in bad_split.json()["error"]["message"]
    labels = patch({"labels": {"b": "2"}}, "labels").json()
    assert labels["labels"] == {"b": "2"} and labels["displayName"] == "after"


def test_traffic_split_must_add_up(api: Api, fake_deployment: Callable[..., str]) -> None:
    model = api.upload("split")
    endpoint = api.create_endpoint("split")
    name = endpoint["name"]
    fake_deployment(api.emu, name, model["name"], "1", "11")
    fake_deployment(api.emu, name, model["name"], "1", "22")

    def patch(split: dict[str, int]) -> Any:
        return api.call(
            "PATCH",
            f"v1/{name}",
            {"name": name, "trafficSplit": split},
            params={"updateMask": "trafficSplit"},
        )

    response = patch({"11": 60, "22": 30})
    assert response.status_code == 400
    assert "must add up to 100" in response.json()["error"]["message"]
    response = patch({"11": 60, "22": 40})
    assert response.status_code == 200
    assert response.json()["trafficSplit"] == {"11": 60, "22": 40}


def test_delete_endpoint(api: Api) -> None:
    endpoint = api.create_endpoint("gone")
    operation = api.ok("DELETE", f"v1/{endpoint['name']}")
    assert operation["done"] is True
    assert operation["metadata"]["@type"].endswith("v1.DeleteOperationMetadata")
    assert operation["response"] == {"@type": "type.googleapis.com/google.protobuf.Empty"}
    api.error("GET", f"v1/{endpoint['name']}", status="NOT_FOUND")
    api.error("DELETE", f"v1/{endpoint['name']}", status="NOT_FOUND")


def test_list_endpoints(api: Api) -> None:
    for name, labels in (("b", {"env": "prod"}), ("a", {}), ("c", {"env": "dev"})):
        api.create_endpoint(name, labels=labels)
    answer = api.ok("GET", f"v1/{api.parent}/endpoints", params={"orderBy": "display_name desc"})
    assert [e["displayName"] for e in answer["endpoints"]] == ["c", "b", "a"]
    answer = api.ok("GET", f"v1/{api.parent}/endpoints", params={"filter": "labels.env:*"})
    assert [e["displayName"] for e in answer["endpoints"]] == ["b", "c"]
    page = api.ok("GET", f"v1/{api.parent}/endpoints", params={"pageSize": 2})
    rest = api.ok(
        "GET",
        f"v1/{api.parent}/endpoints",
        params={"pageSize": 2, "pageToken": page["nextPageToken"]},
    )
    assert [e["displayName"] for e in page["endpoints"] + rest["endpoints"]] == ["b", "a", "c"]


# operations ------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["v1", "ui"])
def test_operations_at_the_client_library_paths(api: Api, prefix: str) -> None:
    endpoint_op = api.ok("POST", f"v1/{api.parent}/endpoints", {"displayName": "ops"})
    endpoint = endpoint_op["response"]["name"]
    delete_op = api.ok("DELETE", f"v1/{endpoint}")
    location = endpoint.rsplit("/endpoints/", 1)[0]
    assert delete_op["name"].startswith(f"{location}/operations/")
    for operation in (endpoint_op, delete_op):
        assert api.ok("GET", f"{prefix}/{operation['name']}") == operation
        waited = api.ok("POST", f"{prefix}/{operation['name']}:wait", params={"timeout": "1s"})
        assert waited == operation
        # cancelling a finished operation changes nothing
        assert api.ok("POST", f"{prefix}/{operation['name']}:cancel") == {}
        assert api.ok("GET", f"{prefix}/{operation['name']}") == operation
    listed = api.ok("GET", f"{prefix}/{location}/operations")["operations"]
    assert [op["name"] for op in listed] == [delete_op["name"]]
    owned = api.ok("GET", f"{prefix}/{endpoint}/operations")["operations"]
    assert [op["name"] for op in owned] == [endpoint_op["name"]]
    done = api.ok("GET", f"{prefix}/{endpoint}/operations", params={"filter": "done=true"})
    assert len(done["operations"]) == 1
    assert api.ok("GET", f"{prefix}/{endpoint}/operations", params={"filter": "done=false"}) == {}
    assert api.ok("DELETE", f"{prefix}/{delete_op['name']}") == {}
    api.error("GET", f"{prefix}/{delete_op['name']}", status="NOT_FOUND")
    api.error("POST", f"{prefix}/{delete_op['name']}:cancel", status="NOT_FOUND")


def test_model_operations(api: Api) -> None:
    model = api.upload("ops")
    listed = api.ok("GET", f"v1/{model['name']}/operations")["operations"]
    assert len(listed) == 1
    assert listed[0]["response"]["model"] == model["name"]
    api.error("GET", f"v1/{model['name']}/operations/123", status="NOT_FOUND")
    message = api.error(
        "POST",
        f"v1/{listed[0]['name']}:wait",
        params={"timeout": "soon"},
        status="INVALID_ARGUMENT",
    )
    assert "timeout" in message
