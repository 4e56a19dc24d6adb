""" "Running now": everything that keeps running (and costing) until someone stops it.

Instances that are not stopped, endpoints with at least one deployed model, training jobs
that have not ended and bulk predictions in progress; read through the services that own
them, concurrently.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from .instances import InstancesService
from .serving.endpoints import EndpointsService
from .training.service import TrainingService

# The job states (without JOB_STATE_/PIPELINE_STATE_) of jobs that have not ended.
ACTIVE_JOB_STATES = ("QUEUED", "PENDING", "RUNNING", "CANCELLING")
PAGE = 100


async def _endpoints_in_use(endpoints: EndpointsService) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        answer = await endpoints.list(page_size=PAGE, page_token=token)
        found += [e for e in answer["endpoints"] if e.get("deployedModels")]
        token = answer["nextPageToken"]
        if not token:
            return found


async def _active_jobs(training: TrainingService) -> list[dict[str, Any]]:
    """Jobs in any active state, read with one filter: four reads, one per state, would miss
    a job that moves from one state to the next between them."""
    found: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        answer = await training.list(state=ACTIVE_JOB_STATES, page_size=PAGE, page_token=token)
        found += answer["jobs"]
        token = answer["nextPageToken"]
        if not token:
            return found


async def running_now(
    *,
    instances: InstancesService,
    endpoints: EndpointsService,
    training: TrainingService,
    bulk_running: Callable[[], list[dict[str, Any]]],
) -> dict[str, Any]:
    """The API's ``RunningNow``."""
    active, in_use, listed = await asyncio.gather(
        instances.running(), _endpoints_in_use(endpoints), _active_jobs(training)
    )
    listed.sort(key=lambda job: job.get("createTime") or "", reverse=True)
    return {
        "instances": active,
        "endpoints": in_use,
        "jobs": listed,
        "bulkPredictions": bulk_running(),
    }
