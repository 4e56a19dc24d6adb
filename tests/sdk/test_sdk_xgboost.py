"""XGBoost through the real SDK: a booster saved as ``model.bst`` (as Vertex's prebuilt
XGBoost prediction image expects), uploaded with that image, deployed and predicted by the
SDK's own ``XgboostPredictor`` in a real model server process, online and in a batch job."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import xgboost
from batch_helpers import in_batches, predictions_of_one_job
from google.cloud import aiplatform
from sdk_helpers import Sdk
from sklearn.datasets import load_digits

from jupyter_vertex.emulator.serving.containers import predictor_for
from jupyter_vertex.emulator.serving.modelserver import SOCKET_ENV
from jupyter_vertex.emulator.testing import model_servers

XGBOOST_IMAGE = "us-docker.pkg.dev/vertex-ai/prediction/xgboost-cpu.1-7:latest"


def _server_sockets(deployed_id: str) -> set[str]:
    """The unix socket each running model server of a deployed model listens on (/proc)."""
    return {environ[SOCKET_ENV] for environ in model_servers(deployed_id).values()}


def _answering(path: str) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(path) == 0


def _train(folder: Path) -> xgboost.Booster:
    features, target = load_digits(return_X_y=True)
    booster = xgboost.train(
        {"objective": "multi:softprob", "num_class": 10, "max_depth": 3, "nthread": 1},
        xgboost.DMatrix(features[:400], label=target[:400]),
        num_boost_round=5,
    )
    # the binary JSON format that xgboost ≥ 1.6 (the 1-7 image) reads; save_model() warns
    (folder / "model.bst").write_bytes(booster.save_raw(raw_format="ubj"))
    return booster


def test_xgboost_model_deploys_and_predicts_as_in_process(sdk: Sdk, tmp_path: Path) -> None:
    features, _ = load_digits(return_X_y=True)
    booster = _train(tmp_path)
    rows = features[400:406]
    expected = booster.predict(xgboost.DMatrix(rows)).tolist()

    model = aiplatform.Model.upload(
        display_name="digits-xgb",
        artifact_uri=str(tmp_path),
        serving_container_image_uri=XGBOOST_IMAGE,
    )
    assert model.container_spec.image_uri == XGBOOST_IMAGE
    endpoint = aiplatform.Endpoint.create(display_name="xgb")
    model.deploy(
        endpoint=endpoint, machine_type="n1-standard-2", min_replica_count=1, max_replica_count=1
    )
    (deployed,) = endpoint.list_models()

    prediction = endpoint.predict(instances=rows.tolist())
    assert prediction.predictions == expected
    assert len(prediction.predictions) == 6 and len(prediction.predictions[0]) == 10
    assert prediction.deployed_model_id == deployed.id
    assert prediction.model_resource_name == model.resource_name
    assert prediction.model_version_id == "1"

    sockets = _server_sockets(deployed.id)
    assert len(sockets) == 1 and all(_answering(path) for path in sockets)
    endpoint.delete(force=True)  # undeploys first: the servers stop and their sockets go
    assert _server_sockets(deployed.id) == set()
    assert not any(_answering(path) for path in sockets)


def test_the_sdks_xgboost_upload_picks_an_image_that_is_served(sdk: Sdk, tmp_path: Path) -> None:
    _train(tmp_path)
    model = aiplatform.Model.upload_xgboost_model_file(
        model_file_path=str(tmp_path / "model.bst"), display_name="digits-xgb-file"
    )
    image = model.container_spec.image_uri
    assert "/vertex-ai/prediction/xgboost-cpu." in image
    assert predictor_for(image) == (
        "google.cloud.aiplatform.prediction.xgboost.predictor",
        "XgboostPredictor",
    )


@pytest.mark.usefixtures("quick_polls")
def test_an_xgboost_batch_job_predicts_every_row_as_in_process(sdk: Sdk, tmp_path: Path) -> None:
    features, _ = load_digits(return_X_y=True)
    booster = _train(tmp_path)
    rows = features[400:440]
    predictions = predictions_of_one_job(sdk, tmp_path, XGBOOST_IMAGE, rows.tolist(), batch_size=16)
    assert predictions == [
        p
        for batch in in_batches(rows, 16)
        for p in booster.predict(xgboost.DMatrix(batch)).tolist()
    ]
