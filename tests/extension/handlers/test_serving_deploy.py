"""Deploy, operations, traffic split and undeploy through the extension's HTTP API, against
the real embedded Vertex (real model server processes), with exact values."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest
from sklearn.datasets import load_digits

from ..seed import Seeder
from .serving_helpers import FIRST_WAIT, digits_model_dir, poll, upload_digits

FEATURES, _ = load_digits(return_X_y=True)


@pytest.fixture(scope="module")
def module_project() -> str:
    return f"deploy-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def project_id(module_project: str) -> str:
    return module_project


@pytest.fixture
def vertex_config(emulated: dict[str, Any]) -> dict[str, Any]:
    return emulated


@pytest.fixture(scope="module")
def digits(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    return digits_model_dir(tmp_path_factory.mktemp("digits"))


@pytest.fixture
def seeder(emulator: Any, module_project: str) -> Seeder:
    return Seeder(emulator, module_project)


async def _finished(api: Any, operation: dict[str, Any]) -> dict[str, Any]:
    async def fetch() -> dict[str, Any]:
        status, body = await api("GET", "operations", params={"name": operation["name"]})
        assert status == 200, body
        return body  # type: ignore[no-any-return]

    seen = await poll("the operation", fetch, lambda op: op["done"], FIRST_WAIT)
    return seen[-1]


async def test_deploy_predict_split_undeploy(
    api: Any, seeder: Seeder, digits: tuple[Any, Path]
) -> None:
    classifier, folder = digits
    first = await asyncio.to_thread(upload_digits, seeder, folder, "digits-a")
    second = await asyncio.to_thread(upload_digits, seeder, folder, "digits-b")
    first_id = first.name.rsplit("/", 1)[1].partition("@")[0]
    second_id = second.name.rsplit("/", 1)[1].partition("@")[0]

    # A new endpoint, then DeployModel answered at once.
    status, operation = await api(
        "POST",
        "models",
        first_id,
        "deploy",
        body={"endpointDisplayName": "digits-ep", "machineType": "n1-standard-2"},
    )
    assert status == 202, operation
    assert operation["kind"] == "deploy" and operation["error"] is None
    endpoint_id = operation["target"]
    assert f"/endpoints/{endpoint_id}/operations/" in operation["name"]
    assert operation["metadata"]["@type"].endswith(".DeployModelOperationMetadata")
    done = await _finished(api, operation)
    assert done["error"] is None and done["kind"] == "deploy"
    deployed_a = done["result"]["deployedModelId"]

    status, endpoint = await api("GET", "endpoints", endpoint_id)
    assert status == 200
    assert endpoint["displayName"] == "digits-ep"
    assert endpoint["deployedModels"] == [
        {
            "id": deployed_a,
            "model": first.name.partition("@")[0],
            "modelVersionId": "1",
            "displayName": "digits-a",
            "machineType": "n1-standard-2",
            "acceleratorType": None,
            "acceleratorCount": 0,
        }
    ]
    assert endpoint["trafficSplit"] == {deployed_a: 100}
    truth = await asyncio.to_thread(seeder.endpoints.get_endpoint, name=endpoint["name"])
    resources = truth.deployed_models[0].dedicated_resources
    assert resources.machine_spec.machine_type == "n1-standard-2"
    assert (resources.min_replica_count, resources.max_replica_count) == (1, 1)

    # Predictions equal the in-process model's.
    rows = FEATURES[:5]
    status, prediction = await api(
        "POST", "endpoints", endpoint_id, "predict", body={"instances": rows.tolist()}
    )
    assert status == 200, prediction
    assert prediction == {
        "predictions": classifier.predict(rows).tolist(),
        "deployedModelId": deployed_a,
        "model": first.name.partition("@")[0],
        "modelDisplayName": "digits-a",
        "modelVersionId": "1",
    }

    # A second model with 30%: the first keeps the rest, as the SDK shares it.
    status, operation = await api(
        "POST",
        "models",
        second_id,
        "deploy",
        body={
            "endpointId": endpoint_id,
            "deployedModelDisplayName": "challenger",
            "trafficPercentage": 30,
        },
    )
    assert status == 202, operation
    deployed_b = (await _finished(api, operation))["result"]["deployedModelId"]
    status, endpoint = await api("GET", "endpoints", endpoint_id)
    assert endpoint["trafficSplit"] == {deployed_a: 70, deployed_b: 30}
    assert [d["displayName"] for d in endpoint["deployedModels"]] == ["digits-a", "challenger"]

    # Change the split; a split that does not add up to 100 changes nothing.
    status, endpoint = await api(
        "PUT",
        "endpoints",
        endpoint_id,
        "trafficSplit",
        body={"trafficSplit": {deployed_a: 0, deployed_b: 100}},
    )
    assert status == 200, endpoint
    assert endpoint["trafficSplit"] == {deployed_a: 0, deployed_b: 100}
    status, error = await api(
        "PUT",
        "endpoints",
        endpoint_id,
        "trafficSplit",
        body={"trafficSplit": {deployed_a: 60, deployed_b: 50}},
    )
    assert (status, error["reason"]) == (400, "INVALID_ARGUMENT")
    assert error["message"] == "Field 'trafficSplit': the percentages add up to 110, not 100."
    status, error = await api(
        "PUT", "endpoints", endpoint_id, "trafficSplit", body={"trafficSplit": {"42": 100}}
    )
    assert (status, error["reason"]) == (400, "INVALID_ARGUMENT")
    assert error["message"] == (
        f"Field 'trafficSplit': 42 is not a model deployed to endpoint {endpoint_id} "
        f"(deployed: {deployed_a}, {deployed_b})."
    )
    status, prediction = await api(
        "POST", "endpoints", endpoint_id, "predict", body={"instances": rows.tolist()}
    )
    assert (status, prediction["deployedModelId"]) == (200, deployed_b)

    # The model with all the traffic cannot leave while another remains.
    status, error = await api("DELETE", "endpoints", endpoint_id, "deployedModels", deployed_b)
    assert (status, error["reason"]) == (409, "FAILED_PRECONDITION")
    assert error["message"] == (
        f"Deployed model {deployed_b} receives 100% of endpoint {endpoint_id}'s traffic; "
        "undeploying it would leave the other models none."
    )

    # Undeploy: the other model keeps serving, then nothing is deployed.
    await api(
        "PUT",
        "endpoints",
        endpoint_id,
        "trafficSplit",
        body={"trafficSplit": {deployed_a: 20, deployed_b: 80}},
    )
    status, operation = await api("DELETE", "endpoints", endpoint_id, "deployedModels", deployed_b)
    assert (status, operation["kind"], operation["target"]) == (202, "undeploy", endpoint_id)
    assert (await _finished(api, operation))["error"] is None
    status, endpoint = await api("GET", "endpoints", endpoint_id)
    assert [d["id"] for d in endpoint["deployedModels"]] == [deployed_a]
    assert endpoint["trafficSplit"] == {deployed_a: 100}
    status, prediction = await api(
        "POST", "endpoints", endpoint_id, "predict", body={"instances": rows.tolist()}
    )
    assert (status, prediction["deployedModelId"]) == (200, deployed_a)

    status, operation = await api("DELETE", "endpoints", endpoint_id, "deployedModels", deployed_a)
    assert status == 202
    assert (await _finished(api, operation))["error"] is None
    status, endpoint = await api("GET", "endpoints", endpoint_id)
    assert (endpoint["deployedModels"], endpoint["trafficSplit"]) == ([], {})

    # Undeploying what is not deployed.
    status, error = await api("DELETE", "endpoints", endpoint_id, "deployedModels", deployed_a)
    assert (status, error["reason"]) == (404, "NOT_FOUND")
    assert error["message"] == (
        f"Deployed model {deployed_a} is not deployed to endpoint {endpoint_id} "
        "(nothing is deployed)."
    )
    assert (await api("DELETE", "endpoints", endpoint_id))[0] == 204


async def test_refused_deploys_leave_nothing_behind(
    api: Any, seeder: Seeder, digits: tuple[Any, Path]
) -> None:
    _, folder = digits
    model = await asyncio.to_thread(upload_digits, seeder, folder, "digits-refused")
    model_id = model.name.rsplit("/", 1)[1].partition("@")[0]
    foreign = await asyncio.to_thread(
        seeder.upload_model,
        "foreign",
        image="example.com/custom/server:1",
        artifact_uri=model.artifact_uri,
    )
    foreign_id = foreign.name.rsplit("/", 1)[1].partition("@")[0]
    status, before = await api("GET", "endpoints")

    cases: list[tuple[str, dict[str, Any], int, str, str]] = [
        (
            model_id,
            {
                "machineType": "n1-standard-4",
                "acceleratorType": "NVIDIA_TESLA_A100",
                "acceleratorCount": 1,
            },
            400,
            "INVALID_ARGUMENT",
            "Field 'acceleratorType': Accelerator \"NVIDIA_TESLA_A100\" is not supported for "
            'machine type "n1-standard-4".',
        ),
        (
            model_id,
            {"machineType": "x9-huge"},
            400,
            "INVALID_ARGUMENT",
            "Field 'machineType': Machine type \"x9-huge\" is not supported.",
        ),
        (
            model_id,
            {"minReplicaCount": 3, "maxReplicaCount": 2},
            400,
            "INVALID_ARGUMENT",
            "Field 'maxReplicaCount': 2 is less than minReplicaCount (3).",
        ),
        (
            model_id,
            {"trafficPercentage": 40},
            400,
            "INVALID_ARGUMENT",
            "Field 'trafficPercentage': a new endpoint sends all its traffic (100) to its first "
            "model, not 40.",
        ),
        (
            "999999",
            {},
            404,
            "NOT_FOUND",
            f"Model {model.name.split('/models/')[0]}/models/999999 not found.",
        ),
    ]
    for target, body, code, reason, message in cases:
        status, error = await api("POST", "models", target, "deploy", body=body)
        assert (status, error["reason"]) == (code, reason), (body, error)
        assert error["message"] == message

    # A container the embedded Vertex cannot run: refused, and its new endpoint is removed.
    status, error = await api("POST", "models", foreign_id, "deploy", body={})
    assert (status, error["reason"]) == (409, "FAILED_PRECONDITION")
    assert "'example.com/custom/server:1' cannot run on the embedded Vertex" in error["message"]
    assert (await api("GET", "endpoints")) == (200, before)


async def test_operations_route_refuses_what_is_not_an_operation(api: Any, seeder: Seeder) -> None:
    status, error = await api("GET", "operations", params={"name": "models/12"})
    assert (status, error["reason"]) == (400, "INVALID_ARGUMENT")
    assert error["message"] == "'models/12' is not a valid name."
    missing = f"{seeder.parent}/endpoints/1/operations/2"
    status, error = await api("GET", "operations", params={"name": missing})
    assert (status, error["reason"]) == (404, "NOT_FOUND")
    # A collection the API has no operations under: Google's REST transport refuses to
    # build the URL (ValueError) - a 404 naming it, not a 500 (found by schemathesis).
    unknown = f"{seeder.parent}/bfqS/x/operations/1"
    status, error = await api("GET", "operations", params={"name": unknown})
    assert (status, error["reason"]) == (404, "NOT_FOUND")
    assert error["message"] == (
        f"Operation {unknown!r} not found: 'bfqS' has no operations in this API."
    )


async def test_sdk_code_for_deploy_and_predict(api: Any, module_project: str) -> None:
    parent = f"projects/{module_project}/locations/us-central1"
    head = (
        "from google.cloud import aiplatform\n\n"
        f"aiplatform.init(project={module_project!r}, location='us-central1')\n"
        "# On the embedded Vertex instead: import jupyter_vertex.emulator; "
        "jupyter_vertex.emulator.init()\n\n"
    )
    status, code = await api(
        "POST",
        "code",
        "deploy",
        body={
            "modelId": "123@2",
            "endpointId": "456",
            "machineType": "n1-standard-4",
            "minReplicaCount": 1,
            "maxReplicaCount": 3,
            "acceleratorType": "NVIDIA_TESLA_T4",
            "acceleratorCount": 1,
            "trafficPercentage": 25,
        },
    )
    assert status == 200
    assert code == {
        "language": "python",
        "code": head
        + f"model = aiplatform.Model('{parent}/models/123@2')\n"
        + f"endpoint = aiplatform.Endpoint('{parent}/endpoints/456')\n"
        + "model.deploy(\n"
        + "    endpoint=endpoint,\n"
        + "    machine_type='n1-standard-4',\n"
        + "    min_replica_count=1,\n"
        + "    max_replica_count=3,\n"
        + "    accelerator_type='NVIDIA_TESLA_T4',\n"
        + "    accelerator_count=1,\n"
        + "    traffic_percentage=25,\n"
        + ")\n",
    }
    status, code = await api("POST", "code", "deploy", body={"modelId": "123"})
    new_endpoint = 'aiplatform.Endpoint.create(display_name=model.display_name + "-endpoint")'
    assert f"endpoint = {new_endpoint}\n" in code["code"]
    assert "    machine_type='n1-standard-2',\n" in code["code"]
    status, error = await api(
        "POST", "code", "deploy", body={"modelId": "123", "machineType": "a2-highgpu-1g"}
    )
    assert (status, error["reason"]) == (400, "INVALID_ARGUMENT")

    status, code = await api(
        "POST", "code", "predict", body={"endpointId": "456", "instances": [[1, 2.5], [3, None]]}
    )
    assert code["code"] == (
        head
        + f"endpoint = aiplatform.Endpoint('{parent}/endpoints/456')\n"
        + "instances = [[1, 2.5], [3, None]]\n"
        + "prediction = endpoint.predict(instances=instances)\n"
        + "print(prediction.predictions)\n"
    )
    status, code = await api("POST", "code", "predict", body={"endpointId": "456", "bulk": True})
    assert code["code"] == (
        head
        + f"endpoint = aiplatform.Endpoint('{parent}/endpoints/456')\n"
        + "instances = [...]  # your instances, e.g. [[0.0, 1.5, ...], ...]\n"
        + "# Each request must stay under 1572864 bytes (1.5 MB): send chunks in order.\n"
        + "predictions = []\n"
        + "for start in range(0, len(instances), 1000):\n"
        + "    chunk = instances[start : start + 1000]\n"
        + "    predictions.extend(endpoint.predict(instances=chunk).predictions)\n"
        + "print(len(predictions))\n"
    )
    compile(code["code"], "bulk.py", "exec")


async def test_a_deploy_that_fails_later_reports_it_in_its_operation(
    api: Any, seeder: Seeder, tmp_path: Path
) -> None:
    (tmp_path / "model.joblib").write_bytes(b"not a joblib file")
    broken = await asyncio.to_thread(upload_digits, seeder, tmp_path, "digits-broken")
    broken_id = broken.name.rsplit("/", 1)[1].partition("@")[0]
    status, operation = await api("POST", "models", broken_id, "deploy", body={})
    assert (status, operation["done"], operation["kind"]) == (202, False, "deploy")
    done = await _finished(api, operation)
    assert done["error"]["code"] == 9  # FAILED_PRECONDITION: the model server did not start
    assert "exited with status" in done["error"]["message"]
    assert done["result"] is None
    status, endpoint = await api("GET", "endpoints", operation["target"])
    assert (status, endpoint["deployedModels"], endpoint["trafficSplit"]) == (200, [], {})
    assert endpoint["displayName"] == "digits-broken-endpoint"
