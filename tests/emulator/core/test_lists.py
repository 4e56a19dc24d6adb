"""List methods over HTTP: filter, order_by, pagination."""

from __future__ import annotations

from typing import Any

import pytest

from ..emulator_api import Api


@pytest.fixture
def catalogue(api: Api) -> list[dict[str, Any]]:
    """Five models, created in this order."""
    specs = [
        ("churn", {"env": "prod", "team": "a"}),
        ("fraud", {"env": "dev"}),
        ("Churn-v2", {"env": "prod"}),
        ("basket", {}),
        ("churn beta", {"team": "b"}),
    ]
    return [
        api.upload(name, labels=labels) if labels else api.upload(name) for name, labels in specs
    ]


def _names(api: Api, **params: Any) -> list[str]:
    answer = api.ok("GET", f"v1/{api.parent}/models", params=params)
    return [m["displayName"] for m in answer.get("models", [])]


@pytest.mark.parametrize(
    ("filter_text", "expected"),
    [
        ('display_name="churn"', ["churn"]),
        ("display_name=churn", ["churn"]),
        ("displayName='fraud'", ["fraud"]),
        ('display_name!="churn"', ["fraud", "Churn-v2", "basket", "churn beta"]),
        ('display_name="churn*"', ["churn", "churn beta"]),
        ("labels.env=prod", ["churn", "Churn-v2"]),
        ('labels.env="prod" AND labels.team="a"', ["churn"]),
        ("labels.env:*", ["churn", "fraud", "Churn-v2"]),
        ("labels:team", ["churn", "churn beta"]),
        ("labels.env!=prod", ["fraud", "basket", "churn beta"]),
        ("labels.env=dev OR labels.team=b", ["fraud", "churn beta"]),
        # AIP-160: OR binds tighter than AND
        ("labels.env=prod AND display_name=churn OR display_name=Churn-v2", ["churn", "Churn-v2"]),
        ("NOT labels.env:*", ["basket", "churn beta"]),
        ("-labels.env:*", ["basket", "churn beta"]),
        ("(labels.env=prod OR labels.env=dev) labels.team:*", ["churn"]),
        ('labels.env=prod AND NOT display_name="churn"', ["Churn-v2"]),
        ("", ["churn", "fraud", "Churn-v2", "basket", "churn beta"]),
    ],
)
def test_filters(
    api: Api, catalogue: list[dict[str, Any]], filter_text: str, expected: list[str]
) -> None:
    assert _names(api, filter=filter_text) == expected


def test_filter_by_id_and_time(api: Api, catalogue: list[dict[str, Any]]) -> None:
    third = catalogue[2]
    model_id = third["name"].rsplit("/", 1)[1]
    assert _names(api, filter=f"model={model_id}") == ["Churn-v2"]
    created = third["createTime"]
    assert _names(api, filter=f'create_time>="{created}"') == ["Churn-v2", "basket", "churn beta"]
    assert _names(api, filter=f'create_time<"{created}"') == ["churn", "fraud"]


@pytest.mark.parametrize(
    ("filter_text", "needle"),
    [
        ('colour="red"', 'Unsupported field "colour" in filter'),
        ('display_name="x', "unterminated string starting at position 14"),
        ("display_name=", 'expected a value after "=" at the end'),
        ("churn", "free-text search is not supported"),
        ("display_name=a AND", "expected a field name but found nothing at the end"),
        ("(display_name=a", 'expected ")"'),
        ("display_name<a", 'Operator "<" is not supported for field "display_name"'),
        ("create_time>yesterday", "is not an RFC 3339 timestamp"),
        ("labels=prod", "use labels.KEY=VALUE"),
        ("display_name.first=a", 'has no subfield "first"'),
        ("display_name=a)", "unexpected ')' at position 15"),
    ],
)
def test_bad_filters_name_the_problem(
    api: Api, catalogue: list[dict[str, Any]], filter_text: str, needle: str
) -> None:
    message = api.error(
        "GET", f"v1/{api.parent}/models", params={"filter": filter_text}, status="INVALID_ARGUMENT"
    )
    assert needle in message


def test_order_by(api: Api, catalogue: list[dict[str, Any]]) -> None:
    assert _names(api, orderBy="display_name") == [
        "Churn-v2",
        "basket",
        "churn",
        "churn beta",
        "fraud",
    ]
    assert _names(api, orderBy="display_name desc") == [
        "fraud",
        "churn beta",
        "churn",
        "basket",
        "Churn-v2",
    ]
    assert _names(api, orderBy="create_time desc") == [
        "churn beta",
        "basket",
        "Churn-v2",
        "fraud",
        "churn",
    ]
    assert _names(api, orderBy="createTime") == _names(api)
    api.ok(
        "PATCH",
        f"v1/{catalogue[0]['name']}",
        {"name": catalogue[0]["name"], "description": "touched"},
        params={"updateMask": "description"},
    )
    assert _names(api, orderBy="update_time desc")[0] == "churn"


@pytest.mark.parametrize(
    ("order_by", "needle"),
    [
        ("colour", 'Unsupported order_by field "colour"'),
        ("display_name sideways", "must be asc or desc"),
        ("display_name desc extra", "Invalid order_by"),
    ],
)
def test_bad_order_by(api: Api, order_by: str, needle: str) -> None:
    message = api.error(
        "GET", f"v1/{api.parent}/models", params={"orderBy": order_by}, status="INVALID_ARGUMENT"
    )
    assert needle in message


def test_pagination_walks_every_item_once(api: Api, catalogue: list[dict[str, Any]]) -> None:
    seen: list[str] = []
    token = ""
    pages = 0
    while True:
        params: dict[str, Any] = {"pageSize": 2, "orderBy": "display_name"}
        if token:
            params["pageToken"] = token
        answer = api.ok("GET", f"v1/{api.parent}/models", params=params)
        seen += [m["displayName"] for m in answer["models"]]
        pages += 1
        token = answer.get("nextPageToken", "")
        if not token:
            break
    assert pages == 3
    assert seen == ["Churn-v2", "basket", "churn", "churn beta", "fraud"]


def test_pagination_is_stable_under_inserts_and_deletes(
    api: Api, catalogue: list[dict[str, Any]]
) -> None:
    first = api.ok("GET", f"v1/{api.parent}/models", params={"pageSize": 2})
    assert [m["displayName"] for m in first["models"]] == ["churn", "fraud"]
    api.ok("DELETE", f"v1/{catalogue[0]['name']}")  # already answered
    api.ok("DELETE", f"v1/{catalogue[2]['name']}")  # not yet answered
    api.upload("late")
    rest = api.ok(
        "GET",
        f"v1/{api.parent}/models",
        params={"pageSize": 10, "pageToken": first["nextPageToken"]},
    )
    assert [m["displayName"] for m in rest["models"]] == ["basket", "churn beta", "late"]
    assert "nextPageToken" not in rest


def test_page_size_rules(api: Api, catalogue: list[dict[str, Any]]) -> None:
    message = api.error(
        "GET", f"v1/{api.parent}/models", params={"pageSize": -1}, status="INVALID_ARGUMENT"
    )
    assert message == "Invalid page_size: -1 is negative."
    assert len(_names(api, pageSize=5000)) == 5
    assert len(_names(api, pageSize=0)) == 5


def test_page_tokens_are_checked(api: Api, catalogue: list[dict[str, Any]]) -> None:
    for bad in ("garbage", "e30", "eyJrIjoxfQ"):
        message = api.error(
            "GET", f"v1/{api.parent}/models", params={"pageToken": bad}, status="INVALID_ARGUMENT"
        )
        assert message == "Invalid page_token: it was not issued by this list."
    token = api.ok("GET", f"v1/{api.parent}/models", params={"pageSize": 1})["nextPageToken"]
    message = api.error(
        "GET",
        f"v1/{api.parent}/models",
        params={"pageToken": token, "filter": "labels.env:*"},
        status="INVALID_ARGUMENT",
    )
    assert "another parent, filter or order_by" in message
    other = f"projects/{api.project}-x/locations/us-central1"
    api.error("GET", f"v1/{other}/models", params={"pageToken": token}, status="INVALID_ARGUMENT")


def test_list_versions_filters_and_orders(api: Api) -> None:
    model = api.upload("versions", labels={"m": "1"})
    name = model["name"]
    api.upload("versions", parentModel=name, labels={"run": "b"}, versionAliases=["canary"])
    api.upload("versions", parentModel=name, labels={"run": "c"})
    answer = api.ok("GET", f"v1/{name}:listVersions")
    assert [v["versionId"] for v in answer["models"]] == ["1", "2", "3"]
    assert {v["name"] for v in answer["models"]} == {name}
    desc = api.ok("GET", f"v1/{name}:listVersions", params={"orderBy": "create_time desc"})
    assert [v["versionId"] for v in desc["models"]] == ["3", "2", "1"]
    filtered = api.ok("GET", f"v1/{name}:listVersions", params={"filter": "labels.run:*"})
    assert [v["versionId"] for v in filtered["models"]] == ["2", "3"]
    aliased = api.ok("GET", f"v1/{name}:listVersions", params={"filter": "version_aliases:canary"})
    assert [v["versionId"] for v in aliased["models"]] == ["2"]
    paged = api.ok("GET", f"v1/{name}:listVersions", params={"pageSize": 2})
    assert len(paged["models"]) == 2 and paged["nextPageToken"]
    api.error("GET", f"v1/{name}@1:listVersions", status="INVALID_ARGUMENT")
    api.error("GET", f"v1/{api.parent}/models/404:listVersions", status="NOT_FOUND")
