"""Vertex's prebuilt TensorFlow prediction images (``tf2-cpu.*``, ``tf2-gpu.*``), served by
the SDK's model server with this predictor.

On Vertex those images run TensorFlow Serving over the SavedModel in the model's artifact
folder and answer ``:predict`` in TF Serving's REST "row format", with the SavedModel's
``serving_default`` signature:

- ``instances``: one instance per row. An instance is an object of the signature's named
  inputs, or, when the signature has a single input, that input's value itself. Each input's
  values are stacked along a new first dimension and must match its dtype and shape. Binary
  values of string inputs are given as ``{"b64": "..."}``.
- ``predictions``: with a single output, its rows; with several, one object per instance
  mapping each output's name to its row (names in alphabetical order). Outputs whose name
  ends in ``_bytes`` answer ``{"b64": "..."}``; float32 numbers are the decimals TF
  Serving writes (6 significant digits when they read back as the same float32, else 9:
  ``0.1``, ``0.333333343``; not ``0.10000000149011612``).

TensorFlow is imported in ``load``, i.e. in the model server process only: the embedded
Vertex names this module to the server and never imports it. Instances that do not fit the
signature answer 400 with the reason, which the embedded Vertex passes on as
INVALID_ARGUMENT.
"""

from __future__ import annotations

import base64
import binascii
import os
from typing import Any

import numpy as np
from fastapi import HTTPException
from google.cloud.aiplatform.prediction.predictor import Predictor
from google.cloud.aiplatform.utils import prediction_utils

SIGNATURE = "serving_default"
BINARY_SUFFIX = "_bytes"


class TensorflowPredictor(Predictor):
    """The SavedModel's ``serving_default`` signature behind TF Serving's row format."""

    def __init__(self) -> None:
        self._tf: Any = None
        self._model: Any = None  # kept: the signature's variables belong to it
        self._signature: Any = None
        self._inputs: dict[str, Any] = {}  # input name -> tf.TensorSpec

    def load(self, artifacts_uri: str, **kwargs: Any) -> None:
        """Copy the artifacts into this server's working folder and load the SavedModel."""
        prediction_utils.download_model_artifacts(artifacts_uri)
        # TensorFlow's C++ INFO/WARNING lines would crowd the server's output, whose last
        # lines explain a failed deploy.
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        import tensorflow as tf

        self._tf = tf
        self._model = tf.saved_model.load(os.getcwd())
        signatures = self._model.signatures
        if SIGNATURE not in signatures:
            raise ValueError(
                f"The SavedModel in {artifacts_uri} has no {SIGNATURE!r} signature (it has "
                f"{', '.join(sorted(signatures)) or 'none'}); Vertex's TensorFlow prediction "
                "containers serve that signature."
            )
        self._signature = signatures[SIGNATURE]
        self._inputs = dict(sorted(self._signature.structured_input_signature[1].items()))

    def preprocess(self, prediction_input: Any) -> dict[str, Any]:
        """The request's instances as one tensor per named input of the signature."""
        instances = (
            prediction_input.get("instances") if isinstance(prediction_input, dict) else None
        )
        if not isinstance(instances, list) or not instances:
            raise _bad('"instances" must be a non-empty list.')
        names = list(self._inputs)
        named = [isinstance(instance, dict) for instance in instances]
        if all(named):
            for index, instance in enumerate(instances):
                missing = [name for name in names if name not in instance]
                unknown = [key for key in instance if key not in self._inputs]
                if missing or unknown:
                    problems = [f"lacks the input(s) {_listing(missing)}"] if missing else []
                    if unknown:
                        problems.append(f"has unknown input(s) {_listing(unknown)}")
                    raise _bad(
                        f"Instance {index} {' and '.join(problems)}; the model's serving "
                        f"signature takes {_listing(names)}."
                    )
            columns = {name: [instance[name] for instance in instances] for name in names}
        elif any(named):
            raise _bad(
                "Instances must all be objects of named inputs or all be plain values, not both."
            )
        elif len(names) != 1:
            raise _bad(
                f"The model's serving signature takes {len(names)} inputs ({_listing(names)}): "
                "give each instance as an object of them."
            )
        else:
            columns = {names[0]: instances}
        return {name: self._tensor(name, values) for name, values in columns.items()}

    def predict(self, instances: dict[str, Any]) -> dict[str, np.ndarray]:
        """The signature's outputs for the input tensors."""
        try:
            outputs = self._signature(**instances)
        except self._tf.errors.InvalidArgumentError as exc:
            message = _one_line(exc.message)
            raise _bad(f"The model could not compute the instances: {message}") from None
        return {name: outputs[name].numpy() for name in sorted(outputs)}

    def postprocess(self, prediction_results: dict[str, np.ndarray]) -> dict[str, Any]:
        """``predictions`` in TF Serving's row format."""
        rows = {array.shape[0] if array.ndim else None for array in prediction_results.values()}
        if None in rows or len(rows) != 1:
            shapes = ", ".join(
                f"{name!r} {list(array.shape)}" for name, array in prediction_results.items()
            )
            raise _bad(
                "The model's outputs must have one row per instance (the same first "
                f"dimension) to be answered as predictions; they have shapes {shapes}."
            )
        columns = {name: _json_values(name, array) for name, array in prediction_results.items()}
        if len(columns) == 1:
            return {"predictions": next(iter(columns.values()))}
        return {
            "predictions": [
                dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)
            ]
        }

    def _tensor(self, name: str, values: list[Any]) -> Any:
        tf = self._tf
        spec = self._inputs[name]
        if spec.dtype == tf.string:
            try:
                tensor = tf.constant(_decoded(name, values), dtype=tf.string)
            except (ValueError, TypeError) as exc:
                raise _bad(f"Input {name!r} takes strings: {_one_line(str(exc))}") from None
            shape = tuple(tensor.shape)
        else:
            array = _numbers(name, values, spec.dtype)
            tensor, shape = array, array.shape
        if not spec.shape.is_compatible_with(shape):
            raise _bad(
                f"Input {name!r} of the model's serving signature has shape "
                f"{_shape(spec.shape.as_list())} (? is any size), but the instances give "
                f"{_shape(list(shape))}."
            )
        return tensor


def _numbers(name: str, values: list[Any], dtype: Any) -> np.ndarray:
    """The values as an array of the input's numeric dtype, refusing what TF Serving refuses
    (strings, ragged lists, fractions for integers, out-of-range integers)."""
    try:
        array = np.asarray(values)
    except ValueError as exc:  # ragged lists
        raise _bad(
            f"Input {name!r}: the instances' values do not all have one shape ({exc})"
        ) from None
    target = np.dtype(dtype.as_numpy_dtype)
    kind = array.dtype.kind
    if dtype.is_bool:
        ok = kind == "b"
    elif dtype.is_integer:
        ok = kind in "iu" or (kind == "f" and bool(np.all(np.mod(array, 1) == 0)))
        info = np.iinfo(target)
        if ok and array.size and not (array.min() >= info.min and array.max() <= info.max):
            raise _bad(
                f"Input {name!r} takes {dtype.name} values, from {info.min} to {info.max}; "
                f"the instances give values from {array.min()} to {array.max()}."
            )
    else:
        ok = kind in "iuf"
    if not ok:
        given = {"U": "strings", "O": "mixed or nested values", "b": "booleans"}.get(
            kind, f"{array.dtype} values"
        )
        raise _bad(f"Input {name!r} takes {dtype.name} values; the instances give {given}.")
    return array.astype(target, copy=False)


def _decoded(name: str, values: Any) -> Any:
    """String values with ``{"b64": ...}`` objects decoded to their bytes."""
    if isinstance(values, list):
        return [_decoded(name, value) for value in values]
    if isinstance(values, dict):
        if set(values) != {"b64"} or not isinstance(values["b64"], str):
            raise _bad(f'Input {name!r}: an object value must be {{"b64": "<base64>"}}.')
        try:
            return base64.b64decode(values["b64"], validate=True)
        except binascii.Error as exc:
            raise _bad(f"Input {name!r}: invalid base64 ({exc}).") from None
    return values


def _json_values(name: str, array: np.ndarray) -> Any:
    """An output as JSON values: numbers as TF Serving writes them, strings as UTF-8 text or,
    for ``*_bytes`` outputs, ``{"b64": ...}``."""
    kind = array.dtype.kind
    if kind in "biu" or array.dtype == np.float64:  # doubles: TF Serving's text reads back exact
        return array.tolist()
    if kind == "f":
        return _tf_serving_floats(array).tolist()
    if kind in "OS":
        if name.endswith(BINARY_SUFFIX):
            convert = np.frompyfunc(lambda v: {"b64": base64.b64encode(v).decode("ascii")}, 1, 1)
        else:
            convert = np.frompyfunc(lambda v: v.decode("utf-8", "replace"), 1, 1)
        return convert(array).tolist() if array.ndim else convert(array)
    # other floating types (bfloat16): through float32
    return _tf_serving_floats(array).tolist()


def _tf_serving_floats(array: np.ndarray) -> np.ndarray:
    """float32 values as the doubles a client reads from TF Serving's JSON text: it writes
    ``%g`` (6 significant digits) when that reads back as the same float32, else ``%.9g``.
    Computed with array arithmetic (~0.2 µs a value; formatting each value costs ~5 µs);
    values whose rounding the arithmetic cannot settle (within 1e-6 of a tie, or scaled by
    more than 10^22) are formatted as text."""
    values = np.asarray(array, dtype=np.float32).ravel()
    out = values.astype(np.float64)
    regular = np.isfinite(out) & (out != 0)
    exact = out[regular]
    six, unsure6 = _significant(exact, 6)
    nine, unsure9 = _significant(exact, 9)
    fits = six.astype(np.float32) == values[regular]
    chosen = np.where(fits, six, nine)
    for index in np.flatnonzero(unsure6 | (~fits & unsure9)):
        chosen[index] = _as_text(float(exact[index]))
    out[regular] = chosen
    return out.reshape(np.shape(array))


def _significant(values: np.ndarray, digits: int) -> tuple[np.ndarray, np.ndarray]:
    """``values`` (finite, non-zero doubles) rounded to ``digits`` significant digits, as the
    doubles their decimal text reads back as; and where that arithmetic is unsure."""
    magnitude = np.abs(values)
    exponent = np.floor(np.log10(magnitude))
    exponent = np.where(magnitude >= 10.0 ** (exponent + 1), exponent + 1, exponent)
    exponent = np.where(magnitude < 10.0**exponent, exponent - 1, exponent)
    shift = digits - 1 - exponent
    unsure = np.abs(shift) > 22  # 10^22 is the largest power of ten a double holds exactly
    shift = np.where(unsure, 0, shift)
    scale = 10.0 ** np.abs(shift)
    scaled = np.where(shift >= 0, values * scale, values / scale)
    unsure |= np.abs(np.abs(scaled - np.trunc(scaled)) - 0.5) <= 1e-6
    whole = np.rint(scaled)  # ties to even, as printf rounds
    # dividing or multiplying by an exact power of ten rounds once, as parsing the text does
    return np.where(shift >= 0, whole / scale, whole * scale), unsure


def _as_text(value: float) -> float:
    six = float(f"{value:g}")
    return six if np.float32(six) == np.float32(value) else float(f"{value:.9g}")


def _bad(message: str) -> HTTPException:
    return HTTPException(status_code=400, detail=message)


def _listing(names: list[str]) -> str:
    return ", ".join(repr(name) for name in names)


def _shape(dims: list[Any]) -> str:
    return "[" + ", ".join("?" if dim is None else str(dim) for dim in dims) + "]"


def _one_line(text: str) -> str:
    return " ".join(text.split())
