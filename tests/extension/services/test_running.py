"""Running now reads the active jobs with one query, so a job changing state while the list
is read is still listed (a unit test with fakes of the services it reads)."""

from __future__ import annotations

from typing import Any

from jupyter_vertex.services.running import running_now

STEPS = ["QUEUED", "PENDING", "RUNNING", "CANCELLING", "CANCELLED"]


class MovingJobs:
    """One job that moves to its next state each time the jobs are read, before the answer
    (as a real job may between two reads)."""

    def __init__(self) -> None:
        self.step = 0
        self.calls: list[Any] = []

    async def list(self, *, state: Any, page_size: int, page_token: str | None) -> dict[str, Any]:
        self.calls.append(state)
        self.step += 1
        current = STEPS[self.step]
        wanted = (state,) if isinstance(state, str) else tuple(state)
        jobs = [{"id": "7", "state": current, "createTime": "t"}] if current in wanted else []
        return {"jobs": jobs, "nextPageToken": None}


class Nothing:
    async def running(self) -> list[dict[str, Any]]:
        return []

    async def list(self, *, page_size: int, page_token: str | None) -> dict[str, Any]:
        return {"endpoints": [], "nextPageToken": None}


async def test_a_job_changing_state_while_listed_is_listed_once() -> None:
    jobs = MovingJobs()
    answer = await running_now(
        instances=Nothing(),  # type: ignore[arg-type]
        endpoints=Nothing(),  # type: ignore[arg-type]
        training=jobs,  # type: ignore[arg-type]
        bulk_running=lambda: [],
    )
    assert answer["jobs"] == [{"id": "7", "state": "PENDING", "createTime": "t"}]
    assert jobs.calls == [("QUEUED", "PENDING", "RUNNING", "CANCELLING")]
