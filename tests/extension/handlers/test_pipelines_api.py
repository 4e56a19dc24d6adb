"""Vertex AI Pipelines through the extension's HTTP API on the embedded Vertex: a ``.py`` of
the Jupyter root compiled by kfp in a child process, its parameters previewed (names, types,
defaults) with the SDK code, run with values, followed to SUCCEEDED (tasks with inputs,
outputs and artifacts; the DAG's nodes, edges and states), re-run with another value, listed,
deleted; a compiled YAML with caching off; cancel of a running pipeline; each bad input's
exact 4xx."""

from __future__ import annotations

import runpy
import uuid
from pathlib import Path
from typing import Any

import pytest

from .serving_helpers import FIRST_WAIT, poll

ENDED = {"SUCCEEDED", "FAILED", "CANCELLED"}

PIPELINE_PY = """
from kfp import dsl


@dsl.component(base_image="python:3.11", install_kfp_package=False)
def add(a: int, b: int) -> int:
    return a + b


@dsl.component(base_image="python:3.11", install_kfp_package=False)
def shout(text: str, times: int, out: dsl.Output[dsl.Dataset]) -> str:
    with open(out.path, "w") as handle:
        handle.write(text.upper() * times)
    return text.upper()


@dsl.component(base_image="python:3.11", install_kfp_package=False)
def nap(seconds: float) -> None:
    import time

    time.sleep(seconds)


@dsl.pipeline(name="adder")
def adder(a: int, text: str = "hi", ratio: float = 0.5, loud: bool = True) -> None:
    total = add(a=a, b=2)
    shout(text=text, times=total.output)


@dsl.pipeline(name="napper")
def napper(seconds: float = 300.0) -> None:
    nap(seconds=seconds)
"""


@pytest.fixture
def vertex_config(emulated: dict[str, Any]) -> dict[str, Any]:
    return emulated


@pytest.fixture
def pipeline_py(jp_root_dir: Path) -> str:
    (jp_root_dir / "flows").mkdir()
    (jp_root_dir / "flows" / "adder.py").write_text(PIPELINE_PY)
    return "flows/adder.py"


async def _wait(api: Any, job_id: str, done: Any, what: str) -> dict[str, Any]:
    async def fetch() -> dict[str, Any]:
        status, job = await api("GET", "pipelineJobs", job_id)
        assert status == 200, job
        return dict(job)

    seen = await poll(what, fetch, done, FIRST_WAIT)
    return dict(seen[-1])


def _by_name(job: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["taskName"]: t for t in job["tasks"] if t["parentTaskId"]}


async def test_py_previewed_run_followed_rerun_listed_deleted(
    api: Any, pipeline_py: str, project_id: str
) -> None:
    status, preview = await api(
        "POST", "pipelines", "preview", body={"path": pipeline_py, "pipeline": "adder"}
    )
    assert status == 200, preview
    assert preview["pipelineName"] == "adder"
    assert preview["pipelines"] == ["adder", "napper"]
    assert preview["pipeline"] == "adder"
    assert preview["parameters"] == [
        {"name": "a", "type": "integer", "optional": False},
        {"name": "loud", "type": "boolean", "optional": True, "default": True},
        {"name": "ratio", "type": "number", "optional": True, "default": 0.5},
        {"name": "text", "type": "string", "optional": True, "default": "hi"},
    ]
    root = f"gs://{project_id}-vertex-staging-us-central1/pipeline-root"
    assert preview["pipelineRoot"] == root
    assert "compiler.Compiler().compile(adder, 'adder.yaml')" in preview["code"]
    assert "template_path='adder.yaml'" in preview["code"]

    body = {"path": pipeline_py, "pipeline": "adder", "parameterValues": {"a": 3, "text": "yo"}}
    status, created = await api("POST", "pipelineJobs", body=body)
    assert status == 201, created
    assert "parameter_values={'a': 3, 'text': 'yo'}" in created["code"]
    job_id = created["job"]["id"]
    assert created["job"]["pipelineRoot"] == root
    job = await _wait(api, job_id, lambda j: j["state"] in ENDED, "the run")
    assert job["state"] == "SUCCEEDED", job
    tasks = _by_name(job)
    assert tasks["add"]["inputs"] == {"a": 3, "b": 2}
    assert tasks["add"]["outputs"] == {"Output": 5}
    assert tasks["shout"]["inputs"] == {"text": "yo", "times": 5}
    assert tasks["shout"]["outputs"] == {"Output": "YO"}
    [artifact] = tasks["shout"]["outputArtifacts"]
    assert artifact["name"] == "out" and artifact["type"] == "system.Dataset"
    assert artifact["uri"].startswith(f"{root}/")
    graph = job["graph"]
    assert sorted((n["id"], n["state"]) for n in graph["nodes"]) == [
        ("add", "SUCCEEDED"),
        ("shout", "SUCCEEDED"),
    ]
    assert graph["edges"] == [{"source": "add", "target": "shout"}]
    assert [p["name"] for p in job["parameters"]] == ["a", "loud", "ratio", "text"]

    status, again = await api(
        "POST", "pipelineJobs", job_id, "rerun", body={"parameterValues": {"a": 10}}
    )
    assert status == 201, again
    assert again["job"]["parameterValues"] == {"a": 10, "text": "yo"}
    second = await _wait(api, again["job"]["id"], lambda j: j["state"] in ENDED, "the re-run")
    assert second["state"] == "SUCCEEDED", second
    assert _by_name(second)["add"]["outputs"] == {"Output": 12}

    status, listed = await api("GET", "pipelineJobs")
    assert status == 200, listed
    assert [j["id"] for j in listed["pipelineJobs"]] == [second["id"], job_id]
    assert "tasks" not in listed["pipelineJobs"][0]
    status, succeeded = await api("GET", "pipelineJobs", params={"state": "SUCCEEDED"})
    assert len(succeeded["pipelineJobs"]) == 2

    status, _ = await api("DELETE", "pipelineJobs", job_id)
    assert status == 204
    status, gone = await api("GET", "pipelineJobs", job_id)
    assert status == 404 and gone["reason"] == "NOT_FOUND"


async def test_compiled_yaml_runs_with_caching_off(api: Any, jp_root_dir: Path) -> None:
    from kfp import compiler

    source = jp_root_dir / "adder_src.py"
    source.write_text(PIPELINE_PY)
    namespace = runpy.run_path(str(source))
    compiler.Compiler().compile(namespace["adder"], str(jp_root_dir / "adder.yaml"))

    status, preview = await api("POST", "pipelines", "preview", body={"path": "adder.yaml"})
    assert status == 200, preview
    assert preview["pipelines"] == [] and preview["pipeline"] is None
    assert "template_path='adder.yaml'" in preview["code"]
    assert "compiler" not in preview["code"]
    body = {"path": "adder.yaml", "parameterValues": {"a": 1}, "enableCaching": False}
    status, created = await api("POST", "pipelineJobs", body=body)
    assert status == 201, created
    assert "enable_caching=False" in created["code"]
    job = await _wait(api, created["job"]["id"], lambda j: j["state"] in ENDED, "the run")
    assert job["state"] == "SUCCEEDED", job
    assert _by_name(job)["add"]["outputs"] == {"Output": 3}


async def test_long_pipeline_name_gives_a_reachable_run(api: Any, jp_root_dir: Path) -> None:
    """Vertex AI allows PipelineJob ids up to 128 characters; the id made from a long
    pipeline name (over 63) is created and read back."""
    name = "a-pipeline-with-a-name-long-enough-to-pass-sixty-three-characters"
    (jp_root_dir / "long.py").write_text(PIPELINE_PY.replace('name="adder"', f'name="{name}"'))
    body = {"path": "long.py", "pipeline": "adder", "parameterValues": {"a": 1}}
    status, created = await api("POST", "pipelineJobs", body=body)
    assert status == 201, created
    job_id = created["job"]["id"]
    assert job_id.startswith(f"{name}-") and len(job_id) > 63
    job = await _wait(api, job_id, lambda j: j["state"] in ENDED, "the run")
    assert job["state"] == "SUCCEEDED", job
    status, _ = await api("DELETE", "pipelineJobs", job_id)
    assert status == 204


async def test_cancel_of_a_running_pipeline(api: Any, pipeline_py: str) -> None:
    body = {"path": pipeline_py, "pipeline": "napper"}
    status, created = await api("POST", "pipelineJobs", body=body)
    assert status == 201, created
    job_id = created["job"]["id"]
    await _wait(
        api,
        job_id,
        lambda j: any(t["taskName"] == "nap" and t["state"] == "RUNNING" for t in j["tasks"]),
        "the nap task running",
    )
    status, cancelling = await api("POST", "pipelineJobs", job_id, "cancel")
    assert status == 200, cancelling
    assert cancelling["state"] in {"CANCELLING", "CANCELLED"}
    job = await _wait(api, job_id, lambda j: j["state"] in ENDED, "the cancel")
    assert job["state"] == "CANCELLED"


NOT_A_SPEC = "pipelineInfo: {name: x}\nsomething: else\n"
NO_PIPELINE = "from kfp import dsl\nX = 1\n"
BROKEN = "def broken(:\n"


@pytest.mark.parametrize(
    ("files", "body", "status", "reason", "words"),
    [
        ({}, {"path": "../adder.py"}, 400, "INVALID_ARGUMENT", "without '..'"),
        ({}, {"path": "missing.yaml"}, 404, "NOT_FOUND", "no file 'missing.yaml'"),
        ({"notes.txt": "x"}, {"path": "notes.txt"}, 400, "INVALID_ARGUMENT", "neither"),
        ({"x.yaml": NOT_A_SPEC}, {"path": "x.yaml"}, 400, "INVALID_ARGUMENT", "not a compiled"),
        ({"x.json": "{"}, {"path": "x.json"}, 400, "INVALID_ARGUMENT", "cannot be parsed"),
        ({"x.py": NO_PIPELINE}, {"path": "x.py"}, 400, "INVALID_ARGUMENT", "no @dsl.pipeline"),
        ({"x.py": BROKEN}, {"path": "x.py"}, 400, "INVALID_ARGUMENT", "SyntaxError"),
        ({"x.py": PIPELINE_PY}, {"path": "x.py"}, 400, "INVALID_ARGUMENT", "several"),
        (
            {"x.py": PIPELINE_PY},
            {"path": "x.py", "pipeline": "nope"},
            400,
            "INVALID_ARGUMENT",
            "no pipeline 'nope'",
        ),
        (
            {"x.py": PIPELINE_PY},
            {"path": "x.py", "pipeline": "adder", "pipelineRoot": "/tmp/x"},
            400,
            "INVALID_ARGUMENT",
            "not a gs:// URI",
        ),
    ],
)
async def test_bad_pipeline_files(
    api: Any,
    jp_root_dir: Path,
    files: dict[str, str],
    body: dict[str, Any],
    status: int,
    reason: str,
    words: str,
) -> None:
    for name, text in files.items():
        (jp_root_dir / name).write_text(text)
    for route in (("pipelines", "preview"), ("pipelineJobs",)):
        got, error = await api("POST", *route, body=body)
        assert (got, error["reason"]) == (status, reason), error
        assert words in error["message"], error
    got, listed = await api("GET", "pipelineJobs")
    assert listed["pipelineJobs"] == []


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({}, "is missing the required parameter 'a' (NUMBER_INTEGER, no default)"),
        ({"a": 1, "nope": 2}, "the pipeline has no parameter 'nope'"),
        ({"a": "three"}, "parameter_values[a]: NUMBER_INTEGER parameter, so an integer"),
    ],
)
async def test_bad_parameter_values(
    api: Any, pipeline_py: str, values: dict[str, Any], words: str
) -> None:
    body = {"path": pipeline_py, "pipeline": "adder", "parameterValues": values}
    status, error = await api("POST", "pipelineJobs", body=body)
    assert (status, error["reason"]) == (400, "INVALID_ARGUMENT"), error
    assert words in error["message"], error
    _, listed = await api("GET", "pipelineJobs")
    assert listed["pipelineJobs"] == []


async def test_unknown_job_is_404(api: Any) -> None:
    unknown = f"nope-{uuid.uuid4().hex[:6]}"
    for method, path in (("GET", ()), ("POST", ("cancel",)), ("DELETE", ())):
        status, error = await api(method, "pipelineJobs", unknown, *path)
        assert (status, error["reason"]) == (404, "NOT_FOUND"), error
