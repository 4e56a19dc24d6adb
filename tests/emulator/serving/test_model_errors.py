"""A model server's refusal, said once in the model's own words (no status, no wrapper)."""

from __future__ import annotations

import json

import pytest

from jupyter_vertex.emulator.serving.model_errors import model_error_message

WRAPPED = (
    "The following exception has occurred: ValueError. Arguments: ('X has 3 features, but "
    "LogisticRegression is expecting 64 features as input.',)."
)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            json.dumps({"detail": WRAPPED}).encode(),
            "The model refused the instances: X has 3 features, but LogisticRegression is "
            "expecting 64 features as input (ValueError).",
        ),
        (
            json.dumps({"detail": "Instance 2 is not a list of 64 pixel values."}).encode(),
            "The model refused the instances: Instance 2 is not a list of 64 pixel values.",
        ),
        (
            json.dumps({"error": {"code": 400, "message": "bad pixels"}}).encode(),
            "The model refused the instances: bad pixels.",
        ),
        (b"Internal Server Error", "The model refused the instances: Internal Server Error."),
        (b"", "The model refused the instances without saying why."),
        (b'{"detail": ""}', "The model refused the instances without saying why."),
        (
            json.dumps(
                {"detail": "The following exception has occurred: KeyError. Arguments: ('a', 2)."}
            ).encode(),
            "The model refused the instances: a; 2 (KeyError).",
        ),
    ],
)
def test_the_message_is_the_models_own_words(body: bytes, message: str) -> None:
    assert model_error_message(body) == message
