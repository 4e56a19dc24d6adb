"""TensorFlow through the real SDK: SavedModels uploaded with Vertex's prebuilt TensorFlow
prediction image, deployed, and predicted in TF Serving's row format by a real model server
process (the SDK's model server with our ``TensorflowPredictor``), online and in a batch job;
TensorFlow loads in that process, never in the embedded Vertex's."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tensorflow as tf
from batch_helpers import in_batches, predictions_of_one_job
from google.api_core import exceptions
from google.cloud import aiplatform
from sdk_helpers import Sdk, deploy_one, error_message, maps_library, server_pids, status_of
from sklearn.datasets import load_digits

TF_IMAGE = "us-docker.pkg.dev/vertex-ai/prediction/tf2-cpu.2-15:latest"
# The server answers float32 values as their shortest round-trip decimals; read back as
# float32 they are the in-process values up to this tolerance (oneDNN may order sums
# differently for another batch).
RTOL, ATOL = 1e-6, 1e-7
FEATURES, TARGET = load_digits(return_X_y=True)
ROWS = FEATURES[500:506].astype(np.float32)


@pytest.fixture(scope="module")
def keras_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    """A small Keras classifier on the digits features, exported as a SavedModel."""
    tf.keras.utils.set_random_seed(0)
    model = tf.keras.Sequential(
        [
            tf.keras.Input(shape=(64,), name="pixels"),
            tf.keras.layers.Rescaling(1 / 16),
            tf.keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(FEATURES[:500], TARGET[:500], epochs=5, verbose=0)
    folder = tmp_path_factory.mktemp("keras-digits")
    model.export(str(folder), verbose=False)
    return model, folder


@pytest.mark.usefixtures("quick_polls")
def test_a_keras_batch_job_predicts_every_row_as_in_process(
    sdk: Sdk, keras_model: tuple[Any, Path]
) -> None:
    model_in_process, folder = keras_model
    rows = FEATURES[506:546].astype(np.float32)
    predictions = predictions_of_one_job(sdk, folder, TF_IMAGE, rows.tolist(), batch_size=16)
    expected = np.concatenate([model_in_process(batch).numpy() for batch in in_batches(rows, 16)])
    answered = np.asarray(predictions, dtype=np.float32)
    assert answered.shape == (40, 10)
    np.testing.assert_allclose(answered, expected, rtol=RTOL, atol=ATOL)


class KeyedDigits(tf.Module):
    """Named inputs and outputs, and an instance key passed through (a pattern Vertex's
    documentation shows for TensorFlow models)."""

    def __init__(self) -> None:
        super().__init__()
        rng = np.random.default_rng(0)
        self.weights = tf.Variable(rng.normal(size=(64, 10)).astype(np.float32) / 16)

    @tf.function(
        input_signature=[
            tf.TensorSpec([None, 64], tf.float32, name="pixels"),
            tf.TensorSpec([None], tf.string, name="key"),
        ]
    )
    def serve(self, pixels: tf.Tensor, key: tf.Tensor) -> dict[str, tf.Tensor]:
        probabilities = tf.nn.softmax(tf.matmul(pixels, self.weights))
        return {
            "digit": tf.argmax(probabilities, axis=1),
            "key": key,
            "probabilities": probabilities,
        }


@pytest.fixture
def endpoint(sdk: Sdk) -> Iterator[aiplatform.Endpoint]:
    created = aiplatform.Endpoint.create(display_name="tf")
    yield created
    created.delete(force=True)


def test_a_keras_saved_model_deploys_and_predicts_as_in_process(
    sdk: Sdk, keras_model: tuple[Any, Path], endpoint: aiplatform.Endpoint
) -> None:
    model_in_process, folder = keras_model
    expected = model_in_process(ROWS).numpy()

    model = deploy_one(folder, endpoint, "digits-tf", TF_IMAGE)
    assert model.container_spec.image_uri == TF_IMAGE
    (deployed,) = endpoint.list_models()

    prediction = endpoint.predict(instances=ROWS.tolist())
    answered = np.asarray(prediction.predictions, dtype=np.float32)
    assert answered.shape == (6, 10)
    np.testing.assert_allclose(answered, expected, rtol=RTOL, atol=ATOL)
    assert prediction.deployed_model_id == deployed.id
    assert prediction.model_resource_name == model.resource_name
    assert prediction.model_version_id == "1"

    # the same rows as objects of the signature's named input: the same answer
    named = endpoint.predict(instances=[{"pixels": row} for row in ROWS.tolist()])
    assert named.predictions == prediction.predictions

    # the wrong number of features: the model's own signature, as a 400
    with pytest.raises(exceptions.BadRequest) as raised:
        endpoint.predict(instances=ROWS[:2, :10].tolist())
    assert status_of(raised.value) == "INVALID_ARGUMENT"
    assert error_message(raised.value) == (
        "The model refused the instances: Input 'pixels' of the model's serving signature has "
        "shape [?, 64] (? is any size), but the instances give [2, 10]."
    )
    with pytest.raises(exceptions.BadRequest) as raised:
        endpoint.predict(instances=[["a"] * 64])
    assert error_message(raised.value) == (
        "The model refused the instances: Input 'pixels' takes float32 values; the instances "
        "give strings."
    )
    # and it keeps serving
    assert endpoint.predict(instances=ROWS.tolist()).predictions == prediction.predictions

    # TensorFlow runs in the model server, not in the embedded Vertex
    (server,) = server_pids(deployed.id)
    assert sdk.emu.pid is not None
    assert maps_library(server, "libtensorflow") and not maps_library(sdk.emu.pid, "libtensorflow")

    endpoint.undeploy_all()
    assert endpoint.list_models() == []
    assert server_pids(deployed.id) == []


def test_named_inputs_and_outputs_answer_one_object_per_instance(
    sdk: Sdk, tmp_path: Path, endpoint: aiplatform.Endpoint
) -> None:
    module = KeyedDigits()
    tf.saved_model.save(module, str(tmp_path), signatures={"serving_default": module.serve})
    keys = [f"row-{index}" for index in range(len(ROWS))]
    expected = module.serve(pixels=tf.constant(ROWS), key=tf.constant(keys))

    deploy_one(tmp_path, endpoint, "digits-keyed", TF_IMAGE)
    instances: list[dict[str, Any]] = [
        {"pixels": row, "key": key} for row, key in zip(ROWS.tolist(), keys, strict=True)
    ]
    # a binary string value is sent as {"b64": ...}, as TF Serving takes it
    instances[0]["key"] = {"b64": base64.b64encode(keys[0].encode()).decode()}
    predictions = endpoint.predict(instances=instances).predictions

    assert [sorted(item) for item in predictions] == [["digit", "key", "probabilities"]] * 6
    assert [item["key"] for item in predictions] == keys
    assert [item["digit"] for item in predictions] == expected["digit"].numpy().tolist()
    np.testing.assert_allclose(
        np.asarray([item["probabilities"] for item in predictions], dtype=np.float32),
        expected["probabilities"].numpy(),
        rtol=RTOL,
        atol=ATOL,
    )

    # plain values cannot say which of two inputs they are
    with pytest.raises(exceptions.BadRequest) as raised:
        endpoint.predict(instances=ROWS[:1].tolist())
    assert error_message(raised.value) == (
        "The model refused the instances: The model's serving signature takes 2 inputs "
        "('key', 'pixels'): give each instance as an object of them."
    )
    with pytest.raises(exceptions.BadRequest) as raised:
        endpoint.predict(instances=[{"pixels": ROWS[0].tolist()}])
    assert error_message(raised.value) == (
        "The model refused the instances: Instance 0 lacks the input(s) 'key'; the model's "
        "serving signature takes 'key', 'pixels'."
    )


class NoDefault(tf.Module):
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32, name="x")])
    def twice(self, x: tf.Tensor) -> dict[str, tf.Tensor]:
        return {"y": x * 2}


def test_a_saved_model_without_serving_default_fails_the_deploy(
    sdk: Sdk, tmp_path: Path, endpoint: aiplatform.Endpoint
) -> None:
    module = NoDefault()
    tf.saved_model.save(module, str(tmp_path), signatures={"twice": module.twice})
    with pytest.raises(exceptions.FailedPrecondition) as raised:
        deploy_one(tmp_path, endpoint, "no-default", TF_IMAGE)
    message = raised.value.message
    assert "exited with status" in message and "Its last output:" in message, message
    assert (
        "has no 'serving_default' signature (it has twice); Vertex's TensorFlow prediction "
        "containers serve that signature." in message
    ), message
    assert endpoint.list_models() == []
