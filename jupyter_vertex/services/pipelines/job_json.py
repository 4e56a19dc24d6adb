"""``google.cloud.aiplatform_v1.PipelineJob`` → the API's ``PipelineJob``: a summary for the
list; for one job also its parameters (for a re-run), its tasks (inputs, outputs, artifacts,
error) and its DAG — nodes from the PipelineSpec's DAGs, edges from each task's upstream
tasks, each node's state from the task details that ran it (the panel lays it out)."""

from __future__ import annotations

from typing import Any

from .source import parameters_of

__all__ = ["STATE_PREFIX", "message_dict", "pipeline_job_to_json"]

STATE_PREFIX = "PIPELINE_STATE_"
#: a node's state when its task details disagree: the first one found wins.
_NODE_ORDER = ("FAILED", "RUNNING", "CANCELLING", "PENDING", "CANCELED", "CANCELLED")


def message_dict(message: Any) -> dict[str, Any]:
    from google.protobuf import json_format

    data: dict[str, Any] = json_format.MessageToDict(type(message).pb(message))
    return data


def _artifacts(side: dict[str, Any]) -> list[dict[str, Any]]:
    items = []
    for name, listed in (side or {}).items():
        for artifact in (listed or {}).get("artifacts") or []:
            items.append(
                {
                    "name": str(name),
                    "uri": str(artifact.get("uri") or ""),
                    "type": str(artifact.get("schemaTitle") or "system.Artifact"),
                    "metadata": artifact.get("metadata") or {},
                }
            )
    return items


def _task(detail: dict[str, Any]) -> dict[str, Any]:
    metadata = (detail.get("execution") or {}).get("metadata") or {}
    inputs = {k.removeprefix("input:"): v for k, v in metadata.items() if k.startswith("input:")}
    outputs = {k.removeprefix("output:"): v for k, v in metadata.items() if k.startswith("output:")}
    error = detail.get("error")
    return {
        "taskId": str(detail.get("taskId", "")),
        "parentTaskId": str(detail["parentTaskId"]) if detail.get("parentTaskId") else None,
        "taskName": str(detail.get("taskName", "")),
        "state": str(detail.get("state", "STATE_UNSPECIFIED")),
        "startTime": detail.get("startTime"),
        "endTime": detail.get("endTime"),
        "inputs": inputs,
        "outputs": outputs,
        "inputArtifacts": _artifacts(detail.get("inputs") or {}),
        "outputArtifacts": _artifacts(detail.get("outputs") or {}),
        "error": {"message": str(error.get("message", ""))} if error else None,
    }


def _graph(spec: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Every task of the root DAG and of the DAGs under it (a nested node's id is its path:
    ``parent/child``); an edge per upstream task, and from a DAG node to its first tasks."""
    components = spec.get("components") or {}
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, str]] = []

    def walk(dag: dict[str, Any], prefix: str, owner: str | None, depth: int) -> None:
        tasks = dag.get("tasks") or {}
        for name, task in tasks.items():
            node_id = f"{prefix}{name}"
            ref = str((task.get("componentRef") or {}).get("name", ""))
            sub = (components.get(ref) or {}).get("dag")
            nodes.append(
                {
                    "id": node_id,
                    "taskName": str(name),
                    "label": str((task.get("taskInfo") or {}).get("name") or name),
                    "parent": owner,
                    "dag": bool(sub),
                }
            )
            upstream = [d for d in task.get("dependentTasks") or [] if d in tasks]
            for dep in upstream:
                edges.append({"source": f"{prefix}{dep}", "target": node_id})
            if owner is not None and not upstream:
                edges.append({"source": owner, "target": node_id})
            if sub and depth < 20:
                walk(sub, f"{node_id}/", node_id, depth + 1)

    walk((spec.get("root") or {}).get("dag") or {}, "", None, 0)
    return nodes, edges


def _paths(tasks: list[dict[str, Any]]) -> dict[str, str]:
    """Each task detail's node id: its names up from the root detail (not included)."""
    by_id = {t["taskId"]: t for t in tasks}
    paths: dict[str, str] = {}
    for task in tasks:
        names: list[str] = []
        current: dict[str, Any] | None = task
        while current is not None and current.get("parentTaskId") in by_id:
            names.append(current["taskName"])
            current = by_id.get(current["parentTaskId"])
        paths[task["taskId"]] = "/".join(reversed(names))
    return paths


def _node_state(states: list[str]) -> str:
    if not states:
        return "PENDING"
    for state in _NODE_ORDER:
        if state in states:
            return state
    return states[-1]


def pipeline_job_to_json(job: Any, *, detail: bool = False) -> dict[str, Any]:
    data = message_dict(job)
    spec = data.get("pipelineSpec") or {}
    runtime = data.get("runtimeConfig") or {}
    error = data.get("error")
    name = str(data.get("name", ""))
    answer: dict[str, Any] = {
        "name": name,
        "id": name.rsplit("/", 1)[-1],
        "displayName": str(data.get("displayName", "")),
        "pipelineName": str((spec.get("pipelineInfo") or {}).get("name", "")),
        "state": str(data.get("state", STATE_PREFIX + "UNSPECIFIED")).removeprefix(STATE_PREFIX),
        "createTime": data.get("createTime"),
        "startTime": data.get("startTime"),
        "endTime": data.get("endTime"),
        "updateTime": data.get("updateTime"),
        "error": {"code": int(error.get("code", 0)), "message": str(error.get("message", ""))}
        if error
        else None,
        "labels": {str(k): str(v) for k, v in (data.get("labels") or {}).items()},
        "pipelineRoot": runtime.get("gcsOutputDirectory"),
        "parameterValues": runtime.get("parameterValues") or {},
    }
    if not detail:
        return answer
    tasks = [_task(t) for t in (data.get("jobDetail") or {}).get("taskDetails") or []]
    tasks.sort(key=lambda t: int(t["taskId"] or 0))
    nodes, edges = _graph(spec)
    paths = _paths(tasks)
    known = {n["id"] for n in nodes}
    states: dict[str, list[str]] = {}
    ids: dict[str, list[str]] = {}
    for task in tasks:
        node_id = paths[task["taskId"]]
        if node_id in known:
            states.setdefault(node_id, []).append(task["state"])
            ids.setdefault(node_id, []).append(task["taskId"])
    for node in nodes:
        node["state"] = _node_state(states.get(node["id"], []))
        node["taskIds"] = ids.get(node["id"], [])
    answer.update(
        parameters=parameters_of(spec), tasks=tasks, graph={"nodes": nodes, "edges": edges}
    )
    return answer
