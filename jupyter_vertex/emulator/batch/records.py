"""BatchPredictionJob records as stored, and their states (Vertex's JobState names)."""

from __future__ import annotations

from typing import Any

from ..core.job_tasks import JobFamily, end_job

KIND = "batchPredictionJob"

QUEUED = "JOB_STATE_QUEUED"
PENDING = "JOB_STATE_PENDING"
RUNNING = "JOB_STATE_RUNNING"
SUCCEEDED = "JOB_STATE_SUCCEEDED"
FAILED = "JOB_STATE_FAILED"
CANCELLING = "JOB_STATE_CANCELLING"
CANCELLED = "JOB_STATE_CANCELLED"
TERMINAL = frozenset({SUCCEEDED, FAILED, CANCELLED})

# google.rpc.Code numbers of a job's ``error``
CODE_CANCELLED = 1
CODE_INVALID_ARGUMENT = 3
CODE_FAILED_PRECONDITION = 9
CODE_INTERNAL = 13

RESTART_REASON = (
    "The embedded Vertex stopped while this batch prediction job ran; its model servers "
    "stopped with it and the job is not resumed. What it had written stays under its output "
    "directory: create a new job to score the input again."
)


def render(job: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in job.items() if not k.startswith("_")}


finish = end_job


FAMILY = JobFamily(
    kind=KIND,
    label="BatchPredictionJob",
    terminal=TERMINAL,
    failed=FAILED,
    cancelling=CANCELLING,
    restart_reason=RESTART_REASON,
    finish=finish,
)
get_job = FAMILY.get
