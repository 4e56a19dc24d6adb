"""``update_mask`` handling for Update* methods."""

from __future__ import annotations

from collections.abc import Iterable

from . import protos
from .errors import invalid_argument
from .filters import snake


def update_paths(mask: str, type_name: str, updatable: Iterable[str]) -> list[str]:
    """The snake_case paths of ``mask`` (FieldMask JSON: comma-separated, camelCase).

    Empty masks, paths that are not fields of ``type_name`` and fields that cannot be updated
    are INVALID_ARGUMENT, each naming the path.
    """
    allowed = set(updatable)
    paths = [snake(p.strip()) for p in (mask or "").split(",") if p.strip()]
    if not paths:
        raise invalid_argument("update_mask is required and must list the fields to update.")
    fields = protos.message_class(type_name).DESCRIPTOR.fields_by_name
    for path in paths:
        head = path.split(".")[0]
        if head not in fields:
            raise invalid_argument(f'Invalid update_mask: "{path}" is not a field of {type_name}.')
        if path not in allowed:
            raise invalid_argument(
                f'Invalid update_mask: "{path}" cannot be updated; updatable fields: '
                f"{', '.join(sorted(allowed))}."
            )
    return paths
