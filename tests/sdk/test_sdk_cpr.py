"""A Custom Prediction Routine through the real SDK, without Docker: the predictor's source
sits in the model's artifact folder and ``containerSpec.env`` names it (the variables a CPR
image sets); the embedded Vertex runs it in the SDK's own model server."""

from __future__ import annotations

import importlib.util
import textwrap
from pathlib import Path
from typing import Any

import joblib
import pytest
from google.api_core import exceptions
from google.cloud import aiplatform
from sdk_helpers import Sdk, error_message, status_of
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

CPR_IMAGE = "us-central1-docker.pkg.dev/my-project/cpr/digits:1"

PREDICTOR = textwrap.dedent(
    '''
    """A user's predictor: class probabilities turned into a digit and its confidence."""

    import joblib
    import numpy as np
    from google.cloud.aiplatform.prediction.predictor import Predictor
    from google.cloud.aiplatform.utils import prediction_utils


    class DigitsPredictor(Predictor):
        def load(self, artifacts_uri: str) -> None:
            prediction_utils.download_model_artifacts(artifacts_uri)
            self._model = joblib.load("model.joblib")

        def preprocess(self, prediction_input: dict) -> np.ndarray:
            scale = float((prediction_input.get("parameters") or {}).get("scale", 1.0))
            return np.asarray(prediction_input["instances"], dtype=float) * scale

        def predict(self, instances: np.ndarray) -> np.ndarray:
            return self._model.predict_proba(instances)

        def postprocess(self, prediction_results: np.ndarray) -> dict:
            return {
                "predictions": [
                    {"digit": int(row.argmax()), "confidence": round(float(row.max()), 6)}
                    for row in prediction_results
                ]
            }
    '''
)


@pytest.fixture
def cpr_folder(tmp_path: Path) -> Path:
    features, target = load_digits(return_X_y=True)
    joblib.dump(
        LogisticRegression(max_iter=300).fit(features[:500], target[:500]),
        tmp_path / "model.joblib",
    )
    (tmp_path / "predictor.py").write_text(PREDICTOR, encoding="utf-8")
    return tmp_path


def _in_process(folder: Path, body: dict[str, Any]) -> Any:
    """The same predictor class, run here: what the endpoint must answer."""
    spec = importlib.util.spec_from_file_location("user_predictor", folder / "predictor.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    predictor = module.DigitsPredictor()
    predictor.load(str(folder))
    return predictor.postprocess(predictor.predict(predictor.preprocess(body)))["predictions"]


def test_a_custom_prediction_routine_is_served_from_its_artifacts(
    sdk: Sdk,
    cpr_folder: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    features, _ = load_digits(return_X_y=True)
    model = aiplatform.Model.upload(
        display_name="digits-cpr",
        artifact_uri=str(cpr_folder),
        serving_container_image_uri=CPR_IMAGE,
        serving_container_environment_variables={
            "PREDICTOR_MODULE": "predictor",
            "PREDICTOR_CLASS": "DigitsPredictor",
        },
    )
    endpoint = aiplatform.Endpoint.create(display_name="cpr")
    model.deploy(
        endpoint=endpoint, machine_type="n1-standard-2", min_replica_count=1, max_replica_count=1
    )
    (deployed,) = endpoint.list_models()

    rows = features[600:605].tolist()
    prediction = endpoint.predict(instances=rows)
    monkeypatch.chdir(tmp_path_factory.mktemp("in-process"))  # load() copies into the cwd
    assert prediction.predictions == _in_process(cpr_folder, {"instances": rows})
    assert [p["digit"] for p in prediction.predictions] == [
        int(d) for d in joblib.load(cpr_folder / "model.joblib").predict(features[600:605])
    ]
    assert prediction.deployed_model_id == deployed.id
    assert prediction.model_resource_name == model.resource_name

    scaled = endpoint.predict(instances=rows, parameters={"scale": 0.5})
    assert scaled.predictions == _in_process(
        cpr_folder, {"instances": rows, "parameters": {"scale": 0.5}}
    )
    assert scaled.predictions != prediction.predictions

    endpoint.undeploy_all()
    endpoint.delete()


def test_a_routine_without_its_predictor_class_is_refused_at_deploy(
    sdk: Sdk, cpr_folder: Path
) -> None:
    model = aiplatform.Model.upload(
        display_name="digits-cpr-incomplete",
        artifact_uri=str(cpr_folder),
        serving_container_image_uri=CPR_IMAGE,
        serving_container_environment_variables={"PREDICTOR_MODULE": "predictor"},
    )
    endpoint = aiplatform.Endpoint.create(display_name="cpr-incomplete")
    with pytest.raises(exceptions.BadRequest) as raised:
        model.deploy(endpoint=endpoint, machine_type="n1-standard-2", min_replica_count=1)
    assert status_of(raised.value) == "FAILED_PRECONDITION"
    assert error_message(raised.value) == (
        f"The model's serving container {CPR_IMAGE!r} is a Custom Prediction Routine "
        "(containerSpec.env sets PREDICTOR_MODULE or PREDICTOR_CLASS) but containerSpec.env "
        "has no PREDICTOR_CLASS."
    )
    assert endpoint.list_models() == []
    endpoint.delete()
