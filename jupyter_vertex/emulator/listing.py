"""List semantics shared by every ``List*`` method: ``filter``, ``order_by``, pagination.

- ``filter``: the AIP-160 subset Vertex documents for its list methods: restrictions
  ``field = value``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``:`` (has; ``field:*`` = present,
  ``labels:key`` = key present), ``labels.key=value``, quoted or bare values, ``*`` wildcards
  in ``=`` string values, ``NOT`` / ``-`` negation, parentheses, and ``AND`` / ``OR`` (in
  AIP-160, ``OR`` binds tighter than ``AND``; juxtaposition means ``AND``). Field names may be
  snake_case or camelCase. Timestamps compare as instants and must be quoted.
- ``order_by``: ``"field [asc|desc], ..."`` over the fields a collection allows.
- pages: ``page_size`` 0 → the default (100), capped at 1000, negative → INVALID_ARGUMENT;
  ``page_token`` is opaque: it records the sort key of the last item answered (keyset
  pagination, stable under concurrent inserts and deletes) and a fingerprint of the query,
  so a token reused with another filter or order is refused.
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import hashlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cmp_to_key
from typing import Any

from .errors import invalid_argument
from .resources import last_segment, parse_timestamp

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000

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


def resource_spec(**own: FilterField) -> ListSpec:
    """What Vertex's lists of custom jobs, pipelines, endpoints and models share: filters on
    ``display_name``, ``labels``, ``create_time`` and ``update_time`` and ordering by the
    display name and times; plus the collection's ``own`` filters."""
    return ListSpec(
        filters={
            "display_name": string_field("displayName"),
            "labels": map_field("labels"),
            "create_time": timestamp_field("createTime"),
            "update_time": timestamp_field("updateTime"),
            **own,
        },
        orders={
            "display_name": "displayName",
            "create_time": "createTime",
            "update_time": "updateTime",
        },
    )


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


def _check(node: Node, spec: ListSpec) -> None:
    """Refuse unknown fields and unsupported operators before evaluating anything."""
    if isinstance(node, _Restriction):
        _resolve(node, spec)
        return
    kind, body = node
    for child in body if kind in ("and", "or") else [body]:
        _check(child, spec)


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


def _evaluate(node: Node, item: Item, spec: ListSpec) -> bool:
    if not isinstance(node, _Restriction):
        kind, body = node
        if kind == "and":
            return all(_evaluate(child, item, spec) for child in body)
        if kind == "or":
            return any(_evaluate(child, item, spec) for child in body)
        return not _evaluate(body, item, spec)
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


# ordering --------------------------------------------------------------------------------


def parse_order_by(text: str, spec: ListSpec) -> list[tuple[str, bool]]:
    """``"display_name desc, create_time"`` → [(json_name, descending), ...]."""
    text = text.strip() if text else ""
    if not text:
        text = spec.default_order
    result: list[tuple[str, bool]] = []
    for clause in text.split(","):
        words = clause.split()
        if not words or len(words) > 2:
            raise invalid_argument(f"Invalid order_by: {clause.strip()!r}.")
        name = snake(words[0])
        if name not in spec.orders:
            supported = ", ".join(sorted(spec.orders))
            raise invalid_argument(
                f'Unsupported order_by field "{words[0]}"; supported fields: {supported}.'
            )
        descending = False
        if len(words) == 2:
            direction = words[1].lower()
            if direction not in ("asc", "desc"):
                raise invalid_argument(
                    f"Invalid order_by: {words[1]!r} must be asc or desc (after {words[0]!r})."
                )
            descending = direction == "desc"
        result.append((spec.orders[name], descending))
    return result


def _sort_key(item: Item, order: Sequence[tuple[str, bool]]) -> list[str]:
    return [str(item.get(name) or "") for name, _ in order] + [str(item.get("name", ""))]


def _compare(a: Sequence[str], b: Sequence[str], order: Sequence[tuple[str, bool]]) -> int:
    directions = [desc for _, desc in order] + [False]
    for left, right, desc in zip(a, b, directions, strict=False):
        if left != right:
            result = -1 if left < right else 1
            return -result if desc else result
    return 0


# pages ----------------------------------------------------------------------------------


def _fingerprint(scope: str, filter_text: str, order_by: str) -> str:
    digest = hashlib.sha256(json.dumps([scope, filter_text, order_by]).encode()).hexdigest()
    return digest[:16]


def _encode_token(key: Sequence[str], fingerprint: str) -> str:
    raw = json.dumps({"k": list(key), "f": fingerprint}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_token(token: str, fingerprint: str) -> list[str]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
        key, found = data["k"], data["f"]
        if not isinstance(key, list) or not all(isinstance(k, str) for k in key):
            raise ValueError("bad key")
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise invalid_argument("Invalid page_token: it was not issued by this list.") from None
    if found != fingerprint:
        raise invalid_argument(
            "Invalid page_token: it belongs to a request with another parent, filter or order_by."
        )
    return key


def page_size_of(value: Any) -> int:
    size = int(value or 0)
    if size < 0:
        raise invalid_argument(f"Invalid page_size: {size} is negative.")
    if size == 0:
        return DEFAULT_PAGE_SIZE
    return min(size, MAX_PAGE_SIZE)


def list_page(
    items: Sequence[Item],
    spec: ListSpec,
    *,
    scope: str,
    filter_text: str = "",
    order_by: str = "",
    page_size: Any = 0,
    page_token: str = "",
) -> tuple[list[Item], str]:
    """Filter, order and cut one page; answer (page, next_page_token or "")."""
    size = page_size_of(page_size)
    node = parse_filter(filter_text)
    if node is not None:
        _check(node, spec)
    order = parse_order_by(order_by, spec)
    fingerprint = _fingerprint(scope, filter_text or "", order_by or "")
    selected = [item for item in items if node is None or _evaluate(node, item, spec)]
    keyed = [(_sort_key(item, order), item) for item in selected]

    def by_key(a: tuple[list[str], Item], b: tuple[list[str], Item]) -> int:
        return _compare(a[0], b[0], order)

    keyed.sort(key=cmp_to_key(by_key))
    if page_token:
        after = _decode_token(page_token, fingerprint)
        keyed = [pair for pair in keyed if _compare(pair[0], after, order) > 0]
    page = keyed[:size]
    next_token = _encode_token(page[-1][0], fingerprint) if len(keyed) > size else ""
    return [item for _, item in page], next_token


def list_response(
    items: Sequence[Item],
    spec: ListSpec,
    *,
    scope: str,
    request: Mapping[str, Any],
    field: str,
) -> dict[str, Any]:
    """A ``List…Response`` body: one page of ``items`` under ``field``, cut per the
    request's ``filter``, ``orderBy``, ``pageSize`` and ``pageToken``."""
    page, token = list_page(
        items,
        spec,
        scope=scope,
        filter_text=request.get("filter", ""),
        order_by=request.get("orderBy", ""),
        page_size=request.get("pageSize", 0),
        page_token=request.get("pageToken", ""),
    )
    data: dict[str, Any] = {field: page}
    if token:
        data["nextPageToken"] = token
    return data
