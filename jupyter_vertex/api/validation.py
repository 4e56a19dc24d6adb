"""Request validation driven by ``api/openapi.yaml``, the API's single source of truth.

For an operation (path template + method) it checks path and query parameters and the
JSON body against the schemas in the spec, so the server cannot drift from the document.
Every failure is an :class:`~jupyter_vertex.errors.InvalidArgument` whose message names
the field.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from ..errors import InvalidArgument
from .ecma_patterns import Validator

SPEC_PATH = Path(__file__).parent / "openapi.yaml"
MAX_BODY_BYTES = 64 * 1024
_MAX_MESSAGE = 300


# libyaml's parser where PyYAML has it: the pure-Python one took 1.3-4.3 s for this
# document at server start-up on a loaded machine, the C one 0.1-0.6 s (issue 17, point 5).
_SPEC_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.cache
def load_spec() -> dict[str, Any]:
    """The OpenAPI document, parsed once."""
    with SPEC_PATH.open(encoding="utf-8") as f:
        spec: dict[str, Any] = yaml.load(f, Loader=_SPEC_LOADER)  # noqa: S506 (a safe loader)
    return spec


def resolve_refs(node: Any, root: Mapping[str, Any], seen: tuple[str, ...] = ()) -> Any:
    """Inline local ``$ref``s (the spec has no recursive schemas)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            if ref in seen:
                raise ValueError(f"recursive $ref {ref}")
            target: Any = root
            for part in ref[2:].split("/"):
                target = target[part]
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            resolved = resolve_refs(target, root, (*seen, ref))
            return {**resolved, **resolve_refs(siblings, root, seen)} if siblings else resolved
        return {k: resolve_refs(v, root, seen) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve_refs(v, root, seen) for v in node]
    return node


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


def _field(path: Sequence[Any], prefix: str = "") -> str:
    parts = [prefix] if prefix else []
    parts += [str(p) for p in path]
    return ".".join(parts) or "body"


def _describe(error: ValidationError, prefix: str = "") -> str:
    """A short message for one schema violation that names the field."""
    where = _field(list(error.absolute_path), prefix)
    kind = error.validator
    if kind == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = (
            sorted(set(error.instance) - set(allowed)) if isinstance(error.instance, dict) else []
        )
        if allowed and extra:
            names = ", ".join(
                f"'{_field([name], where if where != 'body' else '')}'" for name in extra
            )
            return f"Unknown field {names}; allowed: {', '.join(allowed)}."
    if kind == "required":
        missing = str(error.message).split("'")[1] if "'" in error.message else "?"
        return f"Field '{_field([missing], where if where != 'body' else '')}' is required."
    if kind == "type":
        expected = error.validator_value
        if isinstance(expected, list):
            expected = " or ".join(str(e) for e in expected)
        return f"Field '{where}' must be of type {expected}."
    if "propertyNames" in error.relative_schema_path:
        return _clip(f"Field '{where}' has an invalid key: {error.instance!r}.")
    if kind == "minProperties" and where == "body":
        return "The request body must set at least one field."
    if kind in ("minimum", "maximum"):
        return f"Field '{where}' is out of range: {error.message}."
    return _clip(f"Field '{where}' is invalid: {error.message}.")


VALID_CACHE = 1024  # remembered valid values (and bodies) per operation
SMALL_VALID_BODY = 1024  # bytes: bodies up to this size are remembered when valid


class Operation:
    """The validation rules of one operation of the spec."""

    def __init__(self, path: str, method: str, spec: Mapping[str, Any]) -> None:
        item = spec["paths"][path]
        operation = item[method]
        self.path = path
        self.method = method
        params = [resolve_refs(p, spec) for p in item.get("parameters", [])]
        params += [resolve_refs(p, spec) for p in operation.get("parameters", [])]
        self.path_params = {p["name"]: p for p in params if p["in"] == "path"}
        self.query_params = {p["name"]: p for p in params if p["in"] == "query"}
        # Valid parameter values and small valid bodies, checked once: jsonschema takes
        # ~0.1 ms a check, and a prediction's path and envelope repeat (issue 17 point 4).
        self._valid: set[tuple[str, Any]] = set()
        self._valid_bodies: set[bytes] = set()
        self._validators: dict[str, Draft202012Validator] = {
            p["name"]: Validator(p.get("schema", {})) for p in params
        }
        body = operation.get("requestBody")
        self.body_required = bool(body and body.get("required"))
        self.body_validator: Draft202012Validator | None = None
        if body:
            schema = resolve_refs(body["content"]["application/json"]["schema"], spec)
            self.body_validator = Validator(schema)

    # -- parameters --------------------------------------------------------------

    def _check(self, name: str, value: Any) -> None:
        if (name, value) in self._valid:
            return
        error = next(iter(self._validators[name].iter_errors(value)), None)
        if error is None:
            self._remember(self._valid, (name, value))
            return
        schema = error.schema if isinstance(error.schema, dict) else {}
        if error.validator == "pattern":
            raise InvalidArgument(f"'{_clip(str(value))}' is not a valid {name}.")
        if error.validator in ("minimum", "maximum"):
            low, high = schema.get("minimum"), schema.get("maximum")
            raise InvalidArgument(f"Parameter '{name}' must be between {low} and {high}.")
        if error.validator == "maxLength":
            raise InvalidArgument(
                f"Parameter '{name}' is too long (at most {schema.get('maxLength')} characters)."
            )
        raise InvalidArgument(_clip(f"Parameter '{name}' is invalid: {error.message}."))

    def _convert(self, name: str, raw: str, schema: Mapping[str, Any]) -> Any:
        kind = schema.get("type")
        if kind == "integer":
            try:
                return int(raw.strip(), 10)
            except ValueError:
                raise InvalidArgument(f"Parameter '{name}' must be an integer.") from None
        if kind == "boolean":
            if raw.lower() in ("true", "1"):
                return True
            if raw.lower() in ("false", "0"):
                return False
            raise InvalidArgument(f"Parameter '{name}' must be true or false.")
        return raw

    def path_args(self, values: Mapping[str, str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, param in self.path_params.items():
            raw = values.get(name)
            if raw is None:
                raise InvalidArgument(f"Parameter '{name}' is required.")
            value = self._convert(name, raw, param.get("schema", {}))
            self._check(name, value)
            out[name] = value
        return out

    def query_args(self, get_all: Callable[[str], list[str]]) -> dict[str, Any]:
        """Known query parameters, converted and checked (unknown ones are ignored)."""
        out: dict[str, Any] = {}
        for name, param in self.query_params.items():
            values = get_all(name)
            if not values:
                if param.get("required"):
                    raise InvalidArgument(f"Parameter '{name}' is required.")
                continue
            if len(values) > 1:
                raise InvalidArgument(f"Parameter '{name}' is given more than once.")
            value = self._convert(name, values[0], param.get("schema", {}))
            self._check(name, value)
            out[name] = value
        return out

    # -- body --------------------------------------------------------------------

    def body(self, raw: bytes) -> Any:
        """The parsed, validated JSON body (``None`` for operations without one)."""
        if self.body_validator is None:
            return None
        if len(raw) > MAX_BODY_BYTES:
            raise InvalidArgument(
                f"The request body is too large ({len(raw)} bytes; "
                f"the limit is {MAX_BODY_BYTES} bytes)."
            )
        if not raw.strip():
            if self.body_required:
                raise InvalidArgument("The request body must be a JSON object.")
            return None
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidArgument(f"The request body is not valid JSON: {exc}.") from None
        if raw in self._valid_bodies:
            return data
        errors = sorted(
            self.body_validator.iter_errors(data),
            key=lambda e: (len(list(e.absolute_path)), str(e.message)),
        )
        if errors:
            raise InvalidArgument(_describe(errors[0]))
        if len(raw) <= SMALL_VALID_BODY:
            self._remember(self._valid_bodies, raw)
        return data

    @staticmethod
    def _remember(valid: set[Any], item: Any) -> None:
        if len(valid) >= VALID_CACHE:
            valid.clear()
        valid.add(item)


@functools.cache
def operation(path: str, method: str) -> Operation:
    """The :class:`Operation` of ``method`` (lowercase) on ``path`` (a spec template)."""
    return Operation(path, method, load_spec())
