"""The CustomJob record the runner drives through Vertex's states, shared by the training engine
and the CustomJobs API (:mod:`..aiplatform_v1.custom_jobs`):

    QUEUED → PENDING → RUNNING → SUCCEEDED | FAILED
                 └──────────┴──→ CANCELLING → CANCELLED     (QUEUED → CANCELLED at once)

A ``customJob`` row holds the CustomJob as answered plus private fields (keys starting with
``_``, never answered): ``_projectId`` (the project as the client named it, for
``CLOUD_ML_PROJECT_ID``) and ``_pipeline`` (the TrainingPipeline a backing job belongs to).
"""

from __future__ import annotations

from typing import Any

from ..core.errors import failed_precondition, not_found
from ..core.store import Tx

KIND = "customJob"

QUEUED, PENDING, RUNNING = "JOB_STATE_QUEUED", "JOB_STATE_PENDING", "JOB_STATE_RUNNING"
SUCCEEDED, FAILED = "JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED"
CANCELLING, CANCELLED = "JOB_STATE_CANCELLING", "JOB_STATE_CANCELLED"
ACTIVE = (PENDING, RUNNING, CANCELLING)
TERMINAL = (SUCCEEDED, FAILED, CANCELLED)
CANCELLED_ERROR = {"code": 1, "message": "CANCELED"}


def render(job: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in job.items() if not k.startswith("_")}


def get_job(tx: Tx, path: str) -> dict[str, Any]:
    found = tx.get(path, KIND)
    if found is None:
        raise not_found(f"CustomJob {path} not found.")
    return found


def set_state(
    job: dict[str, Any], state: str, now: str, error: dict[str, Any] | None = None
) -> None:
    """Apply a state change and its timestamps to a job record."""
    job["state"] = state
    job["updateTime"] = now
    if state == RUNNING and "startTime" not in job:
        job["startTime"] = now
    if state in TERMINAL:
        job["endTime"] = now
    if error is not None:
        job["error"] = error


def request_cancel(tx: Tx, path: str, what: str = "CustomJob") -> dict[str, Any]:
    """Mark a job cancelled (QUEUED) or cancelling (running); answer the record."""
    job = get_job(tx, path)
    state = job.get("state", QUEUED)
    if state in TERMINAL:
        raise failed_precondition(
            f"Cannot cancel {what} {path}: it is already in the terminal state {state}."
        )
    if state == QUEUED:
        set_state(job, CANCELLED, tx.now, CANCELLED_ERROR)
    elif state != CANCELLING:
        set_state(job, CANCELLING, tx.now)
    tx.update(path, job)
    return job
