"""List semantics shared by every ``List*`` method: ``filter`` (:mod:`.filters`),
``order_by``, pagination.

- ``order_by``: ``"field [asc|desc], ..."`` over the fields a collection allows.
- pages: ``page_size`` 0 → the default (100), capped at 1000, negative → INVALID_ARGUMENT;
  ``page_token`` is opaque: it records the sort key of the last item answered (keyset
  pagination, stable under concurrent inserts and deletes) and a fingerprint of the query,
  so a token reused with another filter or order is refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping, Sequence
from functools import cmp_to_key
from typing import Any

from .errors import invalid_argument
from .filters import Item, ListSpec, check, evaluate, parse_filter, snake

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


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
        check(node, spec)
    order = parse_order_by(order_by, spec)
    fingerprint = _fingerprint(scope, filter_text or "", order_by or "")
    selected = [item for item in items if node is None or evaluate(node, item, spec)]
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
