"""The example pipeline (examples/pipeline_train_deploy.py) end to end on the embedded Vertex,
through its own ``run`` (the code its ``main`` runs after ``emulator.init()``): a first run
deploys, a second run with a worse model leaves the endpoint as it was."""

from __future__ import annotations

import importlib.util
import uuid
from pathlib import Path
from typing import Any

import pytest
from google.cloud import aiplatform
from google.cloud.aiplatform import pipeline_jobs as sdk_pipeline_jobs
from sdk_helpers import Sdk
from sklearn.datasets import load_digits

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "pipeline_train_deploy.py"


@pytest.fixture(autouse=True)
def _quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sdk_pipeline_jobs, "_JOB_WAIT_TIME", 0.2)


def _example() -> Any:
    spec = importlib.util.spec_from_file_location("pipeline_train_deploy", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _states(job: Any) -> dict[str, str]:
    return {task.task_name: task.state.name for task in job.task_details}


def _accuracy(job: Any) -> float:
    (task,) = [t for t in job.task_details if t.task_name == "evaluate"]
    value: float = task.execution.metadata["output:Output"]
    return value


def test_deploys_a_better_model_only(sdk: Sdk, tmp_path: Path) -> None:
    example = _example()
    endpoint_name = f"digits-{uuid.uuid4().hex[:8]}"
    package = str(tmp_path / "pipeline.yaml")

    first = example.run(endpoint_name=endpoint_name, package_path=package)
    assert first.state.name == "PIPELINE_STATE_SUCCEEDED"
    states = _states(first)
    assert states["deploy"] == "SUCCEEDED"
    assert states["condition-1"] == "SUCCEEDED"
    (endpoint,) = aiplatform.Endpoint.list(filter=f'display_name="{endpoint_name}"')
    (deployed,) = endpoint.list_models()
    model = aiplatform.Model(deployed.model)
    accuracy = _accuracy(first)
    assert accuracy > 0.9
    assert model.labels["accuracy"] == f"{accuracy:.4f}".replace(".", "_")
    features, target = load_digits(return_X_y=True)
    prediction = endpoint.predict(instances=[features[0].tolist()])
    assert prediction.predictions == [int(target[0])]

    try:
        # 2% of the training rows: a worse model, so the deploy task is not triggered
        second = example.run(endpoint_name=endpoint_name, train_fraction=0.02, package_path=package)
        assert second.state.name == "PIPELINE_STATE_SUCCEEDED"
        assert _accuracy(second) < accuracy
        states = _states(second)
        # the dsl.If around deploy is NOT_TRIGGERED; deploy, inside it, never got a task
        assert states["condition-1"] == "NOT_TRIGGERED"
        assert "deploy" not in states
        assert [m.id for m in endpoint.list_models()] == [deployed.id]
        models = aiplatform.Model.list(filter=f'display_name="{endpoint_name}-model"')
        assert [m.resource_name for m in models] == [model.resource_name]  # none uploaded
    finally:
        endpoint.undeploy_all()
