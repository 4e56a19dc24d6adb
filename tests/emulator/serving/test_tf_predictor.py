"""The TensorFlow predictor on real SavedModels, in-process: TF Serving's row format, the
JSON it writes, and the 400s for instances that do not fit the serving signature (the
served path through the SDK is tests/sdk/test_sdk_tensorflow.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tensorflow as tf
from fastapi import HTTPException

from jupyter_vertex.emulator.serving.tf_predictor import TensorflowPredictor, _tf_serving_floats


class Mixed(tf.Module):
    """Inputs of three dtypes; outputs of four, one of them binary."""

    @tf.function(
        input_signature=[
            tf.TensorSpec([None, 2], tf.float32, name="x"),
            tf.TensorSpec([None], tf.int32, name="count"),
            tf.TensorSpec([None], tf.string, name="blob"),
        ]
    )
    def serve(self, x: tf.Tensor, count: tf.Tensor, blob: tf.Tensor) -> dict[str, tf.Tensor]:
        total = tf.reduce_sum(x, axis=1) + tf.cast(count, tf.float32)
        return {
            "total": total,
            "twice": count * 2,
            "positive": total > 0,
            "blob_bytes": blob,
        }


class Scalar(tf.Module):
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32, name="x")])
    def serve(self, x: tf.Tensor) -> dict[str, tf.Tensor]:
        return {"rows": x * 10, "mean": tf.reduce_mean(x)}


def _saved(folder: Path, module: tf.Module, signatures: dict[str, Any]) -> Path:
    tf.saved_model.save(module, str(folder), signatures=signatures)
    return folder


@pytest.fixture
def load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[[tf.Module, str], TensorflowPredictor]:
    """A predictor loaded as a model server loads it: from its own working folder."""

    def loaded(module: tf.Module, signature: str = "serving_default") -> TensorflowPredictor:
        artifacts = _saved(tmp_path / "artifacts", module, {signature: module.serve})
        (tmp_path / "server").mkdir()
        monkeypatch.chdir(tmp_path / "server")
        predictor = TensorflowPredictor()
        predictor.load(str(artifacts))
        return predictor

    return loaded


def _answer(predictor: TensorflowPredictor, instances: Any) -> Any:
    """The JSON text the model server would send (as the SDK's serializer writes it)."""
    body = {"instances": instances}
    result = predictor.postprocess(predictor.predict(predictor.preprocess(body)))
    return json.dumps(result)


def _refused(predictor: TensorflowPredictor, instances: Any) -> str:
    with pytest.raises(HTTPException) as raised:
        _answer(predictor, instances)
    assert raised.value.status_code == 400
    return str(raised.value.detail)


def test_several_outputs_answer_one_object_per_instance(load: Any) -> None:
    predictor = load(Mixed())
    answer = _answer(
        predictor,
        [
            {"x": [0.1, 0.2], "count": 1, "blob": {"b64": "AAEC"}},
            {"x": [-5, 0], "count": 2.0, "blob": "text"},
        ],
    )
    assert answer == (
        '{"predictions": ['
        '{"blob_bytes": {"b64": "AAEC"}, "positive": true, "total": 1.3, "twice": 2}, '
        '{"blob_bytes": {"b64": "dGV4dA=="}, "positive": false, "total": -3.0, "twice": 4}]}'
    )


def test_instances_that_do_not_fit_the_signature_are_400(load: Any) -> None:
    predictor = load(Mixed())
    row = {"x": [1, 2], "count": 1, "blob": "a"}
    assert _refused(predictor, [row, [1, 2]]) == (
        "Instances must all be objects of named inputs or all be plain values, not both."
    )
    assert _refused(predictor, [[1, 2]]) == (
        "The model's serving signature takes 3 inputs ('blob', 'count', 'x'): give each "
        "instance as an object of them."
    )
    assert _refused(predictor, [{**row, "count": 1.5}]) == (
        "Input 'count' takes int32 values; the instances give float64 values."
    )
    assert _refused(predictor, [{**row, "count": 2**31}]) == (
        "Input 'count' takes int32 values, from -2147483648 to 2147483647; the instances give "
        "values from 2147483648 to 2147483648."
    )
    assert _refused(predictor, [{**row, "x": [1, "2"]}]) == (
        "Input 'x' takes float32 values; the instances give strings."
    )
    assert _refused(predictor, [row, {**row, "x": [1, 2, 3]}]).startswith(
        "Input 'x': the instances' values do not all have one shape (setting an array element"
    )
    assert _refused(predictor, [{**row, "x": [1, 2, 3]}]) == (
        "Input 'x' of the model's serving signature has shape [?, 2] (? is any size), but the "
        "instances give [1, 3]."
    )
    assert _refused(predictor, [{**row, "blob": {"b64": "not base64!"}}]).startswith(
        "Input 'blob': invalid base64 ("
    )
    assert _refused(predictor, [{**row, "blob": {"text": "a"}}]) == (
        'Input \'blob\': an object value must be {"b64": "<base64>"}.'
    )
    assert _refused(predictor, [{"x": [1, 2], "blob": "a", "y": 1}]) == (
        "Instance 0 lacks the input(s) 'count' and has unknown input(s) 'y'; the model's "
        "serving signature takes 'blob', 'count', 'x'."
    )
    assert _refused(predictor, []) == '"instances" must be a non-empty list.'


def test_a_single_input_takes_plain_values_and_outputs_need_a_row_per_instance(
    load: Any,
) -> None:
    predictor = load(Scalar())
    assert _refused(predictor, [1.0, 2.0]) == (
        "The model's outputs must have one row per instance (the same first dimension) to be "
        "answered as predictions; they have shapes 'mean' [], 'rows' [2]."
    )


def test_a_saved_model_without_serving_default_does_not_load(load: Any) -> None:
    with pytest.raises(ValueError) as raised:
        load(Scalar(), "predict")
    assert str(raised.value).endswith(
        "has no 'serving_default' signature (it has predict); Vertex's TensorFlow prediction "
        "containers serve that signature."
    )


def _tf_serving_text(value: float) -> float:
    """What a client reads for a float32 TF Serving wrote (printf %g, else %.9g)."""
    if not np.isfinite(value) or value == 0:
        return value
    six = float(f"{value:g}")
    return six if np.float32(six) == np.float32(value) else float(f"{value:.9g}")


def test_float32_numbers_read_back_as_tf_servings_text() -> None:
    rng = np.random.default_rng(7)
    values = np.concatenate(
        [
            rng.random(20_000),  # probabilities
            rng.random(10_000) ** 8,  # small ones
            rng.standard_normal(20_000) * 10.0 ** rng.integers(-44, 38, 20_000),
            rng.integers(-(1 << 24), 1 << 24, 5_000),  # whole numbers
            rng.integers(0, 100_000, 5_000) / 1000,  # short decimals
            [0.1, 1 / 3, 0.5, 2.5, 1e-45, 3.4e38, 123456.5, 1234567.5, np.nan, np.inf, -np.inf],
        ]
    ).astype(np.float32)
    got = _tf_serving_floats(values.reshape(-1, 1)).ravel()
    expected = np.array([_tf_serving_text(value) for value in values.tolist()])
    assert np.array_equal(got, expected, equal_nan=True)
    assert json.dumps(_tf_serving_floats(np.array([0.1, 1 / 3, 3, -0.0], np.float32)).tolist()) == (
        "[0.1, 0.333333343, 3.0, -0.0]"
    )
