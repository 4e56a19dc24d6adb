"""A CreatePipelineJob request's spec and parameters, checked before anything runs: values
as the SDK sends them (``parameterValues``) and as older clients do (``parameters``)."""

from __future__ import annotations

from typing import Any

import pytest

from jupyter_vertex.emulator.core.errors import ApiError
from jupyter_vertex.emulator.pipelines.spec import arguments, check_spec

PARAMETERS = {
    "n": {"parameterType": "NUMBER_INTEGER"},
    "rate": {"parameterType": "NUMBER_DOUBLE", "defaultValue": 0.5},
    "flag": {"parameterType": "BOOLEAN", "defaultValue": False},
    "names": {"parameterType": "LIST", "isOptional": True},
    "config": {"parameterType": "STRUCT", "defaultValue": {}},
    "label": {"parameterType": "STRING", "defaultValue": "x"},
}
SPEC = {
    "pipelineInfo": {"name": "p"},
    "root": {"dag": {"tasks": {}}, "inputDefinitions": {"parameters": PARAMETERS}},
    "components": {"comp-a": {}},
    "deploymentSpec": {"executors": {}},
}


def test_values_of_every_type_and_legacy_parameters() -> None:
    given = {"n": 3.0, "rate": 1, "flag": True, "names": ["a"], "config": {"k": 1}}
    assert arguments(check_spec(SPEC), {"parameterValues": given}) == {
        "n": 3,  # JSON numbers arrive as doubles: an integral one is an integer
        "rate": 1,
        "flag": True,
        "names": ["a"],
        "config": {"k": 1},
    }
    legacy = {"n": {"intValue": "7"}, "rate": {"doubleValue": 0.25}, "label": {"stringValue": "y"}}
    assert arguments(SPEC, {"parameters": legacy}) == {"n": 7, "rate": 0.25, "label": "y"}


@pytest.mark.parametrize(
    ("runtime", "message"),
    [
        ({"parameterValues": {"n": 2.5}}, "NUMBER_INTEGER parameter, so an integer; got 2.5"),
        ({"parameterValues": {"n": 1, "flag": "yes"}}, "BOOLEAN parameter, so a boolean"),
        ({"parameterValues": {"n": True}}, "NUMBER_INTEGER parameter, so an integer; got True"),
        ({"parameterValues": {"n": 1, "names": "a"}}, "LIST parameter, so a list"),
        ({"parameters": {"n": {"boolValue": True}}}, "one of stringValue, intValue, doubleValue"),
        ({}, "missing the required parameter 'n' (NUMBER_INTEGER, no default)"),
    ],
)
def test_bad_values_are_refused(runtime: dict[str, Any], message: str) -> None:
    with pytest.raises(ApiError) as refused:
        arguments(SPEC, runtime)
    assert refused.value.status == "INVALID_ARGUMENT"
    assert message in refused.value.message


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({}, "pipeline_job.pipeline_spec is required"),
        ({"pipelineInfo": {"name": "p"}}, "has no root, components, deploymentSpec"),
        ({**SPEC, "root": {"x": 1}}, "has no root.dag"),
        (
            {**SPEC, "root": {"dag": {"tasks": {"a": {"dependentTasks": ["b"]}}}}},
            "tasks[a] depends on unknown task b",
        ),
        (
            {
                **SPEC,
                "root": {
                    "dag": {
                        "tasks": {
                            "a": {"dependentTasks": ["c"]},
                            "b": {"dependentTasks": ["a"]},
                            "c": {"dependentTasks": ["b"]},
                        }
                    }
                },
            },
            "has a cycle: a -> c -> b -> a",
        ),
    ],
)
def test_not_a_pipeline_spec(spec: dict[str, Any], message: str) -> None:
    with pytest.raises(ApiError) as refused:
        check_spec(spec)
    assert message in refused.value.message
