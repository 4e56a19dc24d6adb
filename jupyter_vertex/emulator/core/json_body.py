"""Request bodies parsed as strictly as Google's JSON frontend parses them.

Python's ``json`` module is lenient where Google is not, and some of what it lets through
later breaks the emulator instead of the request: a repeated name silently keeps its last
value; ``NaN``/``Infinity`` and ``1e400`` become floats that render back as invalid JSON;
an escaped lone surrogate (``"\\ud800"``) becomes a string that cannot be encoded again;
deep nesting raises ``RecursionError`` and integers past Python's digit limit ``ValueError``.
Each is refused here with INVALID_ARGUMENT, before any handler sees the body. Online
prediction's raw routes pass their bodies on unparsed and are not checked here.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from .errors import invalid_argument

# protobuf's JSON parser refuses messages nested deeper than this (its recursion limit)
MAX_DEPTH = 100
_PREFIX = "Invalid JSON payload received."
# an escaped UTF-16 surrogate: only then can a parsed string hold a lone one
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class _Refused(Exception):
    """Raised from inside ``json.loads`` hooks: the message says why."""


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Refused(f"{_PREFIX} Duplicate name {_shown(key)} in one object.")
            seen.add(key)
    return result


def _float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _Refused(f"{_PREFIX} The number {text[:40]} is out of range.")
    return value


def _constant(text: str) -> Any:
    raise _Refused(f"{_PREFIX} Unexpected token {text}: not a JSON value.")


def parse_object(raw: bytes) -> dict[str, Any] | None:
    """The body as a JSON object (None when empty); INVALID_ARGUMENT when it is anything
    Google's frontend would refuse."""
    if not raw.strip():
        return None
    try:
        text = raw.decode("utf-8")  # strict: invalid bytes and encoded surrogates refused
        body = json.loads(
            text, object_pairs_hook=_object, parse_float=_float, parse_constant=_constant
        )
    except UnicodeDecodeError:
        raise invalid_argument(f"{_PREFIX} The body is not UTF-8.") from None
    except json.JSONDecodeError as exc:
        raise invalid_argument(
            f"{_PREFIX} {exc.msg} (line {exc.lineno}, column {exc.colno})."
        ) from None
    except _Refused as exc:
        raise invalid_argument(str(exc)) from None
    except RecursionError:
        raise invalid_argument(_too_deep()) from None
    except ValueError:  # an integer past Python's digit limit (sys.get_int_max_str_digits)
        raise invalid_argument(f"{_PREFIX} A number is out of range.") from None
    if not isinstance(body, dict):
        raise invalid_argument(f"{_PREFIX} The body must be an object.")
    problem = _check(body, 1, bool(_SURROGATE_ESCAPE.search(text)))
    if problem:
        raise invalid_argument(problem)
    return body


def _check(value: Any, depth: int, surrogates: bool) -> str | None:
    """The first problem in a parsed value: too deep, or (when the text had surrogate
    escapes) a string with a lone surrogate. Recursion is bounded by MAX_DEPTH."""
    if isinstance(value, dict):
        if depth > MAX_DEPTH:
            return _too_deep()
        for key, item in value.items():
            problem = (surrogates and _lone_surrogate(key)) or _check(item, depth + 1, surrogates)
            if problem:
                return problem
    elif isinstance(value, list):
        if depth > MAX_DEPTH:
            return _too_deep()
        for item in value:
            problem = _check(item, depth + 1, surrogates)
            if problem:
                return problem
    elif surrogates and isinstance(value, str):
        return _lone_surrogate(value)
    return None


def _lone_surrogate(text: str) -> str | None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return f"{_PREFIX} Invalid \\u escape: a lone UTF-16 surrogate in a string."
    return None


def _too_deep() -> str:
    return f"{_PREFIX} Nesting deeper than {MAX_DEPTH} levels."


def _shown(key: str) -> str:
    """A name for a message: quoted, cut short, escaped (it may hold a lone surrogate)."""
    return json.dumps(key if len(key) <= 60 else key[:57] + "...")
