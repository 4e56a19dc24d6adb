"""One PipelineJob's run: ``python -m jupyter_vertex.emulator.pipelines.driver RUN_DIR``.

The embedded Vertex starts this process in its own process group (cancel ends the group: the
driver and every task it started). It reads ``RUN_DIR/run.json`` (the PipelineSpec, the
arguments, the local mirror of the pipeline root, caching), runs the pipeline with KFP's own
local machinery (``kfp.components.load_component_from_text`` then ``kfp.local`` with the
``SubprocessRunner``: kfp's DAG, condition, loop, exit handler and cache logic, not ours) and
appends one JSON line per event to ``RUN_DIR/events.jsonl``: a task starts, a task ends (its
state, outputs and failure), the run ends. The engine reads that file as the run goes.

The seams are kfp.local's own functions, wrapped (never re-implemented):
``task_executor.execute_single_task`` (each executor task starts and ends there; a cache hit
returns without reaching ``task_dispatcher.run_single_task_implementation``: CACHED),
``enhanced_dag_orchestrator.execute_task`` and ``_run_parallel_for_task`` (sub-DAGs: loop
iterations, conditions, nested pipelines) and ``subprocess_task_handler.run_local_subprocess``
(a task's output is kept to give its failure the component's own message).
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import subprocess
import sys
import threading
from collections import deque
from pathlib import Path
from typing import Any

_lock = threading.Lock()
_local = threading.local()
_events_path = Path()
_mirror = ""  # the local folder that stands for gs:// (MIRROR/BUCKET/OBJECT)
_started: set[str] = set()
_dags: list[tuple[str, str, str]] = []  # (key, component, the resource name of its tasks)


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z")


def emit(**event: Any) -> None:
    event["time"] = _now()
    line = json.dumps(event, default=str) + "\n"
    with _lock, open(_events_path, "a", encoding="utf-8") as handle:
        handle.write(line)


def gs_of(local: str) -> str:
    base = _mirror.rstrip("/") + "/"
    return f"gs://{local[len(base) :]}" if _mirror and local.startswith(base) else local


def upload(local: str) -> str:
    """Copy an artifact written under the mirror to local Cloud Storage; answer its gs:// URI."""
    base = _mirror.rstrip("/") + "/"
    if not _mirror or not local.startswith(base):
        return local
    bucket_name, _, prefix = local[len(base) :].partition("/")
    path = Path(local)
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    if files:
        from google.auth.credentials import AnonymousCredentials
        from google.cloud import storage  # type: ignore[attr-defined]

        project = os.environ.get("CLOUD_ML_PROJECT_ID", "local")
        client = storage.Client(project=project, credentials=AnonymousCredentials())
        bucket = client.bucket(bucket_name)
        for file in files:
            name = prefix if file == path else f"{prefix}/{file.relative_to(path).as_posix()}"
            bucket.blob(name).upload_from_filename(str(file))
    return f"gs://{bucket_name}/{prefix}"


def _artifact(value: Any, copy: bool = True) -> dict[str, Any]:
    uri = str(getattr(value, "uri", ""))
    return {
        "uri": upload(uri) if copy else gs_of(uri),
        "schemaTitle": str(getattr(type(value), "schema_title", "system.Artifact")),
        "displayName": str(getattr(value, "name", "")),
        "metadata": dict(getattr(value, "metadata", {}) or {}),
    }


def describe(values: dict[str, Any], copy: bool = True) -> dict[str, Any]:
    """Parameters (JSON values) and artifacts (uri, schema, metadata) of a task's outputs."""
    from kfp import dsl

    parameters: dict[str, Any] = {}
    artifacts: dict[str, list[dict[str, Any]]] = {}
    for key, value in values.items():
        if isinstance(value, dsl.Artifact):
            artifacts[key] = [_artifact(value, copy)]
        elif isinstance(value, list) and value and isinstance(value[0], dsl.Artifact):
            artifacts[key] = [_artifact(item, copy) for item in value]
        else:
            parameters[key] = value
    return {"parameters": parameters, "artifacts": artifacts}


def run_local_subprocess(full_command: list[str], env_vars: dict[str, str] | None = None) -> int:
    """kfp's subprocess step, the same Popen, keeping the output's tail for the failure."""
    env = {**os.environ, **env_vars} if env_vars else None
    tail: deque[str] = deque(maxlen=40)
    with subprocess.Popen(  # noqa: S603 - kfp's own command for the component
        full_command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            sys.stdout.write(line)
            tail.append(line.rstrip("\n"))
        code = process.wait()
    _local.tail = list(tail)
    return code


def failure_of(tail: list[str], code_hint: str) -> str:
    """The component's own message: the last line of its traceback, else its last line."""
    lines = [line.strip() for line in tail if line.strip()]
    for line in reversed(lines):
        if line.startswith("Traceback"):
            break
        head = line.split(":", 1)[0]
        if head.isidentifier() and (head.endswith(("Error", "Exception")) or ":" in line):
            return line
    return lines[-1] if lines else code_hint


def refusal(error: Exception) -> str:
    """Why kfp.local refused to run a task; for a container image, what the embedded Vertex
    does about it."""
    message = str(error)
    if "Container Component" in message or "Containerized Python Component" in message:
        engine = "a container engine is on PATH" if shutil.which("docker") else "none is present"
        message += (
            " The embedded Vertex runs pipeline tasks as local processes with kfp.local's "
            "SubprocessRunner: lightweight Python components only. Container components need "
            f"a container engine, which pipelines do not use yet ({engine})."
        )
    return message


def _stack() -> list[str]:
    """The sub-DAGs (conditions, nested pipelines) this thread is inside, innermost last."""
    if not hasattr(_local, "dags"):
        _local.dags = []
    dags: list[str] = _local.dags
    return dags


def parent_of(name: str, resource: str) -> str:
    """The key of the DAG a task runs in: the enclosing condition or nested pipeline, else the
    loop iteration (a loop's tasks run in kfp's threads, named by the iteration), else the
    loop an iteration belongs to, else the pipeline."""
    stack = _stack()
    if stack:
        return stack[-1]
    if "-iteration-" in name:
        return f"{resource}/{name.rsplit('-iteration-', 1)[0]}"
    return resource


def install_seams() -> None:
    from kfp.local import status, subprocess_task_handler, task_dispatcher
    from kfp.local.orchestrator import enhanced_dag_orchestrator as enhanced
    from kfp.local.orchestrator import task_executor, task_spec_utils
    from kfp.local.orchestrator.orchestrator_utils import OrchestratorUtils

    subprocess_task_handler.run_local_subprocess = run_local_subprocess
    dispatch = task_dispatcher.run_single_task_implementation

    def dispatched(*args: Any, **kwargs: Any) -> Any:
        _local.ran = True
        return dispatch(*args, **kwargs)

    task_dispatcher.run_single_task_implementation = dispatched
    single = task_executor.execute_single_task

    def execute_single_task(**kwargs: Any) -> Any:
        name, resource = kwargs["task_name"], kwargs["pipeline_resource_name"]
        key = f"{resource}/{name}"
        _started.add(key)
        try:  # the task's arguments, as kfp resolves them
            arguments = OrchestratorUtils.make_task_arguments(
                task_inputs_spec=kwargs["task_spec"].inputs, io_store=kwargs["io_store"]
            )
            inputs = describe(arguments, copy=False)
        except Exception:  # noqa: BLE001 - kfp reports an unresolvable input itself
            inputs = {}
        emit(event="start", task=name, key=key, parent=parent_of(name, resource), inputs=inputs)
        _local.ran = False
        _local.tail = []
        try:
            outputs, result = single(**kwargs)
        except Exception as error:  # noqa: BLE001 - kfp refused the task: it fails with why
            emit(event="end", task=name, key=key, state="FAILED", error=refusal(error))
            return {}, status.Status.FAILURE
        if result == status.Status.SUCCESS:
            state = "SUCCEEDED" if _local.ran else "CACHED"
            emit(event="end", task=name, key=key, state=state, outputs=describe(outputs))
        else:
            message = failure_of(getattr(_local, "tail", []), "The task's process failed.")
            emit(event="end", task=name, key=key, state="FAILED", error=message)
        return outputs, result

    task_executor.execute_single_task = execute_single_task
    execute_task = enhanced.execute_task

    def execute_dag_task(**kwargs: Any) -> Any:
        spec = kwargs["components"][kwargs["task_spec"].component_ref.name]
        if spec.WhichOneof("implementation") != "dag":
            return execute_task(**kwargs)
        name, resource = kwargs["task_name"], kwargs["pipeline_resource_name"]
        key = f"{resource}/{name}"
        _started.add(key)
        emit(event="start", task=name, key=key, parent=parent_of(name, resource), dag=True)
        inner = task_spec_utils.get_nested_pipeline_resource_name(name, resource)
        _dags.append((key, kwargs["task_spec"].component_ref.name, inner))
        stack = _stack()
        stack.append(key)
        try:
            outputs, result = execute_task(**kwargs)
        finally:
            stack.pop()
        state = "SUCCEEDED" if result == status.Status.SUCCESS else "FAILED"
        emit(event="end", task=name, key=key, state=state, outputs=describe(outputs or {}))
        return outputs, result

    enhanced.execute_task = execute_dag_task
    parallel_for = enhanced._run_parallel_for_task

    def run_parallel_for(**kwargs: Any) -> bool:
        name, resource = kwargs["task_name"], kwargs["pipeline_resource_name"]
        key = f"{resource}/{name}"
        _started.add(key)
        emit(event="start", task=name, key=key, parent=parent_of(name, resource), dag=True)
        failed = bool(parallel_for(**kwargs))
        emit(event="end", task=name, key=key, state="FAILED" if failed else "SUCCEEDED")
        return failed

    enhanced._run_parallel_for_task = run_parallel_for


def emit_skipped(spec: dict[str, Any], root: str) -> None:
    """The tasks of every DAG that ran (the pipeline, conditions, iterations, nested
    pipelines) that kfp never started: a condition that was false, or downstream of a failure."""
    components = spec.get("components") or {}
    dags = [(root, "", root)] + list(_dags)
    for key, component, resource in dags:
        dag = spec.get("root") if not component else components.get(component)
        for name in ((dag or {}).get("dag") or {}).get("tasks") or {}:
            if f"{resource}/{name}" not in _started:
                emit(event="skipped", task=name, key=f"{resource}/{name}", parent=key)


def run(folder: Path) -> int:
    global _events_path, _mirror
    _events_path = folder / "events.jsonl"
    plan = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    _mirror = plan.get("mirror", "")
    relay_storage()
    root = ""
    try:
        from kfp import components, local

        install_seams()
        local.init(
            runner=local.SubprocessRunner(use_venv=False),
            pipeline_root=plan["root"],
            raise_on_error=True,  # a failed task ends the run with kfp's reason
            enable_caching=bool(plan["caching"]),
            cache_root=plan["cache_root"],
            workspace_root=str(folder / "workspace"),
        )
        from kfp.local import executor_input_utils

        spec = plan["spec"]
        name = str((spec.get("pipelineInfo") or {}).get("name", "pipeline"))
        root = executor_input_utils.get_local_pipeline_resource_name(name)
        # kfp names the run by the time; ours is named before it starts, so both agree
        executor_input_utils.get_local_pipeline_resource_name = lambda _name: root
        emit(event="root", key=root)
        pipeline = components.load_component_from_text(json.dumps(spec))
        pipeline(**plan["arguments"])
    except Exception as error:  # noqa: BLE001 - the run fails with kfp's reason
        if _started:
            emit_skipped(plan["spec"], root)
        emit(event="done", state="FAILED", error=plain(f"{error}"))
        return 1
    emit_skipped(plan["spec"], root)
    emit(event="done", state="SUCCEEDED")
    return 0


def relay_storage() -> None:
    """Point this process's Cloud Storage clients, and its tasks' (they inherit the
    environment), at a relay that adds the embedded Vertex's token: local storage answers
    only the token, and a component's plain ``storage.Client()`` sends none. The copies
    :func:`upload` makes go through it too."""
    from ..core.connection import STORAGE_ENV, TOKEN_ENV
    from ..storage.relay import storage_relay

    url, token = os.environ.get(STORAGE_ENV, ""), os.environ.get(TOKEN_ENV, "")
    if url and token:
        os.environ[STORAGE_ENV] = storage_relay(url, token)


def plain(text: str) -> str:
    """kfp's message without its terminal colours."""
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    return run(Path(args[0]))


if __name__ == "__main__":
    sys.exit(main())
