"""A model server's refusal, said once in the model's own words.

The SDK's model server wraps every exception of a predictor as HTTP 500 with
``{"detail": "The following exception has occurred: ValueError. Arguments: ('X has 3
features, …',)."}``. The predict route answers that as INVALID_ARGUMENT (HTTP 400): the
message keeps the model's words and the exception's class, not the server's status or its
wrapper, so a client never shows a "500" inside a 400.
"""

from __future__ import annotations

import ast
import json
import re

__all__ = ["model_error_message"]

PREFIX = "The model refused the instances"
_WRAPPED = re.compile(
    r"The following exception has occurred: (?P<kind>[\w.]+)\. Arguments: (?P<args>\(.*\))\.?",
    re.DOTALL,
)


def _unwrap(detail: str) -> str:
    match = _WRAPPED.fullmatch(detail.strip())
    if match is None:
        return detail.strip()
    try:
        args = ast.literal_eval(match["args"])  # a tuple's repr: literals only
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return f"{match['args']} ({match['kind']})"
    words = "; ".join(str(a) for a in (args if isinstance(args, tuple) else (args,)))
    return f"{words.rstrip('. ')} ({match['kind']})" if words else match["kind"]


def model_error_message(body: bytes) -> str:
    """The message of a model server's error answer (its JSON ``detail``, or its text)."""
    text = body.decode("utf-8", "replace")
    try:
        value = json.loads(text)
    except ValueError:
        value = text
    if isinstance(value, dict):
        value = value.get("detail", value.get("error", text))
        if isinstance(value, dict):  # {"error": {"message": …}}
            value = value.get("message", text)
    words = _unwrap(str(value)).rstrip(". ") if value else ""
    return f"{PREFIX}: {words}." if words else f"{PREFIX} without saying why."
