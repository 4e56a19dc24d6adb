"""The SDK on its default transport, gRPC (issue 16, point 1): after ``emulator.init()``
plain SDK code needs no ``api_transport``, and the SDK's async clients (gRPC only) work
whichever transport ``init()`` chose."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import joblib
import pytest
from google.cloud import aiplatform
from google.cloud.aiplatform import initializer
from google.cloud.aiplatform_v1.services.prediction_service import PredictionServiceClient
from google.oauth2.credentials import Credentials
from sdk_helpers import SKLEARN_IMAGE, Sdk
from sklearn.datasets import load_digits

import jupyter_vertex.emulator as vertex


def test_upload_deploy_predict_and_predict_async_over_grpc(sdk: Sdk, model_dir: Path) -> None:
    assert initializer.global_config._api_transport == "grpc"
    features, _ = load_digits(return_X_y=True)
    expected = joblib.load(model_dir / "model.joblib").predict(features[:4]).tolist()
    model = aiplatform.Model.upload(
        display_name="grpc", artifact_uri=str(model_dir), serving_container_image_uri=SKLEARN_IMAGE
    )
    endpoint = model.deploy(machine_type="n1-standard-2", min_replica_count=1)
    (deployed,) = endpoint.list_models()

    prediction = endpoint.predict(instances=features[:4].tolist())
    assert prediction.predictions == expected
    assert (prediction.deployed_model_id, prediction.model_version_id) == (deployed.id, "1")
    assert prediction.model_resource_name == model.resource_name

    answer = asyncio.run(endpoint.predict_async(instances=features[:4].tolist()))
    assert answer.predictions == expected
    assert answer.deployed_model_id == deployed.id

    # RawPredict over gRPC: an HttpBody in, the model server's answer as an HttpBody out
    client = PredictionServiceClient(
        credentials=Credentials(token=sdk.emu.token),
        client_options={"api_endpoint": sdk.emu.grpc_address},
    )
    body = json.dumps({"instances": features[:2].tolist()}).encode()
    raw = client.raw_predict(
        endpoint=endpoint.resource_name,
        http_body={"content_type": "application/json", "data": body},
    )
    assert raw.content_type.startswith("application/json")
    assert json.loads(raw.data)["predictions"] == expected[:2]

    # the SDK's async client goes over gRPC even when init() chose REST
    vertex.init(sdk.project, sdk.location, api_transport="rest")
    assert initializer.global_config.api_endpoint == sdk.emu.url
    again = asyncio.run(
        aiplatform.Endpoint(endpoint.resource_name).predict_async(instances=features[:4].tolist())
    )
    assert again.predictions == expected
    endpoint.undeploy_all()
    endpoint.delete()


def test_plain_aiplatform_init_with_the_grpc_address_and_no_transport(
    sdk: Sdk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a user writes from Google's samples, with the embedded Vertex's address."""
    monkeypatch.setattr(initializer.global_config, "_api_transport", None)  # as never set
    aiplatform.init(
        project=sdk.project,
        location=sdk.location,
        api_endpoint=sdk.emu.grpc_address,
        credentials=Credentials(token=sdk.emu.token),
    )
    made = aiplatform.Endpoint.create(display_name="from a sample")
    assert [e.resource_name for e in aiplatform.Endpoint.list()] == [made.resource_name]
    made.delete()
