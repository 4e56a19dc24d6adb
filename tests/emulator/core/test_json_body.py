"""Request bodies are parsed as strictly as Google's frontend parses them (core/json_body)."""

from __future__ import annotations

import pytest

from jupyter_vertex.emulator.core.errors import ApiError
from jupyter_vertex.emulator.core.json_body import MAX_DEPTH, parse_object

PREFIX = "Invalid JSON payload received."


def refused(raw: bytes) -> str:
    with pytest.raises(ApiError) as caught:
        parse_object(raw)
    assert caught.value.status == "INVALID_ARGUMENT"
    return caught.value.message


def test_ordinary_bodies_parse() -> None:
    assert parse_object(b"") is None
    assert parse_object(b"  \n") is None
    body = b'{"a": [1, 2.5, "\\ud83d\\ude00", {"b": null}], "c": "\\u00e9\\u0000"}'
    assert parse_object(body) == {"a": [1, 2.5, "\U0001f600", {"b": None}], "c": "é\x00"}
    # as deep as protobuf allows
    deep = b'{"a": ' * (MAX_DEPTH - 1) + b"{}" + b"}" * (MAX_DEPTH - 1)
    assert parse_object(deep) is not None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{"a": ' * MAX_DEPTH + b"{}" + b"}" * MAX_DEPTH, "Nesting deeper than 100 levels."),
        (b'{"a": ' + b"[" * 10_000 + b"]" * 10_000 + b"}", "Nesting deeper than 100 levels."),
        (b'{"a": 1e400}', "The number 1e400 is out of range."),
        (b'{"a": -1e400}', "The number -1e400 is out of range."),
        (b'{"a": NaN}', "Unexpected token NaN: not a JSON value."),
        (b'{"a": Infinity}', "Unexpected token Infinity: not a JSON value."),
        (b'{"a": ' + b"9" * 5000 + b"}", "A number is out of range."),
        (b'{"a": "\\ud800"}', "Invalid \\u escape: a lone UTF-16 surrogate in a string."),
        (b'{"a": ["x", "\\udfff"]}', "Invalid \\u escape: a lone UTF-16 surrogate in a string."),
        (b'{"\\ud800": 1}', "Invalid \\u escape: a lone UTF-16 surrogate in a string."),
        (b'{"a": "\xed\xa0\x80"}', "The body is not UTF-8."),
        (b'{"a": "\xff"}', "The body is not UTF-8."),
        (b'{"a": 1, "b": {"c": 1, "c": 2}}', 'Duplicate name "c" in one object.'),
        (b"[1]", "The body must be an object."),
        (b"null", "The body must be an object."),
        (b'{"a": ', "Expecting value (line 1, column 7)."),
    ],
)
def test_what_google_refuses_is_invalid_argument(raw: bytes, message: str) -> None:
    assert refused(raw) == f"{PREFIX} {message}"


def test_a_duplicate_name_with_a_lone_surrogate_is_shown_escaped() -> None:
    # the message itself must encode as UTF-8 in the answer
    message = refused(b'{"\\ud800": 1, "\\ud800": 2}')
    assert message == f'{PREFIX} Duplicate name "\\ud800" in one object.'
    message.encode("utf-8")
