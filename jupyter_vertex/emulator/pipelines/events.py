"""A run's task details, built from the driver's events (see :mod:`.driver`): what
``jobDetail.taskDetails`` shows while the run goes and once it has ended."""

from __future__ import annotations

from typing import Any

from ..core.resources import timestamp
from . import records as r

ROOT = "<root>"


class Tasks:
    def __init__(self, job: dict[str, Any]) -> None:
        self.started = timestamp()
        name = str(((job.get("pipelineSpec") or {}).get("pipelineInfo") or {}).get("name", ""))
        root = {
            "_id": 1,
            "_root": True,
            "_dag": True,
            "taskName": name,
            "createTime": self.started,
            "startTime": self.started,
            "state": "RUNNING",
        }
        self.details: dict[str, dict[str, Any]] = {ROOT: root}
        self._keys = {ROOT: ROOT}  # the driver's key (its DAG path) → ours
        self.done: dict[str, Any] | None = None

    def _task(self, event: dict[str, Any]) -> dict[str, Any]:
        key = str(event["key"])
        found = self.details.get(key)
        if found is None:
            parent = self.details.get(self._keys.get(str(event.get("parent")), ROOT))
            found = {
                "_id": len(self.details) + 1,
                "_parent": (parent or self.details[ROOT])["_id"],
                "_dag": bool(event.get("dag")),
                "taskName": str(event["task"]),
                "createTime": event["time"],
                "state": "PENDING",
            }
            self.details[key] = found
            self._keys[key] = key
        return found

    def apply(self, events: list[dict[str, Any]]) -> None:
        for event in events:
            kind = event.get("event")
            if kind == "root":
                self._keys[str(event["key"])] = ROOT
            elif kind == "start":
                task = self._task(event)
                task.update(state="RUNNING", startTime=event["time"])
                inputs = event.get("inputs") or {}
                _record(task, "input", inputs)
            elif kind == "end":
                task = self._task(event)
                task.update(state=event["state"], endTime=event["time"])
                _record(task, "output", event.get("outputs") or {})
                if event.get("error"):
                    task["error"] = {
                        "code": r.CODE_FAILED_PRECONDITION,
                        "message": str(event["error"]),
                    }
            elif kind == "skipped":
                task = self._task(event)
                task.update(state="NOT_TRIGGERED", startTime=event["time"], endTime=event["time"])
            elif kind == "done":
                self.done = event

    def outcome(self) -> tuple[str, int, str]:
        done = self.done or {}
        if done.get("state") == "SUCCEEDED":
            return r.SUCCEEDED, 0, ""
        for task in sorted(self.details.values(), key=lambda t: t["_id"]):
            if task["state"] == "FAILED" and not task.get("_dag") and task.get("error"):
                message = task["error"]["message"]
                return (
                    r.FAILED,
                    r.CODE_FAILED_PRECONDITION,
                    (
                        f"The DAG failed because some tasks failed. The failed tasks are: "
                        f"[{task['taskName']}]. {task['taskName']}: {message}"
                    ),
                )
        return r.FAILED, r.CODE_FAILED_PRECONDITION, str(done.get("error") or "The run failed.")


def _record(task: dict[str, Any], side: str, values: dict[str, Any]) -> None:
    """Parameters into the execution's metadata (``input:NAME`` / ``output:NAME``, as Vertex
    shows them), artifacts into the task's ``inputs`` / ``outputs``."""
    metadata = task.setdefault("_metadata", {})
    for name, value in (values.get("parameters") or {}).items():
        metadata[f"{side}:{name}"] = value
    artifacts = values.get("artifacts") or {}
    if artifacts:
        lists = task.setdefault(f"{side}s", {})
        for name, items in artifacts.items():
            lists[name] = {
                "artifacts": [
                    {
                        "displayName": item.get("displayName") or name,
                        "uri": item.get("uri", ""),
                        "schemaTitle": item.get("schemaTitle", "system.Artifact"),
                        "metadata": item.get("metadata") or {},
                        "state": "LIVE",
                    }
                    for item in items
                ]
            }
