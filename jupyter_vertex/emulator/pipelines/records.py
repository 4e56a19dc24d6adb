"""PipelineJob records as stored, their states (Vertex's PipelineState names) and the task
details the engine keeps while a run goes (``_tasks``, rendered as ``jobDetail.taskDetails``)."""

from __future__ import annotations

from typing import Any

from ..core.job_tasks import JobFamily, end_job

KIND = "pipelineJob"

QUEUED = "PIPELINE_STATE_QUEUED"
PENDING = "PIPELINE_STATE_PENDING"
RUNNING = "PIPELINE_STATE_RUNNING"
SUCCEEDED = "PIPELINE_STATE_SUCCEEDED"
FAILED = "PIPELINE_STATE_FAILED"
CANCELLING = "PIPELINE_STATE_CANCELLING"
CANCELLED = "PIPELINE_STATE_CANCELLED"
TERMINAL = frozenset({SUCCEEDED, FAILED, CANCELLED})

# A task's state as the engine keeps it → (PipelineTaskDetail.State, Execution.State), as
# Vertex shows them: a cached task is SKIPPED with a CACHED execution; a task kfp never
# started (a false condition, downstream of a failure) is NOT_TRIGGERED.
TASK_STATES = {
    "PENDING": ("PENDING", "NEW"),
    "RUNNING": ("RUNNING", "RUNNING"),
    "SUCCEEDED": ("SUCCEEDED", "COMPLETE"),
    "CACHED": ("SKIPPED", "CACHED"),
    "FAILED": ("FAILED", "FAILED"),
    "NOT_TRIGGERED": ("NOT_TRIGGERED", "NEW"),
    "CANCELLED": ("CANCELLED", "CANCELLED"),
}
TASK_ENDED = frozenset({"SUCCEEDED", "CACHED", "FAILED", "NOT_TRIGGERED", "CANCELLED"})

CODE_CANCELLED = 1
CODE_INTERNAL = 13
CODE_FAILED_PRECONDITION = 9

RESTART_REASON = (
    "The embedded Vertex stopped while this pipeline ran; its tasks stopped with it and the "
    "run is not resumed. Artifacts already written stay under the pipeline root: submit the "
    "pipeline again (with caching, finished tasks are reused)."
)


def render(job: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in job.items() if not k.startswith("_")}
    tasks = job.get("_tasks") or {}
    if tasks:
        details = [_detail(task) for task in sorted(tasks.values(), key=lambda t: t["_id"])]
        out["jobDetail"] = {"taskDetails": details}
    return out


def _detail(task: dict[str, Any]) -> dict[str, Any]:
    detail = {k: v for k, v in task.items() if not k.startswith("_")}
    detail["taskId"] = str(task["_id"])
    if task.get("_parent"):
        detail["parentTaskId"] = str(task["_parent"])
    detail["state"], execution = TASK_STATES[task["state"]]
    detail["execution"] = {
        "displayName": task["taskName"],
        "state": execution,
        "schemaTitle": "system.DagExecution" if task.get("_dag") else "system.ContainerExecution",
        "metadata": task.get("_metadata") or {},
    }
    return detail


def finish(job: dict[str, Any], state: str, now: str, code: int = 0, message: str = "") -> None:
    end_job(job, state, now, code, message)
    ended = {SUCCEEDED: "SUCCEEDED", FAILED: "FAILED", CANCELLED: "CANCELLED"}[state]
    for task in (job.get("_tasks") or {}).values():
        if task["state"] not in TASK_ENDED:
            # the root DAG ends as the run does; a task still going is cut short with it
            task["state"] = ended if task.get("_root") else "CANCELLED"
            task["endTime"] = now


FAMILY = JobFamily(
    kind=KIND,
    label="PipelineJob",
    terminal=TERMINAL,
    failed=FAILED,
    cancelling=CANCELLING,
    restart_reason=RESTART_REASON,
    finish=finish,
)
get_job = FAMILY.get
