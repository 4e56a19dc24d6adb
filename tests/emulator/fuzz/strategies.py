"""Hypothesis strategies for requests, read from Google's discovery documents.

A discovery schema becomes a strategy for JSON values of that shape: a few of an object's
properties at a time (Vertex's messages have dozens, and most requests name few), short
lists and maps, strings in the schema's format (int64 as a decimal string, timestamps,
durations, field masks, base64) or enum, and recursion cut off at MAX_DEPTH. ``wrong``
builds the same bodies with one value, somewhere, of a type its field can never take.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from hypothesis import strategies as st

from jupyter_vertex.emulator.discovery import Method, schema

MAX_DEPTH = 3  # schema references followed from the body's own schema
MAX_FIELDS = 4  # properties of one object set at a time
LOCATION = "us-central1"

# "." and ".." would be removed from the path by the HTTP client (dot segments)
_NAME = st.text(st.characters(codec="utf-8"), min_size=1, max_size=12).filter(
    lambda text: text not in (".", "..")
)
_SHORT = st.text(st.characters(codec="utf-8"), max_size=16)


@dataclass
class Request:
    method: str
    path: str  # percent-encoded, with the leading "/"
    query: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | None = None

    def __str__(self) -> str:  # bodies can be 20 kB: shown cut short in failures
        body = repr(self.body[:300]) + ("..." if len(self.body) > 300 else "") if self.body else ""
        return f"{self.method} {self.target[:300]} {body}"

    @property
    def target(self) -> str:
        return self.path + ("?" + urlencode(self.query) if self.query else "")


def _key(prop: dict[str, Any]) -> int:
    return id(prop)  # documents are loaded once (functools.cache): ids are stable


_memo: dict[tuple[str, int, int], st.SearchStrategy[Any]] = {}


def value(family: str, prop: dict[str, Any], depth: int) -> st.SearchStrategy[Any]:
    """Values of one discovery schema (a property, an item, a named schema)."""
    memo_key = (family, _key(prop), depth)
    if memo_key not in _memo:
        _memo[memo_key] = st.deferred(lambda: _value(family, prop, depth))
    return _memo[memo_key]


def _value(family: str, prop: dict[str, Any], depth: int) -> st.SearchStrategy[Any]:
    if "$ref" in prop:
        if depth >= MAX_DEPTH:
            return st.just({})
        return value(family, schema(family, prop["$ref"]), depth + 1)
    kind = prop.get("type")
    if kind == "object":
        if "properties" in prop:
            return _object(family, prop["properties"], depth)
        if "additionalProperties" in prop:
            return st.dictionaries(
                _SHORT, value(family, prop["additionalProperties"], depth + 1), max_size=2
            )
        return st.just({})
    if kind == "array":
        return st.lists(value(family, prop.get("items", {}), depth + 1), max_size=2)
    if kind == "string":
        return _string(prop)
    if kind == "integer":
        if prop.get("format") == "uint32":
            return st.integers(0, 2**32 - 1)
        return st.integers(-(2**31), 2**31 - 1)
    if kind == "number":
        return st.floats(allow_nan=False, allow_infinity=False, width=32)
    if kind == "boolean":
        return st.booleans()
    return _any()  # "any": google.protobuf.Value


def _object(family: str, properties: dict[str, Any], depth: int) -> st.SearchStrategy[Any]:
    names = sorted(properties)

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        chosen = draw(st.lists(st.sampled_from(names), max_size=MAX_FIELDS, unique=True))
        return {name: draw(value(family, properties[name], depth)) for name in chosen}

    return build() if names else st.just({})


def _string(prop: dict[str, Any]) -> st.SearchStrategy[Any]:
    if "enum" in prop:
        return st.sampled_from(prop["enum"])
    fmt = prop.get("format")
    if fmt in ("int64", "uint64"):
        low = 0 if fmt == "uint64" else -(2**63)
        return st.integers(low, 2**63 - 1).map(str)
    if fmt == "google-datetime":
        return st.datetimes().map(lambda d: d.isoformat() + "Z")
    if fmt == "google-duration":
        return st.decimals(0, 10**6, places=3).map(lambda d: f"{d}s")
    if fmt == "byte":
        return st.binary(max_size=12).map(lambda b: base64.b64encode(b).decode())
    if fmt == "google-fieldmask":
        return st.lists(st.sampled_from(["displayName", "labels", "description"]), max_size=2).map(
            ",".join
        )
    return _SHORT


def _any() -> st.SearchStrategy[Any]:
    scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | _SHORT
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=2) | st.dictionaries(_SHORT, inner, max_size=2),
        max_leaves=4,
    )


# wrong types ---------------------------------------------------------------------------------

# A value of each JSON type; a field takes none of those its own type excludes.
_WRONG: dict[str, list[Any]] = {
    "string": [17, 1.5, True, {"a": 1}, ["x"]],
    "enum": [1.5, True, "NOT_A_VALUE_OF_THIS_ENUM", {"a": 1}, ["x"]],
    "integer": ["twelve", 1.5, True, {"a": 1}, [1], 2**80],
    "number": ["many", True, {"a": 1}, [1.5]],
    "boolean": ["yes", 1, 0.5, {"a": True}, [True]],
    "object": ["text", 5, True, [{}]],
    "array": ["text", 5, True, {"a": []}],
}


def valid(family: str, name: str) -> st.SearchStrategy[dict[str, Any]]:
    """Bodies of schema ``name`` (right types; values Vertex may still refuse)."""
    return value(family, schema(family, name), 0)


def corruptible(family: str, name: str, skip: frozenset[str]) -> bool:
    """Whether schema ``name`` has a top-level field that ``wrong`` can corrupt."""
    props = schema(family, name).get("properties", {})
    return any(_json_type(family, p) in _WRONG and k not in skip for k, p in props.items())


def wrong(family: str, name: str, skip: frozenset[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Bodies of schema ``name`` with one field, at some depth, of a wrong JSON type.
    ``skip``: top-level fields the path sets, whose body value the emulator replaces."""

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        body: dict[str, Any] = draw(valid(family, name))
        target, props, depth = body, schema(family, name).get("properties", {}), 0
        while True:
            typed = {
                k: p
                for k, p in sorted(props.items())
                if _json_type(family, p) in _WRONG and (depth or k not in skip)
            }
            if not typed:
                return body
            key = draw(st.sampled_from(sorted(typed)))
            prop = _resolve(family, typed[key])
            inner = prop.get("properties")
            if inner and depth < MAX_DEPTH and draw(st.booleans()):
                nested = target.get(key)
                if not isinstance(nested, dict):
                    nested = target[key] = {}
                target, props, depth = nested, inner, depth + 1
                continue
            target[key] = draw(st.sampled_from(_WRONG[str(_json_type(family, prop))]))
            return body

    return build()


def _resolve(family: str, prop: dict[str, Any]) -> dict[str, Any]:
    return schema(family, prop["$ref"]) if "$ref" in prop else prop


def _json_type(family: str, prop: dict[str, Any]) -> str | None:
    """The JSON type a field must have; None where proto3 JSON takes several (Value,
    ListValue, Struct maps, Any), which have no wrong type."""
    prop = _resolve(family, prop)
    kind = prop.get("type")
    if kind == "string" and prop.get("format") in ("int64", "uint64"):
        return None  # proto3 JSON takes int64 as a string or a number
    if kind == "string" and "enum" in prop:
        return "enum"  # a number is a right type for an enum
    if kind == "object" and "additionalProperties" in prop:
        return "object"
    if kind == "object" and "properties" not in prop:
        return None  # google.protobuf.Struct / Any: anything object-like
    return kind if kind in _WRONG else None


# whole requests ------------------------------------------------------------------------------


def path_values(
    method: Method, project: str, known: dict[str, list[str]]
) -> st.SearchStrategy[Any]:
    """Values for the flat path's variables: mostly the test's project, the default region
    and ids of resources that exist, sometimes any text."""
    entries: dict[str, st.SearchStrategy[str]] = {}
    for variable in method.path_variables:
        if variable in ("projectsId", "projectId"):
            entries[variable] = st.just(project) | _NAME
        elif variable == "locationsId":
            entries[variable] = st.just(LOCATION) | _NAME
        elif known.get(variable):
            entries[variable] = st.sampled_from(known[variable]) | _NAME
        else:
            entries[variable] = st.from_regex(r"[1-9][0-9]{0,18}", fullmatch=True) | _NAME
    return st.fixed_dictionaries(entries)


def query(method: Method) -> st.SearchStrategy[list[tuple[str, str]]]:
    params = method.query_parameters

    @st.composite
    def build(draw: st.DrawFn) -> list[tuple[str, str]]:
        chosen = draw(st.lists(st.sampled_from(sorted(params)), max_size=3, unique=True))
        pairs: list[tuple[str, str]] = []
        for name in chosen:
            prop = params[name]
            text = _query_text(prop) | _SHORT  # a right type, or any text
            count = draw(st.integers(1, 2)) if prop.get("repeated") else 1
            pairs += [(name, draw(text)) for _ in range(count)]
        if draw(st.booleans()):
            pairs.append(("$alt", "json;enum-encoding=int"))
        return pairs

    return build() if params else st.just([])


def _query_text(prop: dict[str, Any]) -> st.SearchStrategy[str]:
    if prop.get("type") == "integer":
        return st.integers(-(2**31), 2**31 - 1).map(str)
    if prop.get("type") == "boolean":
        return st.sampled_from(["true", "false"])
    return _string(prop).map(str)


def encode(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()
