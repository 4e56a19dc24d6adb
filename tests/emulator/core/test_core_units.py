"""In-process tests of the building blocks: names, listing, store, operations, protos."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from jupyter_vertex.emulator.core import filters, listing, protos, resources
from jupyter_vertex.emulator.core.errors import ApiError, failed_precondition
from jupyter_vertex.emulator.core.operations import Operations
from jupyter_vertex.emulator.core.routing import compile_template
from jupyter_vertex.emulator.core.store import Store, Tx


def test_project_numbers_are_stable_and_distinct() -> None:
    number = resources.project_number("my-project")
    assert number == resources.project_number("my-project")
    assert len(number) == 12 and number.isdigit()
    assert number != resources.project_number("my-project-2")
    assert resources.project_number("123456789012") == "123456789012"
    with pytest.raises(ApiError) as caught:
        resources.project_number("My_Project")
    assert caught.value.status == "INVALID_ARGUMENT"


def test_timestamps() -> None:
    text = resources.timestamp()
    assert len(text) == len("2024-01-01T00:00:00.000000Z") and text.endswith("Z")
    assert resources.parse_timestamp("2024-01-01T00:00:00Z") == (1704067200, 0)
    assert resources.parse_timestamp("2024-01-01T01:00:00.5+01:00") == (1704067200, 500_000_000)
    assert resources.parse_timestamp("2024-01-01T00:00:00.123456789Z")[1] == 123456789
    with pytest.raises(ValueError):
        resources.parse_timestamp("yesterday")


def test_etags_follow_content() -> None:
    one = resources.etag({"a": 1, "b": [1, 2]})
    assert one == resources.etag({"b": [1, 2], "a": 1, "etag": "ignored"})
    assert one != resources.etag({"a": 2, "b": [1, 2]})


def test_uri_templates_compile_like_http_rules() -> None:
    pattern, variables = compile_template(
        "/v1/{name=projects/*/locations/*/models/*}:deleteVersion"
    )
    assert variables == ["name"]
    found = pattern.match("/v1/projects/p/locations/l/models/12@3:deleteVersion")
    assert found is not None and found.group(1) == "projects/p/locations/l/models/12@3"
    assert pattern.match("/v1/projects/p/locations/l/models/12") is None
    get, _ = compile_template("/v1/{name=projects/*/locations/*/models/*}")
    assert get.match("/v1/projects/p/locations/l/models/12:deleteVersion") is None
    dotted, names = compile_template("/v1/{model.name=projects/*/locations/*/models/*}")
    assert names == ["model.name"]


SPEC = filters.ListSpec(
    filters={
        "display_name": filters.string_field("displayName"),
        "labels": filters.map_field("labels"),
        "create_time": filters.timestamp_field("createTime"),
        "version_aliases": filters.list_field("versionAliases"),
    },
    orders={"display_name": "displayName", "create_time": "createTime"},
)
ITEMS: list[dict[str, Any]] = [
    {
        "name": "n/1",
        "displayName": "a b",
        "labels": {"a key": "v"},
        "createTime": "2024-01-01T00:00:00.000001Z",
        "versionAliases": ["x1"],
    },
    {"name": "n/2", "displayName": "c[1]", "createTime": "2024-01-02T00:00:00Z"},
]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ('labels."a key"=v', ["n/1"]),
        ('display_name="c[1]"', ["n/2"]),
        ('display_name="a*"', ["n/1"]),
        ("version_aliases:x1", ["n/1"]),
        ("version_aliases:*", ["n/1"]),
        ('create_time>"2024-01-01T00:00:00Z"', ["n/1", "n/2"]),
        ('create_time="2024-01-01T00:00:00.000001Z"', ["n/1"]),
        ('create_time<="2024-01-01T00:00:00.000001Z"', ["n/1"]),
        ("display_name='a b' OR display_name='c[1]'", ["n/1", "n/2"]),
        ("NOT (display_name='a b')", ["n/2"]),
    ],
)
def test_filter_evaluation(text: str, names: list[str]) -> None:
    page, _ = listing.list_page(ITEMS, SPEC, scope="s", filter_text=text)
    assert [item["name"] for item in page] == names


def test_order_ties_break_by_name_and_desc_reverses_everything() -> None:
    items = [{"name": f"n/{i}", "displayName": "same"} for i in (3, 1, 2)]
    page, _ = listing.list_page(items, SPEC, scope="s", order_by="display_name")
    assert [i["name"] for i in page] == ["n/1", "n/2", "n/3"]


def test_page_size_is_capped() -> None:
    items = [{"name": f"n/{i:04d}", "createTime": "t"} for i in range(1200)]
    page, token = listing.list_page(items, SPEC, scope="s", page_size=5000)
    assert len(page) == listing.MAX_PAGE_SIZE and token
    page, token = listing.list_page(items, SPEC, scope="s")
    assert len(page) == listing.DEFAULT_PAGE_SIZE


def _run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def test_store_migrations_are_recorded_once(tmp_path: Path) -> None:
    async def open_twice() -> None:
        for _ in range(2):
            store = Store(tmp_path / "db.sqlite3")
            await store.open()
            await store.write(lambda tx: tx.insert("thing", f"t/{tx.now}", "t", {"a": 1}))
            await store.close()

    _run(open_twice())
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        rows = db.execute("SELECT version, description FROM schema_migrations").fetchall()
        assert rows == [(1, "generic resource table")]
        assert db.execute("SELECT COUNT(*) FROM resources").fetchone()[0] == 2


def test_a_failing_transaction_writes_nothing(tmp_path: Path) -> None:
    async def scenario() -> list[dict[str, Any]]:
        store = Store(tmp_path / "db.sqlite3")
        await store.open()

        def half(tx: Tx) -> None:
            tx.insert("thing", "t/1", "t", {"a": 1})
            raise failed_precondition("no")

        with pytest.raises(ApiError):
            await store.write(half)
        found = await store.read(lambda tx: tx.children("thing", "t"))
        await store.close()
        return found

    assert _run(scenario()) == []


def test_operations_finish_later_fail_and_cancel(tmp_path: Path) -> None:
    async def scenario() -> None:
        store = Store(tmp_path / "db.sqlite3")
        await store.open()
        ops = Operations(store, delay=3600)  # only what the test finishes, finishes

        def work(tx: Tx) -> dict[str, Any]:
            tx.insert("thing", "t/1", "t", {})
            return {"done": "yes"}

        started = await ops.run(
            parent="projects/1/locations/l",
            metadata_type="google.cloud.aiplatform.v1.DeleteOperationMetadata",
            response_type="google.protobuf.Empty",
            work=work,
        )
        name = started["name"]
        assert "done" not in started
        assert await store.read(lambda tx: tx.exists("t/1")) is False
        waited = await ops.wait(name, 0.05)
        assert "done" not in waited

        waiter = asyncio.ensure_future(ops.wait(name, 60))
        await asyncio.sleep(0)  # let the waiter register
        await ops.complete(name, "google.protobuf.Empty", {})
        finished = await asyncio.wait_for(waiter, 5)
        assert finished["done"] is True
        assert finished["response"] == {"@type": "type.googleapis.com/google.protobuf.Empty"}
        # a second ending is ignored
        await ops.fail(name, failed_precondition("late"))
        assert (await ops.get(name))["response"]

        other = await ops.run(
            parent="projects/1/locations/l",
            metadata_type="google.cloud.aiplatform.v1.DeleteOperationMetadata",
            response_type="google.protobuf.Empty",
            work=work,
        )
        await ops.fail(other["name"], failed_precondition("it broke"))
        assert (await ops.get(other["name"]))["error"] == {"code": 9, "message": "it broke"}

        hooked: list[str] = []
        third = await ops.run(
            parent="projects/1/locations/l",
            metadata_type="google.cloud.aiplatform.v1.DeleteOperationMetadata",
            response_type="google.protobuf.Empty",
            work=work,
        )
        ops.on_cancel(third["name"], lambda: hooked.append("stopped"))
        await ops.cancel(third["name"])
        assert hooked == ["stopped"]
        cancelled = await ops.get(third["name"])
        assert cancelled["error"]["code"] == 1 and cancelled["done"] is True
        assert await store.read(lambda tx: tx.exists("t/1")) is False
        await ops.close()
        await store.close()

    _run(scenario())


def test_work_errors_end_the_operation_and_roll_back(tmp_path: Path) -> None:
    async def scenario() -> dict[str, Any]:
        store = Store(tmp_path / "db.sqlite3")
        await store.open()
        ops = Operations(store)

        def work(tx: Tx) -> dict[str, Any]:
            tx.insert("thing", "t/1", "t", {})
            raise failed_precondition("not now")

        operation = await ops.run(
            parent="projects/1/locations/l",
            metadata_type="google.cloud.aiplatform.v1.DeleteOperationMetadata",
            response_type="google.protobuf.Empty",
            work=work,
        )
        assert await store.read(lambda tx: tx.exists("t/1")) is False
        await store.close()
        return operation

    operation = _run(scenario())
    assert operation["done"] is True
    assert operation["error"] == {"code": 9, "message": "not now"}


def test_protos_load_only_what_they_need_and_a_full_import_still_works() -> None:
    protos.load()
    request = protos.parse(
        "google.cloud.aiplatform.v1.ListModelsRequest", {"parent": "p", "page_size": "3"}
    )
    assert request == {"parent": "p", "pageSize": 3}
    import google.cloud.aiplatform_v1 as full  # the real package, after the partial load

    assert full.Model.pb().DESCRIPTOR.full_name == "google.cloud.aiplatform.v1.Model"
    rendered = protos.render(
        "google.cloud.aiplatform.v1.Model",
        {"supportedDeploymentResourcesTypes": ["SHARED_RESOURCES"]},
        int_enums=True,
    )
    assert rendered == {"supportedDeploymentResourcesTypes": [3]}


def test_importing_the_package_stays_cheap() -> None:
    import subprocess
    import sys

    code = (
        "import sys, jupyter_vertex.emulator, jupyter_vertex.emulator.core.connection; "
        "print(sorted(m for m in sys.modules if m.startswith(('google.cloud.', 'tornado'))))"
    )
    root = str(Path(__file__).resolve().parents[3])
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True
    )
    assert result.stdout.strip() == "[]"


def test_connection_repr_keeps_the_token_out() -> None:
    from jupyter_vertex.emulator.core.connection import EmulatorConnection

    connection = EmulatorConnection(url="http://127.0.0.1:1", token="s3cret-token")
    assert "s3cret-token" not in repr(connection)
    assert repr(connection).startswith("EmulatorConnection(url='http://127.0.0.1:1', storage_url=")
