"""Serving over REST: deploy checks, predict limits, a killed model server, a restart."""

from __future__ import annotations

import importlib.util
import os
import signal
from collections.abc import Collection
from pathlib import Path
from typing import Any

import pytest
import requests
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from jupyter_vertex.emulator.__main__ import main
from jupyter_vertex.emulator.core.errors import ApiError
from jupyter_vertex.emulator.serving.containers import (
    DEFAULT_HANDLER,
    ServerSpec,
    predictor_for,
    server_for,
)
from jupyter_vertex.emulator.testing import EmulatorProcess, model_servers

from ..emulator_api import IMAGE, Api
from ..serving_helpers import artifacts, server_pids, sklearn_model, wait_for, wait_serving

FEATURES, TARGET = load_digits(return_X_y=True)
RESOURCES = {"machineSpec": {"machineType": "n1-standard-2"}, "minReplicaCount": 1}


@pytest.fixture(scope="module")
def classifier() -> LogisticRegression:
    return LogisticRegression(max_iter=300).fit(FEATURES[:500], TARGET[:500])


def _deploy(
    api: Api,
    endpoint: dict[str, Any],
    model: dict[str, Any],
    resources: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    deployed = {"model": model["name"], **(resources or {"dedicatedResources": RESOURCES})}
    body = {"deployedModel": deployed, **extra}
    operation = api.ok("POST", f"v1/{endpoint['name']}:deployModel", body)
    return wait_for(
        "the deploy operation",
        lambda: (op := api.ok("GET", f"v1/{operation['name']}")).get("done") and op,
    )


def _predict(api: Api, endpoint: dict[str, Any], rows: Any) -> requests.Response:
    return api.call("POST", f"v1/{endpoint['name']}:predict", {"instances": rows.tolist()})


def test_unsupported_container_is_failed_precondition(api: Api) -> None:
    endpoint = api.create_endpoint()
    model = api.upload(
        "tf",
        containerSpec={"imageUri": "example.com/custom/server:1"},
    )
    message = api.error(
        "POST",
        f"v1/{endpoint['name']}:deployModel",
        {"deployedModel": {"model": model["name"], "dedicatedResources": RESOURCES}},
        status="FAILED_PRECONDITION",
    )
    assert (
        "example.com/custom/server:1" in message
        and "sklearn-cpu" in message
        and "xgboost-cpu" in message
        and "Custom Prediction Routine models (containerSpec.env with PREDICTOR_MODULE" in message
    )
    assert "deployedModels" not in api.ok("GET", f"v1/{endpoint['name']}")


TF_IMAGE = "us-docker.pkg.dev/vertex-ai/prediction/tf2-cpu.2-15:latest"
TORCH_IMAGE = "us-docker.pkg.dev/vertex-ai/prediction/pytorch-cpu.2-1:latest"


def _fake_lookup(monkeypatch: pytest.MonkeyPatch, missing: Collection[str]) -> None:
    """Fake the import lookup: the modules in ``missing`` are not found."""
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name in missing else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)


def test_a_pytorch_archive_that_does_not_load_fails_the_deploy(api: Api) -> None:
    assert importlib.util.find_spec("torch") is not None  # the test extra installs it
    endpoint = api.create_endpoint()
    folder = artifacts(api, {"model.mar": b"PK"})
    model = api.upload("framework", artifactUri=folder, containerSpec={"imageUri": TORCH_IMAGE})
    operation = _deploy(api, endpoint, model)
    assert operation["error"]["code"] == 9, operation  # FAILED_PRECONDITION
    message = operation["error"]["message"]
    assert "exited with status" in message and "Its last output:" in message, message
    assert "model.mar is not a TorchServe model archive (File is not a zip file)." in message
    assert "deployedModels" not in api.ok("GET", f"v1/{endpoint['name']}")


@pytest.mark.parametrize(
    "image",
    [
        TF_IMAGE,
        "us-docker.pkg.dev/vertex-ai/prediction/tf2-gpu.2-15:latest",
        "europe-docker.pkg.dev/vertex-ai/prediction/tf-cpu.1-15:latest",
    ],
)
def test_tensorflow_without_tensorflow_is_failed_precondition_saying_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, image: str
) -> None:
    _fake_lookup(monkeypatch, missing={"tensorflow"})
    with pytest.raises(ApiError) as raised:
        server_for({"imageUri": image})
    assert raised.value.status == "FAILED_PRECONDITION"
    assert raised.value.message == (
        f"The model's serving container {image!r} is Vertex's prebuilt TensorFlow prediction "
        "image (a SavedModel behind TensorFlow Serving). TensorFlow is not installed in the "
        "embedded Vertex's environment: install it there (pip install tensorflow-cpu) and "
        "deploy again; the embedded Vertex then serves the SavedModel's serving_default "
        "signature. Or serve the model as a Custom Prediction Routine (containerSpec.env "
        "PREDICTOR_MODULE and PREDICTOR_CLASS, the predictor's source in the artifact folder)."
    )


def test_tensorflow_installed_is_served_by_our_predictor() -> None:
    assert importlib.util.find_spec("tensorflow") is not None  # the test extra installs it
    env = [{"name": "MODEL_THRESHOLD", "value": "0.5"}]
    spec = server_for({"imageUri": TF_IMAGE, "env": env})
    assert spec == ServerSpec(
        predictor=("jupyter_vertex.emulator.serving.tf_predictor", "TensorflowPredictor"),
        env={"MODEL_THRESHOLD": "0.5"},
    )


@pytest.mark.parametrize(
    ("missing", "what"),
    [
        (
            {"torch"},
            "torch is not installed in its environment: install it there (pip install torch)",
        ),
        (
            {"ts"},
            "torchserve is not installed in its environment: install it there (pip install "
            "torchserve)",
        ),
        (
            {"torch", "ts"},
            "torch and torchserve are not installed in its environment: install them there "
            "(pip install torch torchserve)",
        ),
    ],
    ids=["torch", "torchserve", "both"],
)
def test_pytorch_without_torch_or_torchserve_is_failed_precondition_saying_what_to_install(
    monkeypatch: pytest.MonkeyPatch, missing: set[str], what: str
) -> None:
    _fake_lookup(monkeypatch, missing)
    with pytest.raises(ApiError) as raised:
        server_for({"imageUri": TORCH_IMAGE})
    assert raised.value.status == "FAILED_PRECONDITION"
    assert raised.value.message == (
        f"The model's serving container {TORCH_IMAGE!r} is Vertex's prebuilt PyTorch prediction "
        "image (TorchServe on a model archive, model.mar). The embedded Vertex runs the archive "
        f"with PyTorch and TorchServe's Python backend, and {what} and deploy again. Or serve "
        "the model as a Custom Prediction Routine (containerSpec.env PREDICTOR_MODULE and "
        "PREDICTOR_CLASS, the predictor's source in the artifact folder)."
    )


def test_pytorch_installed_is_served_by_our_predictor() -> None:
    # the test extra installs both
    assert importlib.util.find_spec("torch") is not None
    assert importlib.util.find_spec("ts") is not None
    spec = server_for({"imageUri": TORCH_IMAGE, "env": [{"name": "A", "value": "1"}]})
    assert spec == ServerSpec(
        predictor=("jupyter_vertex.emulator.serving.torch_predictor", "TorchServePredictor"),
        env={"A": "1"},
    )


def test_a_custom_routine_is_known_by_its_environment() -> None:
    env = [
        {"name": "HANDLER_MODULE", "value": "my_handler"},
        {"name": "HANDLER_CLASS", "value": "MyHandler"},
        {"name": "MODEL_THRESHOLD", "value": "0.5"},
    ]
    spec = server_for({"imageUri": "example.com/cpr:1", "env": env})
    assert spec == ServerSpec(
        handler=("my_handler", "MyHandler"),
        predictor=None,
        env={
            "HANDLER_MODULE": "my_handler",
            "HANDLER_CLASS": "MyHandler",
            "MODEL_THRESHOLD": "0.5",
        },
        source_in_artifacts=True,
    )
    prebuilt = server_for({"imageUri": IMAGE, "env": [{"name": "A", "value": "1"}]})
    assert prebuilt.predictor == predictor_for(IMAGE) and prebuilt.env == {"A": "1"}
    assert prebuilt.handler == DEFAULT_HANDLER and not prebuilt.source_in_artifacts
    with pytest.raises(ApiError) as raised:
        server_for({"imageUri": "example.com/cpr:1", "env": [env[1]]})
    assert raised.value.message.endswith("but containerSpec.env has no HANDLER_MODULE.")


def test_predict_limits_and_nothing_deployed(api: Api) -> None:
    endpoint = api.create_endpoint()
    big = b'{"instances": [' + b"1," * 800_000 + b"1]}"
    message = api.error(
        "POST",
        f"v1/{endpoint['name']}:predict",
        data=big,
        headers={"Content-Type": "application/json"},
        status="INVALID_ARGUMENT",
    )
    assert "1572864 bytes (1.5 MB)" in message
    message = api.error(
        "POST", f"v1/{endpoint['name']}:predict", {"instances": [[1]]}, status="FAILED_PRECONDITION"
    )
    assert "has no deployed model" in message


def test_bad_traffic_split_is_invalid_argument(api: Api, classifier: LogisticRegression) -> None:
    endpoint = api.create_endpoint()
    model = sklearn_model(api, classifier)
    body = {"deployedModel": {"model": model["name"], "dedicatedResources": RESOURCES}}
    message = api.error(
        "POST",
        f"v1/{endpoint['name']}:deployModel",
        {**body, "trafficSplit": {"0": 60}},
        status="INVALID_ARGUMENT",
    )
    assert message == "Invalid traffic_split: the percentages add up to 60, not 100."
    message = api.error(
        "POST",
        f"v1/{endpoint['name']}:deployModel",
        {**body, "trafficSplit": {"0": 50, "123": 50}},
        status="INVALID_ARGUMENT",
    )
    assert "'123' is not the id of a model deployed to this endpoint" in message
    assert "deployedModels" not in api.ok("GET", f"v1/{endpoint['name']}")


def test_a_killed_server_is_restarted(api: Api, classifier: LogisticRegression) -> None:
    endpoint = api.create_endpoint()
    operation = _deploy(api, endpoint, sklearn_model(api, classifier))
    assert "error" not in operation, operation
    deployed = operation["response"]["deployedModel"]
    expected = classifier.predict(FEATURES[:3]).tolist()
    assert _predict(api, endpoint, FEATURES[:3]).json()["predictions"] == expected
    (pid,) = server_pids(deployed["id"])
    os.kill(pid, signal.SIGKILL)

    def status() -> dict[str, Any]:
        found = api.ok("GET", f"v1/{endpoint['name']}")["deployedModels"][0]["status"]
        return found  # type: ignore[no-any-return]

    restarting = wait_for("the restart to show", lambda: "restart" in status().get("message", ""))
    assert restarting
    wait_for("a healthy replica", lambda: status().get("availableReplicaCount") == 1)
    (new_pid,) = server_pids(deployed["id"])
    assert new_pid != pid
    response = _predict(api, endpoint, FEATURES[:3])
    assert response.status_code == 200, response.text
    assert response.json()["predictions"] == expected
    undeploy = api.ok(
        "POST", f"v1/{endpoint['name']}:undeployModel", {"deployedModelId": deployed["id"]}
    )
    assert undeploy["done"] is True and "error" not in undeploy
    assert server_pids(deployed["id"]) == []


def test_deployed_models_are_served_after_a_restart(
    tmp_path: Path, classifier: LogisticRegression
) -> None:
    with EmulatorProcess(tmp_path / "vertex") as emu:
        api = Api(emu, "restart-project")
        endpoint = api.create_endpoint()
        operation = _deploy(api, endpoint, sklearn_model(api, classifier))
        deployed_id = operation["response"]["deployedModel"]["id"]
        (before,) = server_pids(deployed_id)
        emu.restart()
        assert not Path(f"/proc/{before}").exists() or server_pids(deployed_id) != [before]
        # until its server is up again a predict answers UNAVAILABLE at once ("starting")
        wait_serving(api, endpoint)
        response = _predict(api, endpoint, FEATURES[:4])
        assert response.status_code == 200, response.text
        assert response.json()["predictions"] == classifier.predict(FEATURES[:4]).tolist()
        assert response.json()["deployedModelId"] == deployed_id
        emu.stop()
        assert server_pids(deployed_id) == []


def test_replicas_are_capped_mutated_and_bad_instances_answered(
    api: Api, classifier: LogisticRegression
) -> None:
    endpoint = api.create_endpoint()
    model = sklearn_model(api, classifier)
    resources = {**RESOURCES, "minReplicaCount": 3, "maxReplicaCount": 4}
    body = {"deployedModel": {"model": model["name"], "dedicatedResources": resources}}
    start = api.ok("POST", f"v1/{endpoint['name']}:deployModel", body)
    operation = wait_for(
        "the deploy", lambda: (op := api.ok("GET", f"v1/{start['name']}")).get("done") and op
    )
    deployed = operation["response"]["deployedModel"]
    assert deployed["dedicatedResources"] == {
        "machineSpec": {"machineType": "n1-standard-2"},
        "minReplicaCount": 3,
        "maxReplicaCount": 4,
    }
    assert len(server_pids(deployed["id"])) == 2  # --max-replicas-per-model defaults to 2
    shown = api.ok("GET", f"v1/{endpoint['name']}")["deployedModels"][0]
    assert shown["status"]["availableReplicaCount"] == 2
    assert shown["displayName"] == "digits" and shown["modelVersionId"] == "1"

    one = {"minReplicaCount": 1, "maxReplicaCount": 1}
    mutate = api.ok(
        "POST",
        f"v1/{endpoint['name']}:mutateDeployedModel",
        {
            "deployedModel": {"id": deployed["id"], "dedicatedResources": one},
            "updateMask": "dedicatedResources.minReplicaCount,dedicatedResources.maxReplicaCount",
        },
    )
    assert mutate["done"] is True, mutate
    resources = mutate["response"]["deployedModel"]["dedicatedResources"]
    assert (resources["minReplicaCount"], resources["maxReplicaCount"]) == (1, 1)
    assert len(server_pids(deployed["id"])) == 1

    wrong = api.error(
        "POST",
        f"v1/{endpoint['name']}:predict",
        {"instances": [[1, 2, 3]]},
        status="INVALID_ARGUMENT",
    )
    assert "X has 3 features" in wrong and "expecting 64 features" in wrong
    response = _predict(api, endpoint, FEATURES[:2])
    assert response.json()["predictions"] == classifier.predict(FEATURES[:2]).tolist()

    missing = api.error(
        "POST",
        f"v1/{endpoint['name']}:undeployModel",
        {"deployedModelId": "42"},
        status="NOT_FOUND",
    )
    assert missing == f"Deployed model 42 not found in endpoint {endpoint['name']}."
    api.ok("POST", f"v1/{endpoint['name']}:undeployModel", {"deployedModelId": deployed["id"]})
    assert server_pids(deployed["id"]) == []
    api.ok("DELETE", f"v1/{endpoint['name']}")


def test_a_server_that_cannot_start_fails_the_deploy_and_leaves_nothing(
    api: Api, classifier: LogisticRegression
) -> None:
    endpoint = api.create_endpoint()
    model = sklearn_model(api, classifier)
    bucket_path = model["artifactUri"][len("gs://") :].rstrip("/")
    bucket, prefix = bucket_path.split("/", 1)
    response = requests.post(
        f"{api.emu.storage_url}/upload/storage/v1/b/{bucket}/o",
        params={"uploadType": "media", "name": f"{prefix}/model.joblib"},
        data=b"not a joblib file",
        headers=api.emu.storage_headers,
        timeout=10,
    )
    assert response.status_code == 200, response.text
    operation = _deploy(api, endpoint, model)
    assert operation["error"]["code"] == 9, operation
    assert "exited with status" in operation["error"]["message"]
    assert "Its last output:" in operation["error"]["message"]
    assert "deployedModels" not in api.ok("GET", f"v1/{endpoint['name']}")
    assert not any(
        environ.get("AIP_STORAGE_URI") == model["artifactUri"]
        for environ in model_servers().values()
    )


def test_traffic_moves_before_a_model_is_undeployed(
    api: Api, classifier: LogisticRegression
) -> None:
    endpoint = api.create_endpoint()
    model = sklearn_model(api, classifier)
    first = _deploy(api, endpoint, model)["response"]["deployedModel"]["id"]
    automatic = {"automaticResources": {"minReplicaCount": 1, "maxReplicaCount": 2}}
    second_op = _deploy(api, endpoint, model, automatic, trafficSplit={first: 50, "0": 50})
    second = second_op["response"]["deployedModel"]["id"]
    assert second_op["response"]["deployedModel"]["automaticResources"] == {
        "minReplicaCount": 1,
        "maxReplicaCount": 2,
    }
    shown = api.ok("GET", f"v1/{endpoint['name']}")
    assert shown["trafficSplit"] == {first: 50, second: 50}
    assert [d["id"] for d in shown["deployedModels"]] == [first, second]
    message = api.error(
        "POST",
        f"v1/{endpoint['name']}:undeployModel",
        {"deployedModelId": first},
        status="FAILED_PRECONDITION",
    )
    assert message == (
        f"Deployed model {first} receives 50% of the traffic; give it 0% (traffic_split) "
        "before undeploying it."
    )
    api.ok(
        "POST",
        f"v1/{endpoint['name']}:undeployModel",
        {"deployedModelId": first, "trafficSplit": {second: 100}},
    )
    assert server_pids(first) == [] and len(server_pids(second)) == 1
    shown = api.ok("GET", f"v1/{endpoint['name']}")
    assert shown["trafficSplit"] == {second: 100}
    answers = {_predict(api, endpoint, FEATURES[:1]).json()["deployedModelId"] for _ in range(10)}
    assert answers == {second}
    api.ok("POST", f"v1/{endpoint['name']}:undeployModel", {"deployedModelId": second})
    shown = api.ok("GET", f"v1/{endpoint['name']}")
    assert "deployedModels" not in shown and "trafficSplit" not in shown


def test_max_replicas_per_model_must_be_positive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data-dir", str(tmp_path), "--max-replicas-per-model", "0"]) == 2
    assert "--max-replicas-per-model must be at least 1" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("image", "predictor"),
    [
        ("us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest", "SklearnPredictor"),
        ("europe-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-0:latest", "SklearnPredictor"),
        ("asia-docker.pkg.dev/vertex-ai/prediction/xgboost-cpu.1-7:latest", "XgboostPredictor"),
        ("us-docker.pkg.dev/vertex-ai/prediction/tf2-cpu.2-15:latest", "TensorflowPredictor"),
        ("europe-docker.pkg.dev/vertex-ai/prediction/tf2-gpu.2-12:latest", "TensorflowPredictor"),
        ("us-docker.pkg.dev/vertex-ai/prediction/pytorch-cpu.2-1:latest", "TorchServePredictor"),
        ("example.com/sklearn-cpu.1-3:latest", None),
    ],
)
def test_which_serving_images_run(image: str, predictor: str | None) -> None:
    if predictor is None:
        with pytest.raises(ApiError) as raised:
            predictor_for(image)
        assert raised.value.status == "FAILED_PRECONDITION"
    else:
        assert predictor_for(image)[1] == predictor


def test_servers_end_when_the_emulator_is_killed(
    tmp_path: Path, classifier: LogisticRegression
) -> None:
    with EmulatorProcess(tmp_path / "vertex") as emu:
        api = Api(emu, "killed-project")
        endpoint = api.create_endpoint()
        operation = _deploy(api, endpoint, sklearn_model(api, classifier))
        deployed_id = operation["response"]["deployedModel"]["id"]
        assert len(server_pids(deployed_id)) == 1
        emu.kill()
        wait_for("the orphaned server to exit", lambda: server_pids(deployed_id) == [], 15)
