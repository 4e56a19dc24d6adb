"""A pipeline named by a file of the Jupyter root: a compiled PipelineSpec (``.yaml``,
``.yml``, ``.json``, as kfp's compiler writes them) read off the loop, or a ``.py`` defining a
``@dsl.pipeline`` compiled by kfp in a child process (:mod:`.compile_child`); and the
parameters of its root, for the form and the code."""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from ...backend.blocking import run_blocking
from ...errors import FailedPrecondition, InvalidArgument
from ..root_files import file_in_root

__all__ = ["COMPILE_TIMEOUT", "PipelineSource", "load_source", "parameters_of"]

COMPILE_TIMEOUT = 120.0
MAX_SPEC_BYTES = 16 * 1024 * 1024
COMPILED = (".yaml", ".yml", ".json")
FIELD = "path"

#: PipelineSpec parameter types → the API's (JSON) types.
TYPES = {
    "STRING": "string",
    "NUMBER_INTEGER": "integer",
    "NUMBER_DOUBLE": "number",
    "BOOLEAN": "boolean",
    "LIST": "list",
    "STRUCT": "object",
}


@dataclass
class PipelineSource:
    path: PurePosixPath
    spec: dict[str, Any]
    #: the ``@dsl.pipeline`` functions of a ``.py`` (empty for a compiled file)
    pipelines: list[str] = field(default_factory=list)
    function: str | None = None

    @property
    def name(self) -> str:
        return str(self.spec["pipelineInfo"]["name"])

    @property
    def compiled(self) -> bool:
        return self.path.suffix.lower() in COMPILED


def _pick_spec(documents: list[Any], shown: str) -> dict[str, Any]:
    """The PipelineSpec among a file's documents (kfp writes a platform spec after it in
    YAML, or both under ``pipelineSpec``/``platformSpec`` in JSON)."""
    for doc in documents:
        if isinstance(doc, dict) and isinstance(doc.get("pipelineSpec"), dict):
            doc = doc["pipelineSpec"]
        if (
            isinstance(doc, dict)
            and isinstance(doc.get("root"), dict)
            and isinstance((doc.get("pipelineInfo") or {}).get("name"), str)
        ):
            return doc
    raise InvalidArgument(
        f"Field '{FIELD}': {shown} is not a compiled pipeline (no PipelineSpec with "
        "pipelineInfo.name and root in it).",
        hint="Compile it with kfp.compiler.Compiler().compile(...), or run the .py itself.",
    )


def _read_compiled(file: Path, shown: str) -> dict[str, Any]:
    if file.stat().st_size > MAX_SPEC_BYTES:
        raise InvalidArgument(f"Field '{FIELD}': {shown} is larger than 16 MiB.")
    text = file.read_text(encoding="utf-8", errors="replace")
    try:
        if file.suffix.lower() == ".json":
            documents = [json.loads(text)]
        else:
            documents = list(yaml.safe_load_all(text))
    except (ValueError, yaml.YAMLError) as exc:
        raise InvalidArgument(f"Field '{FIELD}': {shown} cannot be parsed: {exc}") from exc
    return _pick_spec(documents, shown)


def _find(root_dir: str, path: str) -> tuple[Path, PurePosixPath]:
    file, pure = file_in_root(root_dir, path, field=FIELD)
    if pure.suffix.lower() not in (*COMPILED, ".py"):
        raise InvalidArgument(
            f"Field '{FIELD}': {path[:80]!r} is neither a compiled pipeline (.yaml, .yml, "
            ".json) nor a Python file (.py).",
        )
    return file, pure


async def _compile(file: Path, shown: str, function: str | None) -> dict[str, Any]:
    """The child's answer (no shell: the file's path is one argument)."""
    args = [sys.executable, "-m", f"{__package__}.compile_child", str(file)]
    if function:
        args.append(function)
    process = await asyncio.create_subprocess_exec(
        *args,
        cwd=str(file.parent),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), COMPILE_TIMEOUT)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise InvalidArgument(
            f"Compiling {shown} took longer than {COMPILE_TIMEOUT:.0f} s.",
            hint="Does the file run something at import? Keep work inside components.",
        ) from None
    try:
        answer: dict[str, Any] = json.loads(out or b"null") or {}
    except ValueError:
        answer = {}
    if process.returncode != 0 or not answer:
        tail = err.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        raise InvalidArgument(f"Compiling {shown} failed: {tail[0][:300]}")
    return answer


async def load_source(root_dir: str, path: str, function: str | None = None) -> PipelineSource:
    file, pure = await run_blocking(_find, root_dir, path)
    shown = repr(str(pure))
    if pure.suffix.lower() in COMPILED:
        return PipelineSource(pure, await run_blocking(_read_compiled, file, shown))
    answer = await _compile(file, shown, function)
    pipelines = [str(n) for n in answer.get("pipelines") or []]
    if answer.get("error"):
        message = str(answer["error"])
        if "kfp is not installed" in message:
            raise FailedPrecondition(message, hint="pip install kfp in the server's Python.")
        hint = None
        if len(pipelines) > 1:
            hint = f"Choose one with 'pipeline': {', '.join(pipelines)}."
        raise InvalidArgument(message, hint=hint)
    spec = _pick_spec([answer.get("spec")], shown)
    return PipelineSource(pure, spec, pipelines, str(answer.get("function") or "") or None)


def parameters_of(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The root's parameters as the form shows them: name, type, default, optional."""
    found = ((spec.get("root") or {}).get("inputDefinitions") or {}).get("parameters") or {}
    params = []
    for name, definition in sorted(found.items()):
        definition = definition or {}
        kind = str(definition.get("parameterType") or definition.get("type") or "STRING")
        item: dict[str, Any] = {
            "name": str(name),
            "type": TYPES.get(kind, "string"),
            "optional": bool(definition.get("isOptional")) or "defaultValue" in definition,
        }
        if "defaultValue" in definition:
            item["default"] = definition["defaultValue"]
        if definition.get("description"):
            item["description"] = str(definition["description"])
        params.append(item)
    return params
