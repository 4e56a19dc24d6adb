"""The models routes through HTTP, against the real embedded Vertex, with exact values.

Models are seeded with Google's own GAPIC client (and a real scikit-learn artifact in
the emulator's local Cloud Storage); each test has a project of its own.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from jupyter_vertex.services.convert import timestamp

from ..seed import CUSTOM_IMAGE, SKLEARN_IMAGE, Seeder


@pytest.fixture
def vertex_config(emulated: dict[str, Any]) -> dict[str, Any]:
    return emulated


@pytest.fixture
def seeder(emulator: Any, project_id: str) -> Seeder:
    return Seeder(emulator, project_id)


def model_id(model: Any) -> str:
    return str(model.name.rsplit("/", 1)[-1])


async def test_list_get_with_exact_values(api: Any, seeder: Seeder, project_id: str) -> None:
    artifact = await asyncio.to_thread(seeder.upload_artifact, f"{project_id}-models", "digits")
    seeded = await asyncio.to_thread(
        seeder.upload_model,
        "digits",
        image=SKLEARN_IMAGE,
        artifact_uri=artifact,
        labels={"team": "ml"},
        description="Handwritten digits",
        version_description="first",
    )
    status, page = await api("GET", "models")
    assert status == 200
    expected = {
        "name": seeded.name,
        "id": model_id(seeded),
        "displayName": "digits",
        "description": "Handwritten digits",
        "versionId": "1",
        "versionAliases": ["default"],
        "versionDescription": "first",
        "versionCreateTime": timestamp(seeded.version_create_time),
        "versionUpdateTime": timestamp(seeded.version_update_time),
        "createTime": timestamp(seeded.create_time),
        "updateTime": timestamp(seeded.update_time),
        "labels": {"team": "ml"},
        "artifactUri": artifact,
        "containerImageUri": SKLEARN_IMAGE,
        "framework": "sklearn",
        "deployedModels": [],
        "etag": seeded.etag,
        "provenance": None,
    }
    assert page == {"models": [expected], "nextPageToken": None}
    assert seeded.name.endswith(f"/locations/us-central1/models/{expected['id']}")
    assert expected["createTime"] is not None

    status, model = await api("GET", "models", expected["id"])
    assert (status, model) == (200, expected)
    status, model = await api("GET", "models", f"{expected['id']}@1")
    assert (status, model) == (200, expected)
    status, model = await api("GET", "models", f"{expected['id']}@default")
    assert (status, model) == (200, expected)


async def test_empty_list(api: Any) -> None:
    assert await api("GET", "models") == (200, {"models": [], "nextPageToken": None})


async def test_pagination_visits_every_model_once(api: Any, seeder: Seeder) -> None:
    names = [f"model-{i}" for i in range(5)]
    for name in names:
        await asyncio.to_thread(seeder.upload_model, name)
    seen: list[str] = []
    sizes: list[int] = []
    token = None
    while True:
        params = {"pageSize": "2", **({"pageToken": token} if token else {})}
        status, page = await api("GET", "models", params=params)
        assert status == 200
        sizes.append(len(page["models"]))
        seen += [m["displayName"] for m in page["models"]]
        token = page["nextPageToken"]
        if token is None:
            break
    assert sizes == [2, 2, 1]
    assert sorted(seen) == names


async def test_filter_and_order(api: Any, seeder: Seeder) -> None:
    await asyncio.to_thread(seeder.upload_model, "alpha", labels={"team": "ml"})
    await asyncio.to_thread(seeder.upload_model, "beta", labels={"team": "web"})
    await asyncio.to_thread(seeder.upload_model, "gamma", labels={"team": "ml"})

    async def names(**params: str) -> list[str]:
        status, page = await api("GET", "models", params=params)
        assert status == 200, page
        return [m["displayName"] for m in page["models"]]

    assert await names(filter='display_name="beta"') == ["beta"]
    assert sorted(await names(filter='labels.team="ml"')) == ["alpha", "gamma"]
    assert await names(orderBy="display_name") == ["alpha", "beta", "gamma"]
    assert await names(orderBy="display_name desc") == ["gamma", "beta", "alpha"]
    assert await names(filter='labels.team="ml"', orderBy="display_name desc") == [
        "gamma",
        "alpha",
    ]


async def test_bad_filter_is_400_from_vertex(api: Any) -> None:
    status, body = await api("GET", "models", params={"filter": "display_name=>>"})
    assert status == 400
    assert body["reason"] == "INVALID_ARGUMENT"
    assert body["message"]


async def test_versions(api: Any, seeder: Seeder) -> None:
    first = await asyncio.to_thread(seeder.upload_model, "digits", version_description="v1")
    parent = first.name
    second = await asyncio.to_thread(
        seeder.upload_model,
        "digits",
        parent_model=parent,
        version_aliases=["candidate"],
        version_description="v2",
    )
    mid = model_id(first)
    assert second.version_id == "2"

    status, page = await api("GET", "models", mid, "versions")
    assert status == 200
    versions = {m["versionId"]: m for m in page["models"]}
    assert sorted(versions) == ["1", "2"]
    assert versions["1"]["versionAliases"] == ["default"]
    assert versions["2"]["versionAliases"] == ["candidate"]
    assert versions["2"]["versionDescription"] == "v2"
    assert {m["id"] for m in page["models"]} == {mid}
    assert page["nextPageToken"] is None

    status, page = await api("GET", "models", mid, "versions", params={"pageSize": "1"})
    assert (status, len(page["models"])) == (200, 1)
    assert page["nextPageToken"]
    status, rest = await api(
        "GET",
        "models",
        mid,
        "versions",
        params={"pageSize": "1", "pageToken": page["nextPageToken"]},
    )
    assert {page["models"][0]["versionId"], rest["models"][0]["versionId"]} == {"1", "2"}
    assert rest["nextPageToken"] is None

    # The model itself is its default version; @2 and @candidate name the new one.
    assert (await api("GET", "models", mid))[1]["versionId"] == "1"
    assert (await api("GET", "models", f"{mid}@2"))[1]["versionDescription"] == "v2"
    assert (await api("GET", "models", f"{mid}@candidate"))[1]["versionId"] == "2"


async def test_update(api: Any, seeder: Seeder) -> None:
    seeded = await asyncio.to_thread(seeder.upload_model, "before", labels={"a": "1"})
    mid = model_id(seeded)
    status, updated = await api(
        "PATCH",
        "models",
        mid,
        body={"displayName": "after", "description": "now described", "labels": {"b": "2"}},
    )
    assert status == 200
    assert (updated["displayName"], updated["description"], updated["labels"]) == (
        "after",
        "now described",
        {"b": "2"},
    )
    assert updated["id"] == mid
    assert updated["updateTime"] >= timestamp(seeded.update_time)
    assert updated["etag"] != seeded.etag
    status, fetched = await api("GET", "models", mid)
    assert (status, fetched) == (200, updated)

    # Only the given fields change.
    status, relabelled = await api("PATCH", "models", mid, body={"labels": {}})
    assert (status, relabelled["labels"], relabelled["displayName"]) == (200, {}, "after")


async def test_delete(api: Any, seeder: Seeder) -> None:
    seeded = await asyncio.to_thread(seeder.upload_model, "doomed")
    mid = model_id(seeded)
    assert await api("DELETE", "models", mid) == (204, None)
    status, body = await api("GET", "models", mid)
    assert (status, body["reason"]) == (404, "NOT_FOUND")
    status, body = await api("DELETE", "models", mid)
    assert (status, body["reason"]) == (404, "NOT_FOUND")
    assert await api("GET", "models") == (200, {"models": [], "nextPageToken": None})


async def test_delete_one_version(api: Any, seeder: Seeder) -> None:
    first = await asyncio.to_thread(seeder.upload_model, "digits")
    mid = model_id(first)
    await asyncio.to_thread(seeder.upload_model, "digits", parent_model=first.name)
    assert await api("DELETE", "models", f"{mid}@2") == (204, None)
    status, page = await api("GET", "models", mid, "versions")
    assert [m["versionId"] for m in page["models"]] == ["1"]
    status, body = await api("GET", "models", f"{mid}@2")
    assert (status, body["reason"]) == (404, "NOT_FOUND")


async def test_deleting_the_default_version_is_a_409(api: Any, seeder: Seeder) -> None:
    first = await asyncio.to_thread(seeder.upload_model, "digits")
    mid = model_id(first)
    await asyncio.to_thread(seeder.upload_model, "digits", parent_model=first.name)
    status, body = await api("DELETE", "models", f"{mid}@1")
    assert status == 409
    assert body["reason"] == "FAILED_PRECONDITION"
    assert "default version" in body["message"]
    assert set(body) == {"message", "reason", "hint"}


async def test_not_found_shape(api: Any, project_id: str) -> None:
    status, body = await api("GET", "models", "123456789")
    assert status == 404
    assert body["reason"] == "NOT_FOUND"
    assert "123456789" in body["message"]
    assert body["hint"] is None
    status, body = await api("GET", "models", "123456789", "versions")
    assert (status, body["reason"]) == (404, "NOT_FOUND")
    status, body = await api("PATCH", "models", "123456789", body={"displayName": "x"})
    assert (status, body["reason"]) == (404, "NOT_FOUND")


async def test_custom_image_framework(api: Any, seeder: Seeder) -> None:
    await asyncio.to_thread(seeder.upload_model, "cpr")
    status, page = await api("GET", "models")
    model = page["models"][0]
    assert (model["containerImageUri"], model["framework"], model["artifactUri"]) == (
        CUSTOM_IMAGE,
        "custom",
        None,
    )
