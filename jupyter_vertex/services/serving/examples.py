"""A model's example instance, known before any prediction fails.

Where it comes from, first found wins:

1. ``instance_example.json`` beside the model's artifacts (``{artifactUri}/instance_example.json``,
   ``{"instances": [...]}``, the body of a predict request), written by the training code
   (``examples/train_digits.py`` does). The convention is the project's: Vertex AI keeps no
   example with a model, and the artifacts folder is what every training script already writes.
2. The model's instance schema (``predictSchemata.instanceSchemaUri``, an OpenAPI schema object
   in YAML or JSON): its ``example``, else a value of its shape.

Objects are read from Cloud Storage with the backend's storage client (local storage or
Google's), off the loop, at most :data:`MAX_BYTES` each.
"""

from __future__ import annotations

import json
from typing import Any

from ...backend.clients import ClientFactory

__all__ = ["EXAMPLE_FILE", "MAX_BYTES", "ModelExamples", "instance_of_schema"]

EXAMPLE_FILE = "instance_example.json"
#: Larger examples are ignored: the Test editor is for a few instances (and bodies are 64 KiB).
MAX_BYTES = 64 * 1024
#: A schema's array shape is filled up to this many items (the editor stays readable).
MAX_ITEMS = 10_000


def _none(note: str | None = None) -> dict[str, Any]:
    return {"instances": None, "source": None, "uri": None, "note": note}


def instance_of_schema(schema: Any, depth: int = 0) -> Any:
    """A value of an OpenAPI schema object: its ``example``, else one built from its shape."""
    if not isinstance(schema, dict) or depth > 20:
        return None
    if "example" in schema:
        return schema["example"]
    examples = schema.get("examples")
    if isinstance(examples, list) and examples:
        return examples[0]
    kind = schema.get("type")
    if kind == "array":
        count = schema.get("minItems") or schema.get("maxItems") or 1
        count = min(int(count), MAX_ITEMS) if isinstance(count, int) else 1
        item = instance_of_schema(schema.get("items", {}), depth + 1)
        return [item] * count
    if kind == "object":
        properties = schema.get("properties") or {}
        return {
            str(key): instance_of_schema(value, depth + 1)
            for key, value in properties.items()
            if isinstance(value, dict)
        }
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    return {"number": 0, "integer": 0, "string": "", "boolean": False}.get(str(kind))


def _parse_example(data: bytes) -> list[Any] | str:
    """The instances of an ``instance_example.json``, or why they cannot be used."""
    try:
        value = json.loads(data)
    except ValueError as exc:
        return f"{EXAMPLE_FILE} is not valid JSON ({exc})."
    instances = value.get("instances") if isinstance(value, dict) else None
    if not isinstance(instances, list) or not instances:
        return f'{EXAMPLE_FILE} must be {{"instances": [...]}} with at least one instance.'
    return instances


def _parse_schema(data: bytes) -> Any:
    import yaml  # JSON is YAML too

    try:
        return yaml.safe_load(data)
    except yaml.YAMLError:
        return None


class ModelExamples:
    """``GET /models/{id}/example``: the example the Test editor starts with."""

    def __init__(self, clients: ClientFactory) -> None:
        self.clients = clients

    async def example(self, model_id: str) -> dict[str, Any]:
        location = await self.clients.location()
        client = await self.clients.model_service()
        model = await self.clients.call(
            client.get_model, name=f"{location.parent}/models/{model_id}"
        )
        note: str | None = None
        artifacts = str(model.artifact_uri or "")
        if artifacts.startswith("gs://"):
            uri = artifacts.rstrip("/") + "/" + EXAMPLE_FILE
            data = await self.clients.read_object(uri, MAX_BYTES)
            if isinstance(data, bytes):
                parsed = _parse_example(data)
                if isinstance(parsed, list):
                    return {"instances": parsed, "source": "artifact", "uri": uri, "note": None}
                note = parsed
            elif data == "too large":
                note = f"{uri} is over {MAX_BYTES // 1024} KiB: not used as an example."
        schema_uri = str(model.predict_schemata.instance_schema_uri or "")
        if schema_uri.startswith("gs://"):
            data = await self.clients.read_object(schema_uri, MAX_BYTES)
            if isinstance(data, bytes):
                instance = instance_of_schema(_parse_schema(data))
                if instance is not None:
                    return {
                        "instances": [instance],
                        "source": "schema",
                        "uri": schema_uri,
                        "note": note,
                    }
        return _none(note)
