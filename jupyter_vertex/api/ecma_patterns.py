"""JSON Schema ``pattern`` with ECMA-262 classes, as the JSON Schema specification says.

Python's ``re`` gives ``\\s``, ``\\d`` and ``\\w`` Unicode meanings: it counts ``\\x1c``-``\\x1f``
and ``\\x85`` as white space and any script's digits as ``\\d``. A client that reads
``api/openapi.yaml`` (the panel, schemathesis, a generated client) uses ECMA-262's classes, so
the server would refuse names the document allows. :data:`Validator` checks ``pattern`` with
the ECMA classes put in; the rest of the regular expression means the same in both.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError

# ECMA-262 WhiteSpace and LineTerminator code points: what \s means there.
SPACE = r"\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
DIGIT = "0-9"
WORD = "A-Za-z0-9_"
_CLASSES = {"s": SPACE, "d": DIGIT, "w": WORD}


@functools.cache
def ecma_regex(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled for Python with ``\\s \\S \\d \\D \\w \\W`` as ECMA-262 means them."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            escaped = pattern[i + 1]
            members = _CLASSES.get(escaped.lower())
            if members is not None and escaped.islower():
                out.append(members if in_class else f"[{members}]")
            elif members is not None and not in_class:
                out.append(f"[^{members}]")
            else:  # any other escape (and a negated class inside [...]) means the same
                out.append(char + escaped)
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        out.append(char)
        i += 1
    return re.compile("".join(out))


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not ecma_regex(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


Validator: Any = validators.extend(Draft202012Validator, {"pattern": _pattern})
