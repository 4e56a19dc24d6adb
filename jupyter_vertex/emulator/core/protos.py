"""Vertex AI v1 protobuf messages: validating requests and rendering answers.

Requests are checked by parsing them into the very messages the client libraries send
(``google.cloud.aiplatform.v1.*``), so unknown fields and wrong types are refused exactly
where Vertex refuses them, with a message that names the field. Answers are rendered through
the same messages, which gives proto3 JSON: camelCase, int64 as strings, defaults left out,
and enums as names or as numbers (the SDK asks ``$alt=json;enum-encoding=int``).

Importing ``google.cloud.aiplatform_v1`` costs ~1.3 s because its ``__init__`` imports every
service. :func:`load` imports just the ``types`` modules the emulator needs (~0.1 s) by
giving the two parent packages a bare module object while they load, then takes the
placeholders away again, so a later full import (same process) works as usual and reuses the
already-registered message types. If that ever fails, it falls back to the plain import.
:func:`import_types` does the same for any Google client package (Cloud Monitoring's too).
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import threading
import types
from collections.abc import Iterable, Mapping
from typing import Any

from google.protobuf import descriptor_pool, json_format, message_factory
from google.protobuf.descriptor import FieldDescriptor as F

from .errors import invalid_argument

# The aiplatform_v1 ``types`` modules this emulator serves. Later slices add theirs here.
TYPE_MODULES: tuple[str, ...] = (
    "model_service",
    "endpoint_service",
    "operation",
    "job_service",
    "pipeline_service",
    "schedule_service",
    "prediction_service",  # Predict/RawPredict's messages, for the gRPC transport
)

_lock = threading.Lock()
_loaded: set[str] = set()

# Well-known types: json_format gives them their special JSON forms; don't walk into them.
_WELL_KNOWN = {
    "google.protobuf.Any",
    "google.protobuf.Duration",
    "google.protobuf.Empty",
    "google.protobuf.FieldMask",
    "google.protobuf.ListValue",
    "google.protobuf.Struct",
    "google.protobuf.Timestamp",
    "google.protobuf.Value",
    "google.protobuf.BoolValue",
    "google.protobuf.BytesValue",
    "google.protobuf.DoubleValue",
    "google.protobuf.FloatValue",
    "google.protobuf.Int32Value",
    "google.protobuf.Int64Value",
    "google.protobuf.StringValue",
    "google.protobuf.UInt32Value",
    "google.protobuf.UInt64Value",
}


def load(modules: Iterable[str] = TYPE_MODULES) -> None:
    """Import the given ``google.cloud.aiplatform_v1.types`` modules (idempotent)."""
    wanted = [m for m in modules if m not in _loaded]
    if not wanted:
        return
    with _lock:
        wanted = [m for m in wanted if m not in _loaded]
        if wanted:
            import_types("google.cloud.aiplatform_v1", wanted, "google-cloud-aiplatform")
            # the Operation message and Empty, for LRO answers
            importlib.import_module("google.longrunning.operations_pb2")
            importlib.import_module("google.protobuf.empty_pb2")
            _loaded.update(wanted)


def message_class(full_name: str) -> Any:
    descriptor = descriptor_pool.Default().FindMessageTypeByName(full_name)
    return message_factory.GetMessageClass(descriptor)


# rendering -------------------------------------------------------------------------------


def render(full_name: str, data: Mapping[str, Any], *, int_enums: bool) -> dict[str, Any]:
    """``data`` (proto3 JSON) re-rendered through the message, as Google answers it."""
    message = message_class(full_name)()
    json_format.ParseDict(data, message)
    result: dict[str, Any] = json.loads(
        json_format.MessageToJson(message, use_integers_for_enums=int_enums, indent=None)
    )
    return result


# request parsing ---------------------------------------------------------------------------


def parse(full_name: str, data: Any) -> dict[str, Any]:
    """Validate a request (as proto3 JSON) against its message; return it normalised.

    Raises INVALID_ARGUMENT naming the first offending field, in the words of Google's
    JSON transcoder (``Unknown name "foo" at 'model': Cannot find field.``).
    """
    message = message_class(full_name)()
    try:
        json_format.ParseDict(data, message)
    # OverflowError: an integer too large for a double field (json_format's float())
    except (json_format.ParseError, TypeError, ValueError, AttributeError, OverflowError) as exc:
        problem = _explain(message.DESCRIPTOR, data, "")
        if problem is None:
            text = str(exc).split("\n")[0]
            problem = f"Invalid JSON payload received. {text}"
        raise invalid_argument(problem) from None
    # json_format takes true and 1.5 for an enum (bool is an int in Python; it truncates
    # floats); Google refuses both, as _explain does
    problem = _explain(message.DESCRIPTOR, data, "")
    if problem is not None:
        raise invalid_argument(problem)
    result: dict[str, Any] = json.loads(json_format.MessageToJson(message, indent=None))
    return result


def query_to_request(
    full_name: str, query: Mapping[str, list[str]], ignored: Iterable[str] = ()
) -> dict[str, Any]:
    """Query parameters as request JSON, typed by the request message's fields."""
    descriptor = message_class(full_name).DESCRIPTOR
    skip = set(ignored)
    result: dict[str, Any] = {}
    for key, values in query.items():
        if key in skip or key.startswith("$") or key in _SYSTEM_PARAMETERS:
            continue
        target, desc, field = result, descriptor, None
        parts = key.split(".")
        for index, part in enumerate(parts):
            field = _field(desc, part)
            if field is None:
                raise invalid_argument(
                    f'Invalid JSON payload received. Unknown name "{key}": Cannot bind query '
                    f"parameter. Field '{part}' could not be found in request message."
                )
            if index < len(parts) - 1:
                if field.message_type is None or _repeated(field):
                    raise invalid_argument(f'Cannot bind query parameter "{key}".')
                target = target.setdefault(field.json_name, {})
                desc = field.message_type
        assert field is not None
        if _repeated(field):
            target[field.json_name] = [_query_scalar(field, key, v) for v in values]
        else:
            if len(values) > 1:
                raise invalid_argument(
                    f'Invalid JSON payload received. Repeated query parameter "{key}" for a '
                    "field that is not repeated."
                )
            target[field.json_name] = _query_scalar(field, key, values[0])
    return result


_SYSTEM_PARAMETERS = {"alt", "prettyPrint", "fields", "key", "quotaUser", "access_token"}


def _query_scalar(field: Any, key: str, text: str) -> Any:
    if field.type == F.TYPE_BOOL:
        if text in ("true", "false"):
            return text == "true"
    elif field.type in _INT_TYPES:
        try:
            return int(text)
        except ValueError:
            pass
    elif field.type in (F.TYPE_DOUBLE, F.TYPE_FLOAT):
        try:
            return float(text)
        except ValueError:
            pass
    elif field.type == F.TYPE_MESSAGE:
        if field.message_type.full_name == "google.protobuf.FieldMask":
            # Google accepts snake_case and camelCase paths; proto3 JSON wants camelCase.
            return ",".join(_camel_path(p.strip()) for p in text.split(",") if p.strip())
        if field.message_type.full_name in _WELL_KNOWN:
            return text
        raise invalid_argument(f'Cannot bind query parameter "{key}" to a message field.')
    else:
        return text
    raise invalid_argument(f"Invalid value at '{_snake(key)}' ({_type_name(field)}), \"{text}\"")


def _repeated(field: Any) -> bool:
    flag = getattr(field, "is_repeated", None)  # protobuf >= 5.28; ``label`` went in 7
    if flag is None:  # pragma: no cover - older protobuf
        return bool(field.label == field.LABEL_REPEATED)
    return bool(flag)


def _field(descriptor: Any, name: str) -> Any:
    field = descriptor.fields_by_name.get(name)
    if field is None:
        field = next((f for f in descriptor.fields if f.json_name == name), None)
    return field


def _camel_path(path: str) -> str:
    return ".".join(
        part.split("_")[0] + "".join(w[:1].upper() + w[1:] for w in part.split("_")[1:])
        for part in path.split(".")
    )


def _snake(path: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in path)


_INT_TYPES = {
    F.TYPE_INT32,
    F.TYPE_INT64,
    F.TYPE_UINT32,
    F.TYPE_UINT64,
    F.TYPE_SINT32,
    F.TYPE_SINT64,
    F.TYPE_FIXED32,
    F.TYPE_FIXED64,
    F.TYPE_SFIXED32,
    F.TYPE_SFIXED64,
}
_TYPE_NAMES = {v: k for k, v in vars(F).items() if k.startswith("TYPE_") and isinstance(v, int)}


def _type_name(field: Any) -> str:
    if field.type == F.TYPE_ENUM:
        return f"type.googleapis.com/{field.enum_type.full_name}"
    if field.type == F.TYPE_MESSAGE:
        return f"type.googleapis.com/{field.message_type.full_name}"
    return _TYPE_NAMES.get(field.type, "TYPE_UNKNOWN")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _explain(descriptor: Any, value: Any, path: str) -> str | None:
    """The first problem in ``value`` for a message, in Google's words, or None."""
    if not isinstance(value, dict):
        where = f" at '{path}'" if path else ""
        return f"Invalid JSON payload received. Expected an object{where}."
    for key, item in value.items():
        field = _field(descriptor, key)
        if field is None:
            where = f" at '{path}'" if path else ""
            return f'Invalid JSON payload received. Unknown name "{key}"{where}: Cannot find field.'
        if item is None:
            continue
        problem = _explain_field(field, item, _join(path, field.name))
        if problem:
            return problem
    return None


def _explain_field(field: Any, value: Any, path: str) -> str | None:
    if field.message_type is not None and field.message_type.GetOptions().map_entry:
        if not isinstance(value, dict):
            return _bad_value(field, value, path)
        value_field = field.message_type.fields_by_name["value"]
        for key, item in value.items():
            problem = _explain_single(value_field, item, f"{path}[{json.dumps(key)}]")
            if problem:
                return problem
        return None
    if _repeated(field):
        if not isinstance(value, list):
            return _bad_value(field, value, path)
        for index, item in enumerate(value):
            problem = _explain_single(field, item, f"{path}[{index}]")
            if problem:
                return problem
        return None
    return _explain_single(field, value, path)


def _explain_single(field: Any, value: Any, path: str) -> str | None:
    kind = field.type
    if kind == F.TYPE_MESSAGE:
        if field.message_type.full_name in _WELL_KNOWN:
            return _explain_well_known(field, value, path)
        return _explain(field.message_type, value, path)
    ok: bool
    if kind == F.TYPE_STRING:
        ok = isinstance(value, str)
    elif kind == F.TYPE_BYTES:
        ok = isinstance(value, str)
    elif kind == F.TYPE_BOOL:
        ok = isinstance(value, bool)
    elif kind in _INT_TYPES:
        ok = (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
        if isinstance(value, str):
            try:
                int(value)
                ok = True
            except ValueError:
                ok = False
    elif kind in (F.TYPE_DOUBLE, F.TYPE_FLOAT):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if isinstance(value, str):
            try:
                float(value)
                ok = True
            except ValueError:
                ok = False
    elif kind == F.TYPE_ENUM:
        if isinstance(value, str):
            ok = value in field.enum_type.values_by_name
        else:
            ok = isinstance(value, int) and not isinstance(value, bool)
    else:  # pragma: no cover - every proto3 scalar type is handled above
        ok = True
    return None if ok else _bad_value(field, value, path)


def _explain_well_known(field: Any, value: Any, path: str) -> str | None:
    message = message_class(field.message_type.full_name)()
    try:
        json_format.ParseDict(value, message)
    except (json_format.ParseError, TypeError, ValueError, AttributeError, OverflowError):
        return _bad_value(field, value, path)
    return None


def _bad_value(field: Any, value: Any, path: str) -> str:
    shown = json.dumps(value) if not isinstance(value, str) else f'"{value}"'
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return f"Invalid value at '{path}' ({_type_name(field)}), {shown}"


# light imports of Google client packages ---------------------------------------------------


def import_types(package: str, names: Iterable[str], distribution: str) -> None:
    """Import ``PACKAGE.types.NAME`` for each name, registering their messages.

    While they import, ``PACKAGE`` and ``PACKAGE.types`` are bare placeholder packages (so
    their ``__init__`` does not run); the loaded submodules stay in ``sys.modules``, and a
    full import of the package later picks them up. Should the light import fail, the
    package is imported the ordinary way."""
    names = list(names)
    subpackage = f"{package}.types"
    if package in sys.modules:
        for name in names:
            importlib.import_module(f"{subpackage}.{name}")
        return
    import google.cloud

    leaf = package.rpartition(".")[2]
    root = next(
        (
            os.path.join(p, leaf)
            for p in google.cloud.__path__
            if os.path.isdir(os.path.join(p, leaf))
        ),
        None,
    )
    if root is None:  # pragma: no cover - broken install
        raise ImportError(f"{distribution} is not installed")
    placeholders = {package: root, subpackage: os.path.join(root, "types")}
    for module_name, path in placeholders.items():
        placeholder = types.ModuleType(module_name)
        placeholder.__path__ = [path]
        sys.modules[module_name] = placeholder
    try:
        for name in names:
            importlib.import_module(f"{subpackage}.{name}")
    except Exception:
        for module_name in placeholders:
            sys.modules.pop(module_name, None)
        for name in names:
            importlib.import_module(f"{subpackage}.{name}")
        return
    for module_name in placeholders:
        sys.modules.pop(module_name, None)
