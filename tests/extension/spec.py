"""The OpenAPI document as a test oracle: route templates and response schemas."""

from __future__ import annotations

import re
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from jupyter_vertex.api.validation import load_spec, resolve_refs

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def spec() -> dict[str, Any]:
    return load_spec()


def spec_operations() -> set[tuple[str, str]]:
    """``{(path template, METHOD)}`` of the document."""
    return {
        (path, method.upper())
        for path, item in spec()["paths"].items()
        for method in item
        if method in METHODS
    }


def match_template(path: str) -> str | None:
    """The spec's path template that ``path`` (e.g. ``/models/12``) falls under."""
    for template in spec()["paths"]:
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path):
            return template
    return None


def assert_conforms(path: str, method: str, status: int, body: Any, headers: Any = None) -> None:
    """The response is documented for the operation and its body validates."""
    template = match_template(path.split("?", 1)[0])
    assert template is not None, f"{path} is not in the OpenAPI document"
    operation = spec()["paths"][template].get(method.lower())
    assert operation is not None, f"{method} {template} is not in the OpenAPI document"
    responses = operation["responses"]
    assert str(status) in responses, f"{method} {template}: status {status} is not documented"
    response = resolve_refs(responses[str(status)], spec())
    content = response.get("content")
    if not content:
        assert body is None, f"{method} {template} {status} must have no body: {body!r}"
        return
    schema = content["application/json"]["schema"]
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    assert not errors, f"{method} {template} {status}: {errors[0].message} in {body!r}"
    if headers is not None:
        assert headers.get("Content-Type", "").startswith("application/json")
