"""The endpoints routes through HTTP, against the real embedded Vertex, with exact values."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from jupyter_vertex.services.convert import timestamp

from ..seed import Seeder


@pytest.fixture
def vertex_config(emulated: dict[str, Any]) -> dict[str, Any]:
    return emulated


@pytest.fixture
def seeder(emulator: Any, project_id: str) -> Seeder:
    return Seeder(emulator, project_id)


async def test_create_get_list(api: Any, seeder: Seeder, jp_base_url: str) -> None:
    status, created = await api(
        "POST",
        "endpoints",
        body={"displayName": "digits-ep", "description": "serves digits", "labels": {"env": "dev"}},
    )
    assert status == 201
    eid = created["id"]
    assert eid.isdigit()
    # What Vertex itself says about it, read with Google's own client.
    truth = await asyncio.to_thread(seeder.endpoints.get_endpoint, name=created["name"])
    assert created == {
        "name": truth.name,
        "id": eid,
        "displayName": "digits-ep",
        "description": "serves digits",
        "labels": {"env": "dev"},
        "createTime": timestamp(truth.create_time),
        "updateTime": timestamp(truth.update_time),
        "etag": truth.etag or None,
        "deployedModels": [],
        "trafficSplit": {},
    }
    assert created["name"].endswith(f"/locations/us-central1/endpoints/{eid}")
    assert (await api("GET", "endpoints", eid)) == (200, created)
    assert (await api("GET", "endpoints")) == (200, {"endpoints": [created], "nextPageToken": None})


async def test_create_minimal(api: Any) -> None:
    status, created = await api("POST", "endpoints", body={"displayName": "bare"})
    assert status == 201
    assert (created["description"], created["labels"]) == ("", {})


async def test_location_header(jp_fetch: Any, vertex_app: Any, jp_base_url: str) -> None:
    import json

    response = await jp_fetch(
        "jupyter-vertex", "api", "endpoints", method="POST", body=json.dumps({"displayName": "x"})
    )
    assert response.code == 201
    eid = json.loads(response.body)["id"]
    assert response.headers["Location"] == f"{jp_base_url}jupyter-vertex/api/endpoints/{eid}"


async def test_pagination_filter_order(api: Any, seeder: Seeder) -> None:
    for name, team in (("ep-a", "ml"), ("ep-b", "web"), ("ep-c", "ml")):
        await asyncio.to_thread(seeder.create_endpoint, name, labels={"team": team})

    status, first = await api(
        "GET", "endpoints", params={"pageSize": "2", "orderBy": "display_name"}
    )
    assert status == 200
    assert [e["displayName"] for e in first["endpoints"]] == ["ep-a", "ep-b"]
    assert first["nextPageToken"]
    status, second = await api(
        "GET",
        "endpoints",
        params={"pageSize": "2", "orderBy": "display_name", "pageToken": first["nextPageToken"]},
    )
    assert [e["displayName"] for e in second["endpoints"]] == ["ep-c"]
    assert second["nextPageToken"] is None

    status, page = await api(
        "GET", "endpoints", params={"filter": 'labels.team="ml"', "orderBy": "display_name desc"}
    )
    assert [e["displayName"] for e in page["endpoints"]] == ["ep-c", "ep-a"]


async def test_update(api: Any) -> None:
    _, created = await api("POST", "endpoints", body={"displayName": "old", "labels": {"a": "1"}})
    eid = created["id"]
    status, updated = await api(
        "PATCH", "endpoints", eid, body={"displayName": "new", "description": "described"}
    )
    assert status == 200
    assert (updated["displayName"], updated["description"], updated["labels"]) == (
        "new",
        "described",
        {"a": "1"},
    )
    assert updated["createTime"] == created["createTime"]
    assert updated["updateTime"] >= created["updateTime"]
    assert (await api("GET", "endpoints", eid)) == (200, updated)
    status, relabelled = await api("PATCH", "endpoints", eid, body={"labels": {"b": "2"}})
    assert (status, relabelled["labels"], relabelled["displayName"]) == (200, {"b": "2"}, "new")


async def test_delete(api: Any) -> None:
    _, created = await api("POST", "endpoints", body={"displayName": "doomed"})
    eid = created["id"]
    assert await api("DELETE", "endpoints", eid) == (204, None)
    status, body = await api("GET", "endpoints", eid)
    assert (status, body["reason"]) == (404, "NOT_FOUND")
    status, body = await api("DELETE", "endpoints", eid)
    assert (status, body["reason"]) == (404, "NOT_FOUND")
    assert await api("GET", "endpoints") == (200, {"endpoints": [], "nextPageToken": None})


async def test_not_found_shape(api: Any) -> None:
    for method, body in (("GET", None), ("PATCH", {"displayName": "x"}), ("DELETE", None)):
        status, error = await api(method, "endpoints", "987654321", body=body)
        assert status == 404, method
        assert error["reason"] == "NOT_FOUND"
        assert "987654321" in error["message"]
        assert set(error) == {"message", "reason", "hint"}


async def test_user_chosen_endpoint_ids_are_accepted(api: Any, seeder: Seeder) -> None:
    from google.cloud import aiplatform_v1

    def create() -> Any:
        return seeder.endpoints.create_endpoint(
            parent=seeder.parent,
            endpoint=aiplatform_v1.Endpoint(display_name="named"),
            endpoint_id="my-endpoint",
        ).result(timeout=60)

    await asyncio.to_thread(create)
    status, endpoint = await api("GET", "endpoints", "my-endpoint")
    assert (status, endpoint["id"], endpoint["displayName"]) == (200, "my-endpoint", "named")
