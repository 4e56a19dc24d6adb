"""What a CreatePipelineJob request must hold: a PipelineSpec (as the KFP compiler writes it)
and parameter values its root accepts. Checked here, in the embedded Vertex, before anything
runs: a bad request is refused with INVALID_ARGUMENT naming the field, never half-started."""

from __future__ import annotations

from typing import Any

from ..core.errors import invalid_argument

WHERE = "pipeline_job"
_NEEDED = ("pipelineInfo", "root", "components", "deploymentSpec")
# parameterType → (what it is called, the JSON value types it accepts)
_TYPES: dict[str, tuple[str, tuple[type, ...]]] = {
    "STRING": ("a string", (str,)),
    "NUMBER_INTEGER": ("an integer", (int, float)),
    "NUMBER_DOUBLE": ("a number", (int, float)),
    "BOOLEAN": ("a boolean", (bool,)),
    "LIST": ("a list", (list,)),
    "STRUCT": ("a struct (JSON object)", (dict,)),
}
# the legacy runtimeConfig.parameters' Value fields
_LEGACY = ("stringValue", "intValue", "doubleValue")


def check_spec(spec: Any) -> dict[str, Any]:
    """The PipelineSpec, or INVALID_ARGUMENT saying what is missing."""
    field = f"{WHERE}.pipeline_spec"
    if not isinstance(spec, dict) or not spec:
        raise invalid_argument(f"{field} is required: the compiled pipeline (KFP's PipelineSpec).")
    missing = [key for key in _NEEDED if not spec.get(key)]
    if missing or not isinstance(spec.get("root"), dict) or "dag" not in spec["root"]:
        what = ", ".join(missing) if missing else "root.dag"
        raise invalid_argument(
            f"{field} is not a PipelineSpec: it has no {what}. Compile the pipeline with "
            "kfp.compiler.Compiler().compile(...) and submit the YAML it writes."
        )
    if not str((spec.get("pipelineInfo") or {}).get("name") or ""):
        raise invalid_argument(f"{field}.pipeline_info.name is required.")
    _check_cycles(spec["root"]["dag"].get("tasks") or {}, f"{field}.root.dag")
    return spec


def _check_cycles(tasks: dict[str, Any], field: str) -> None:
    state: dict[str, int] = {}  # 1: being visited, 2: done

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            cycle = " -> ".join([*path[path.index(name) :], name])
            raise invalid_argument(f"{field} has a cycle: {cycle}.")
        state[name] = 1
        for upstream in (tasks.get(name) or {}).get("dependentTasks") or []:
            if upstream not in tasks:
                raise invalid_argument(f"{field}.tasks[{name}] depends on unknown task {upstream}.")
            visit(upstream, [*path, name])
        state[name] = 2

    for name in sorted(tasks):  # the same cycle named whatever order the spec lists tasks in
        visit(name, [])


def _legacy_value(name: str, value: Any) -> Any:
    if not isinstance(value, dict) or len(value) != 1 or next(iter(value)) not in _LEGACY:
        raise invalid_argument(
            f"Invalid {WHERE}.runtime_config.parameters[{name}]: one of {', '.join(_LEGACY)}."
        )
    kind, raw = next(iter(value.items()))
    return {"stringValue": str, "intValue": int, "doubleValue": float}[kind](raw)


def arguments(spec: dict[str, Any], runtime: dict[str, Any]) -> dict[str, Any]:
    """The pipeline's arguments from ``runtimeConfig`` (``parameterValues``, or the legacy
    ``parameters``), checked against the root's parameters: names, types, required ones."""
    declared = ((spec["root"].get("inputDefinitions") or {}).get("parameters")) or {}
    given: dict[str, Any] = dict(runtime.get("parameterValues") or {})
    for name, value in (runtime.get("parameters") or {}).items():
        given[name] = _legacy_value(name, value)
    field = f"{WHERE}.runtime_config.parameter_values"
    out: dict[str, Any] = {}
    for name, value in given.items():
        if name not in declared:
            known = ", ".join(sorted(declared)) or "none"
            raise invalid_argument(
                f"Invalid {field}: the pipeline has no parameter {name!r} (its parameters: "
                f"{known})."
            )
        kind = str(declared[name].get("parameterType") or "STRING")
        what, types = _TYPES.get(kind, ("a value", (object,)))
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        wrong = not isinstance(value, types) or (isinstance(value, bool) != (kind == "BOOLEAN"))
        if kind == "NUMBER_INTEGER" and number and not float(value).is_integer():
            wrong = True
        if kind in ("NUMBER_INTEGER", "NUMBER_DOUBLE") and not number:
            wrong = True
        if wrong:
            raise invalid_argument(
                f"Invalid {field}[{name}]: {kind} parameter, so {what}; got {value!r}."
            )
        out[name] = int(value) if kind == "NUMBER_INTEGER" else value
    for name, definition in declared.items():
        if (
            name not in out
            and "defaultValue" not in definition
            and not definition.get("isOptional")
        ):
            raise invalid_argument(
                f"{field} is missing the required parameter {name!r} "
                f"({definition.get('parameterType', 'STRING')}, no default)."
            )
    return out
