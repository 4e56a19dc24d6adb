"""The shapes shared by the extension's list calls: a Vertex list request and one page."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


def list_request(
    *,
    page_size: int | None,
    page_token: str | None,
    filter: str | None = None,
    order_by: str | None = None,
    **names: str,
) -> dict[str, Any]:
    """A ``List…Request`` with the API's optional paging fields normalised for the client
    (``names`` carries ``parent`` or ``name``)."""
    return {
        **names,
        "page_size": page_size or 0,
        "page_token": page_token or "",
        "filter": filter or "",
        "order_by": order_by or "",
    }


def page(
    field: str, items: Iterable[Any], convert: Callable[[Any], dict[str, Any]], token: str
) -> dict[str, Any]:
    """One page of the extension's API: converted items under ``field``, and the token."""
    return {field: [convert(item) for item in items], "nextPageToken": token or None}
