"""Requests generated from Google's discovery documents, for every method the embedded
Vertex serves (the ✓ rows of docs/emulator-coverage.md), against a real emulator process.

Every answer must be Google's: no 5xx, no hang (an answer within REQUEST_TIMEOUT), a JSON
object, and for 4xx the error model ``{"error": {"code", "message", "status"}}`` with a
canonical status matching the HTTP status. A body with a wrong JSON type at some field gets
exactly 400 INVALID_ARGUMENT. After each method's run the emulator still answers, every
listed resource of the test's project can be read, and nothing was started.

Methods that start real work from a valid body (training, pipelines, schedules, bulk
predictions, deploys, Workbench instances) get only bodies with a wrong type somewhere,
which the emulator must refuse before its handler runs: their validation is fuzzed, and the
test checks afterwards that nothing runs. Hostile bodies (deep nesting, 1e400, a 5,000-digit
number, NaN, lone surrogates, invalid UTF-8, duplicate names, not an object) go to every
method that takes a body.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jupyter_vertex.emulator.core.errors import CODES
from jupyter_vertex.emulator.core.routing import Router
from jupyter_vertex.emulator.coverage import not_routed_message
from jupyter_vertex.emulator.discovery import FAMILIES, Method, methods, schema
from jupyter_vertex.emulator.server import all_routes
from jupyter_vertex.emulator.testing import EmulatorProcess

from ..emulator_api import Api
from . import strategies as s

EXAMPLES = 12  # per method: ~90 methods run in about a minute on two cores
REQUEST_TIMEOUT = 30.0  # seconds without an answer that count as a hang

# method id -> why a valid body is not sent (it would start processes)
STARTS_WORK = {
    "aiplatform.projects.locations.customJobs.create": "runs worker pool replicas",
    "aiplatform.projects.locations.trainingPipelines.create": "runs a training job",
    "aiplatform.projects.locations.pipelineJobs.create": "runs pipeline tasks",
    "aiplatform.projects.locations.schedules.create": "starts pipeline runs on a cron",
    "aiplatform.projects.locations.batchPredictionJobs.create": "starts model servers",
    "aiplatform.projects.locations.endpoints.deployModel": "starts model servers",
    "aiplatform.projects.locations.endpoints.mutateDeployedModel": "scales model servers",
    "notebooks.projects.locations.instances.create": "starts a Jupyter server",
}
# Online prediction: bodies are passed on to model servers, not parsed by the emulator.
RAW = {
    "aiplatform.projects.locations.endpoints.predict",
    "aiplatform.projects.locations.endpoints.rawPredict",
}
# The collections whose resources the state check reads, and those that must stay empty.
COLLECTIONS = ("models", "endpoints", "operations")
NOTHING_STARTED = (
    "customJobs",
    "trainingPipelines",
    "pipelineJobs",
    "schedules",
    "batchPredictionJobs",
)


def served() -> list[Method]:
    """The discovery methods a route of the embedded Vertex takes (what the coverage page
    marks ✓; tests/emulator/test_coverage_page.py asks the running process the same)."""
    router = Router(all_routes())
    found = [m for f in FAMILIES for m in methods(f.document)]
    return [m for m in found if router.match(m.http_method, m.probe_path())]


SERVED = served()
WITH_BODY = [m for m in SERVED if m.request]


def _id(method: Method) -> str:
    return f"{method.family}:{method.id}"


@dataclass
class Seeded:
    api: Api
    known: dict[str, list[str]]  # path variable -> ids of resources that exist


@pytest.fixture
def seeded(emulator: EmulatorProcess) -> Seeded:
    """A project of its own with a model and an endpoint, so paths can name real ones."""
    api = Api(emulator, f"fuzz-{uuid.uuid4().hex[:10]}")
    model = api.upload("seed")
    endpoint = api.create_endpoint("seed")
    operations = api.ok("GET", f"v1/{api.parent}/operations").get("operations", [])
    return Seeded(
        api,
        {
            "modelsId": [model["name"].rsplit("/", 1)[1]],
            "endpointsId": [endpoint["name"].rsplit("/", 1)[1]],
            "operationsId": [op["name"].rsplit("/", 1)[1] for op in operations],
        },
    )


def _send(api: Api, request: s.Request) -> requests.Response:
    try:
        return api.session.request(
            request.method,
            api.emu.url + request.target,
            data=request.body,
            headers={
                "Authorization": f"Bearer {api.emu.token}",
                "Content-Type": "application/json",
            },
            timeout=(5, REQUEST_TIMEOUT),
        )
    except requests.Timeout:
        pytest.fail(f"no answer within {REQUEST_TIMEOUT} s (a hang): {request}")


def check_google_answer(request: s.Request, response: requests.Response) -> dict[str, Any]:
    """A JSON object; for 4xx Google's error model with a consistent status."""
    shown = f"{request}\n-> {response.status_code} {response.text[:500]}"
    assert response.status_code < 500, shown
    assert response.headers.get("Content-Type", "").startswith("application/json"), shown
    payload = response.json()
    assert isinstance(payload, dict), shown
    if response.status_code >= 400:
        error = payload.get("error")
        assert isinstance(error, dict) and set(error) == {"code", "message", "status"}, shown
        assert error["code"] == response.status_code, shown
        assert CODES[error["status"]][1] == response.status_code, shown
        assert isinstance(error["message"], str) and error["message"], shown
        assert error["message"] != not_routed_message(request.method, request.path), shown
    return payload


def _request(method: Method, seeded: Seeded) -> st.SearchStrategy[tuple[s.Request, bool]]:
    """A request for ``method`` and whether its body has a wrong type somewhere."""

    @st.composite
    def build(draw: st.DrawFn) -> tuple[s.Request, bool]:
        values = draw(s.path_values(method, seeded.api.project, seeded.known))
        request = s.Request(method.http_method, method.url_path(values), draw(s.query(method)))
        corrupt = False
        if method.request:
            skip = _path_fields(method)
            corrupt = s.corruptible(method.family, method.request, skip) and (
                method.id in STARTS_WORK or draw(st.booleans())
            )
            if corrupt:
                body = draw(s.wrong(method.family, method.request, skip))
            else:
                body = draw(s.valid(method.family, method.request))
            request.body = s.encode(body)
        return request, corrupt and method.id not in RAW

    return build()


def _path_fields(method: Method) -> frozenset[str]:
    """Fields the path sets (``v1/{+name}`` with a Model body: its ``name``). The emulator
    binds path values over the body's before it validates, so a wrong type there is
    replaced, not refused (Google refuses it; a known difference, docs/emulator.md)."""
    return frozenset(re.findall(r"\{\+?([A-Za-z0-9_]+)\}", method.path))


@pytest.mark.parametrize("method", SERVED, ids=_id)
def test_generated_requests_get_google_answers(method: Method, seeded: Seeded) -> None:
    api = seeded.api

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,  # nothing written into the checkout
        derandomize=True,  # the same requests in every run: CI stays reproducible
        suppress_health_check=list(HealthCheck),
    )
    @given(_request(method, seeded))
    def run(drawn: tuple[s.Request, bool]) -> None:
        request, corrupt = drawn
        response = _send(api, request)
        check_google_answer(request, response)
        if corrupt:
            error = response.json().get("error", {})
            shown = f"{request}\n-> {response.status_code} {response.text[:500]}"
            assert (response.status_code, error.get("status")) == (400, "INVALID_ARGUMENT"), shown

    run()
    check_state(api)


def check_state(api: Api) -> None:
    """The emulator answers, every listed resource of the project can be read, and nothing
    was started."""
    assert api.ok("GET", f"v3/projects/{api.project}")["projectId"] == api.project
    for collection in COLLECTIONS + NOTHING_STARTED:
        for item in _list_all(api, f"v1/{api.parent}/{collection}", collection):
            assert api.ok("GET", f"v1/{item['name']}")["name"] == item["name"]
    for collection in NOTHING_STARTED:
        assert _list_all(api, f"v1/{api.parent}/{collection}", collection) == []
    assert _list_all(api, f"v2/{api.parent}/instances", "instances") == []
    for endpoint in _list_all(api, f"v1/{api.parent}/endpoints", "endpoints"):
        assert endpoint.get("deployedModels", []) == [], endpoint


def _list_all(api: Api, path: str, key: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    token = ""
    for _ in range(100):
        page = api.ok("GET", path, params={"pageToken": token} if token else None)
        items += page.get(key, [])
        token = page.get("nextPageToken", "")
        if not token:
            return items
    raise AssertionError(f"{path}: more than 100 pages")


# hostile bodies ------------------------------------------------------------------------------


def _hostile(field: str) -> dict[str, bytes]:
    name = field.encode()
    return {
        "nesting 10,000 deep": b'{"%s": ' % name + b"[" * 10_000 + b"]" * 10_000 + b"}",
        "nesting 101 deep": b'{"%s": ' % name + b'{"a": ' * 100 + b"1" + b"}" * 101,
        "1e400": b'{"%s": 1e400}' % name,
        "NaN": b'{"%s": NaN}' % name,
        "-Infinity": b'{"%s": -Infinity}' % name,
        "5,000 digits": b'{"%s": %s}' % (name, b"9" * 5000),
        "lone surrogate": b'{"%s": "\\ud800"}' % name,
        "lone surrogate in a name": b'{"\\udfff": 1}',
        "surrogate bytes": b'{"%s": "\xed\xa0\x80"}' % name,
        "invalid UTF-8": b'{"%s": "\xff\xfe"}' % name,
        "duplicate names": b'{"%s": "a", "%s": "b"}' % (name, name),
        "an array": b"[1, 2]",
        "a string": b'"text"',
        "null": b"null",
        "truncated": b'{"%s": ' % name,
    }


@pytest.mark.parametrize("method", WITH_BODY, ids=_id)
def test_hostile_bodies_get_invalid_argument(method: Method, seeded: Seeded) -> None:
    api = seeded.api
    assert method.request is not None
    field = (sorted(schema(method.family, method.request).get("properties", {})) or ["x"])[0]
    raw = method.id in RAW
    values = {v: (seeded.known.get(v) or ["1"])[0] for v in method.path_variables}
    values.update(projectsId=api.project, locationsId=s.LOCATION)
    for label, body in _hostile(field).items():
        request = s.Request(method.http_method, method.url_path(values), body=body)
        response = _send(api, request)
        payload = check_google_answer(request, response)
        if raw:
            assert 400 <= response.status_code < 500, (label, response.text[:300])
        else:
            status = (response.status_code, payload["error"]["status"])
            assert status == (400, "INVALID_ARGUMENT"), (label, response.text[:300])
    check_state(api)
