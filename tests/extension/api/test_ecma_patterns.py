"""The API document's patterns mean what JSON Schema (ECMA-262) says, on the server too:
Python's ``re`` alone counts ``\\x1c``-``\\x1f`` and ``\\x85`` as white space."""

from __future__ import annotations

from typing import Any

import pytest

from jupyter_vertex.api.ecma_patterns import Validator, ecma_regex


@pytest.mark.parametrize(
    ("pattern", "text", "found"),
    [
        (r"\S", "\x1d", True),  # Python's re: white space; ECMA-262: not
        (r"\S", "\x85", True),
        (r"\S", " \t\u00a0\u2003\ufeff\u3000", False),  # ECMA-262 white space, all of it
        (r"\S", "a", True),
        (r"^[^\s]+$", "gcr.io/x\x1fy", True),
        (r"^[^\s]+$", "gcr.io/x\u00a0y", False),
        (r"^\d+$", "\u0663", False),  # an Arabic-Indic digit is not \d in ECMA-262
        (r"^\d+$", "0123", True),
        (r"^\w+$", "é", False),
        (r"^[\w-]+$", "a_b-c", True),
        (r"^\D\W$", "1!", False),
        (r"^\D\W$", "!!", True),
        (r"^a\.b\\s$", "a.b\\s", True),  # escaped dot and backslash keep their meaning
    ],
)
def test_ecma_classes(pattern: str, text: str, found: bool) -> None:
    assert bool(ecma_regex(pattern).search(text)) is found


def test_the_validator_names_the_pattern() -> None:
    errors = list(Validator({"type": "string", "pattern": r"\S"}).iter_errors(" \u00a0"))
    assert [e.message for e in errors] == ["' \\xa0' does not match '\\\\S'"]
    assert list(Validator({"propertyNames": {"pattern": "^[0-9]+$"}}).iter_errors({"٣": 1}))


@pytest.fixture
def vertex_config(emulated: dict[str, Any]) -> dict[str, Any]:
    return emulated


async def test_a_name_the_document_allows_is_accepted(api: Any) -> None:
    status, endpoint = await api("POST", "endpoints", body={"displayName": "\x1d"})
    assert status == 201, endpoint
    assert endpoint["displayName"] == "\x1d"
    status, error = await api("POST", "endpoints", body={"displayName": " \u00a0\u3000"})
    assert status == 400
    assert (error["reason"], error["message"]) == (
        "INVALID_ARGUMENT",
        "Field 'displayName' is invalid: ' \\xa0\\u3000' does not match '\\\\S'.",
    )
