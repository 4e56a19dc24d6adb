"""The ``filter`` of every ``List*`` method, and which fields a collection lets clients
filter and order by (:class:`ListSpec`).

The AIP-160 subset Vertex documents for its list methods: restrictions ``field = value``,
``!=``, ``<``, ``<=``, ``>``, ``>=``, ``:`` (has; ``field:*`` = present, ``labels:key`` = key
present), ``labels.key=value``, quoted or bare values, ``*`` wildcards in ``=`` string values,
``NOT`` / ``-`` negation, parentheses, and ``AND`` / ``OR`` (in AIP-160, ``OR`` binds tighter
than ``AND``; juxtaposition means ``AND``). Field names may be snake_case or camelCase.
Timestamps compare as instants and must be quoted.

:func:`parse_terms` reads the simpler filters of Cloud Logging and Cloud Monitoring:
``FIELD OP VALUE`` restrictions joined by ``AND``.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import invalid_argument
from .resources import last_segment, parse_timestamp

Item = Mapping[str, Any]


@dataclass(frozen=True)
class FilterField:
    """How one filterable field is read from an item (as answered, proto3 JSON)."""

    kind: str  # "string" | "timestamp" | "map" | "list" | "bool"
    get: Callable[[Item], Any]


def string_field(json_name: str) -> FilterField:
    return FilterField("string", lambda item: item.get(json_name))


def id_field() -> FilterField:
    return FilterField("string", lambda item: last_segment(str(item.get("name", ""))))


def timestamp_field(json_name: str) -> FilterField:
    return FilterField("timestamp", lambda item: item.get(json_name))


def map_field(json_name: str) -> FilterField:
    return FilterField("map", lambda item: item.get(json_name) or {})


def list_field(json_name: str) -> FilterField:
    return FilterField("list", lambda item: item.get(json_name) or [])


def bool_field(json_name: str) -> FilterField:
    return FilterField("bool", lambda item: bool(item.get(json_name)))


@dataclass(frozen=True)
class ListSpec:
    """What a collection lets clients filter and order by."""

    filters: Mapping[str, FilterField]
    orders: Mapping[str, str]  # order_by field -> JSON name in the item
    default_order: str = "create_time"
    extra: Mapping[str, Any] = field(default_factory=dict)


def snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", lambda m: "_" + m.group(1).lower(), name)


# filter syntax ---------------------------------------------------------------------------

_COMPARATORS = ("<=", ">=", "!=", "=", "<", ">", ":")
_WORD = re.compile(r"[^\s()\"'=<>!:]+")


@dataclass
class _Token:
    kind: str  # "(" ")" "op" "string" "word" "end"
    text: str
    pos: int
    spaced: bool = False  # preceded by whitespace


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, spaced = 0, True
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i, spaced = i + 1, True
            continue
        if ch in "()":
            tokens.append(_Token(ch, ch, i, spaced))
            i += 1
        elif ch in "\"'":
            j, chars = i + 1, []
            while j < len(text) and text[j] != ch:
                if text[j] == "\\" and j + 1 < len(text):
                    j += 1
                chars.append(text[j])
                j += 1
            if j >= len(text):
                raise _syntax(f"unterminated string starting at position {i + 1}")
            tokens.append(_Token("string", "".join(chars), i, spaced))
            i = j + 1
        else:
            op = next((c for c in _COMPARATORS if text.startswith(c, i)), None)
            if op is not None:
                tokens.append(_Token("op", op, i, spaced))
                i += len(op)
            else:
                match = _WORD.match(text, i)
                if match is None:
                    raise _syntax(f"unexpected {ch!r} at position {i + 1}")
                tokens.append(_Token("word", match.group(0), i, spaced))
                i = match.end()
        spaced = False
    tokens.append(_Token("end", "", len(text), spaced))
    return tokens


def _syntax(message: str) -> Exception:
    return invalid_argument(f"Invalid filter: {message}.")


@dataclass
class _Restriction:
    path: list[str]  # e.g. ["labels", "env"]
    op: str
    value: str
    wildcard: bool  # the value was the bare word *


Node = Any  # ("and", [..]) | ("or", [..]) | ("not", node) | _Restriction


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.i = 0

    def peek(self) -> _Token:
        return self.tokens[self.i]

    def take(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self) -> Node:
        node = self.expression()
        token = self.peek()
        if token.kind != "end":
            raise _syntax(f"unexpected {token.text!r} at position {token.pos + 1}")
        return node

    def expression(self) -> Node:
        parts = [self.sequence()]
        while self.peek().kind == "word" and self.peek().text == "AND":
            self.take()
            parts.append(self.sequence())
        return parts[0] if len(parts) == 1 else ("and", parts)

    def sequence(self) -> Node:
        parts = [self.factor()]
        while self.peek().kind in ("word", "string", "(") and self.peek().text not in (
            "AND",
            "OR",
        ):
            parts.append(self.factor())
        return parts[0] if len(parts) == 1 else ("and", parts)

    def factor(self) -> Node:
        parts = [self.term()]
        while self.peek().kind == "word" and self.peek().text == "OR":
            self.take()
            parts.append(self.term())
        return parts[0] if len(parts) == 1 else ("or", parts)

    def term(self) -> Node:
        token = self.peek()
        if token.kind == "word" and token.text == "NOT":
            self.take()
            return ("not", self.simple())
        if token.kind == "word" and token.text.startswith("-") and len(token.text) > 1:
            token.text = token.text[1:]
            return ("not", self.simple())
        return self.simple()

    def simple(self) -> Node:
        token = self.peek()
        if token.kind == "(":
            self.take()
            node = self.expression()
            closing = self.take()
            if closing.kind != ")":
                raise _syntax(f'expected ")" at position {closing.pos + 1}')
            return node
        return self.restriction()

    def restriction(self) -> Node:
        token = self.take()
        if token.kind not in ("word", "string") or token.text in ("AND", "OR", "NOT"):
            where = "the end" if token.kind == "end" else f"position {token.pos + 1}"
            shown = f"{token.text!r}" if token.text else "nothing"
            raise _syntax(f"expected a field name but found {shown} at {where}")
        path = token.text.split(".")
        # labels."a key" = value
        while path[-1] == "" and self.peek().kind == "string" and not self.peek().spaced:
            path[-1] = self.take().text
        if any(part == "" for part in path):
            raise _syntax(f"invalid field name {token.text!r} at position {token.pos + 1}")
        op = self.peek()
        if op.kind != "op":
            raise invalid_argument(
                f"Invalid filter: {token.text!r} at position {token.pos + 1} needs a "
                'comparison, e.g. display_name="my-model"; free-text search is not supported.'
            )
        self.take()
        value = self.take()
        if value.kind not in ("word", "string"):
            where = "the end" if value.kind == "end" else f"position {value.pos + 1}"
            raise _syntax(f'expected a value after "{op.text}" at {where}')
        return _Restriction(path, op.text, value.text, value.kind == "word" and value.text == "*")


def parse_filter(text: str) -> Node | None:
    if not text or not text.strip():
        return None
    return _Parser(text).parse()


def check(node: Node, spec: ListSpec) -> None:
    """INVALID_ARGUMENT unless every field of the filter is one ``spec`` allows."""
    """Refuse unknown fields and unsupported operators before evaluating anything."""
    if isinstance(node, _Restriction):
        _resolve(node, spec)
        return
    kind, body = node
    for child in body if kind in ("and", "or") else [body]:
        check(child, spec)


def _resolve(node: _Restriction, spec: ListSpec) -> FilterField:
    name = snake(node.path[0])
    spec_field = spec.filters.get(name)
    if spec_field is None:
        supported = ", ".join(sorted(spec.filters))
        raise invalid_argument(
            f'Unsupported field "{node.path[0]}" in filter; supported fields: {supported}.'
        )
    joined = ".".join(node.path)
    if spec_field.kind == "map":
        if len(node.path) == 1 and node.op != ":":
            raise invalid_argument(
                f"Invalid filter: use {name}.KEY=VALUE, {name}.KEY:* or {name}:KEY, "
                f'not "{joined}{node.op}".'
            )
        if len(node.path) > 2:
            raise invalid_argument(f'Invalid filter: "{joined}" has too many parts.')
        if node.op not in ("=", "!=", ":"):
            raise invalid_argument(f'Operator "{node.op}" is not supported for "{joined}".')
    elif len(node.path) > 1:
        raise invalid_argument(f'Invalid filter: "{name}" has no subfield "{node.path[1]}".')
    elif spec_field.kind in ("string", "list", "bool") and node.op not in ("=", "!=", ":"):
        raise invalid_argument(f'Operator "{node.op}" is not supported for field "{name}".')
    elif spec_field.kind == "timestamp" and not node.wildcard:
        try:
            parse_timestamp(node.value)
        except ValueError:
            raise invalid_argument(
                f'Invalid filter: {node.value!r} for "{name}" is not an RFC 3339 timestamp '
                '(quote it, e.g. create_time>"2024-01-01T00:00:00Z").'
            ) from None
    if spec_field.kind == "bool" and not node.wildcard and node.value not in ("true", "false"):
        raise invalid_argument(f'Invalid filter: "{name}" takes true or false.')
    return spec_field


def _matches_text(actual: str, expected: str) -> bool:
    if "*" in expected:
        return fnmatch.fnmatchcase(actual, expected.replace("[", "[[]"))
    return actual == expected


def evaluate(node: Node, item: Item, spec: ListSpec) -> bool:
    """Whether ``item`` passes the parsed filter."""
    if not isinstance(node, _Restriction):
        kind, body = node
        if kind == "and":
            return all(evaluate(child, item, spec) for child in body)
        if kind == "or":
            return any(evaluate(child, item, spec) for child in body)
        return not evaluate(body, item, spec)
    spec_field = _resolve(node, spec)
    value = spec_field.get(item)
    op, expected = node.op, node.value
    if spec_field.kind == "map":
        mapping: Mapping[str, str] = value
        if len(node.path) == 1:  # labels:key
            return expected in mapping if not node.wildcard else bool(mapping)
        key = node.path[1]
        if op == ":" and node.wildcard:
            return key in mapping
        present = key in mapping
        equal = present and _matches_text(str(mapping[key]), expected)
        return not equal if op == "!=" else equal
    if op == ":" and node.wildcard:
        return bool(value)
    if spec_field.kind == "list":
        members = [str(v) for v in value]
        hit = any(_matches_text(m, expected) for m in members)
        return not hit if op == "!=" else hit
    if spec_field.kind == "bool":
        equal = bool(value) == (expected == "true")
        return not equal if op == "!=" else equal
    if spec_field.kind == "timestamp":
        if not value:
            return op == "!="
        left, right = parse_timestamp(str(value)), parse_timestamp(expected)
        return {
            "=": left == right,
            ":": left == right,
            "!=": left != right,
            "<": left < right,
            "<=": left <= right,
            ">": left > right,
            ">=": left >= right,
        }[op]
    equal = _matches_text("" if value is None else str(value), expected)
    return not equal if op == "!=" else equal


# Cloud Logging and Cloud Monitoring filters ------------------------------------------------

_TERM = re.compile(
    r"\s*(?P<field>[A-Za-z_][\w.]*)\s*(?P<op>>=|<=|!=|=|>|<|:)\s*"
    r'(?P<value>"(?:[^"\\]|\\.)*"|[^\s()"]+)\s*'
)


def parse_terms(text: str) -> list[tuple[str, str, str]]:
    """Cloud Logging's and Cloud Monitoring's filters: [(field, op, value)], joined by AND."""
    terms: list[tuple[str, str, str]] = []
    pos, text = 0, text.strip()
    while pos < len(text):
        if terms:
            conj = re.match(r"\s*AND\s+", text[pos:])
            if conj:
                pos += conj.end()
        match = _TERM.match(text, pos)
        if not match:
            raise invalid_argument(
                f"Invalid filter at position {pos}: expected FIELD OP VALUE joined by AND "
                f"(the embedded Vertex supports this subset), got {text[pos : pos + 40]!r}."
            )
        value = match.group("value")
        if value.startswith('"'):
            value = json.loads(value)
        terms.append((match.group("field"), match.group("op"), value))
        pos = match.end()
    return terms
