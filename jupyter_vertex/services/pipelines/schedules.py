"""Schedules of pipeline runs through Google's ``ScheduleServiceClient`` (both backends): list
(one page, newest first), pause, resume (optionally catching up the runs missed while paused)
and delete. Schedules are made with the SDK (``PipelineJob.create_schedule``)."""

from __future__ import annotations

from typing import Any

from ..paging import list_request, page
from .job_json import message_dict

__all__ = ["PipelineSchedules", "schedule_to_json"]

COLLECTION = "schedules"


def schedule_to_json(schedule: Any) -> dict[str, Any]:
    data = message_dict(schedule)
    job = (data.get("createPipelineJobRequest") or {}).get("pipelineJob") or {}
    last = data.get("lastScheduledRunResponse") or {}
    name = str(data.get("name", ""))
    return {
        "name": name,
        "id": name.rsplit("/", 1)[-1],
        "displayName": str(data.get("displayName", "")),
        "pipelineName": str(
            ((job.get("pipelineSpec") or {}).get("pipelineInfo") or {}).get("name", "")
        ),
        "state": str(data.get("state", "STATE_UNSPECIFIED")),
        "cron": str(data.get("cron", "")),
        "createTime": data.get("createTime"),
        "startTime": data.get("startTime"),
        "endTime": data.get("endTime"),
        "nextRunTime": data.get("nextRunTime"),
        "lastPauseTime": data.get("lastPauseTime"),
        "lastResumeTime": data.get("lastResumeTime"),
        "startedRunCount": int(data.get("startedRunCount") or 0),
        "maxRunCount": int(data["maxRunCount"]) if data.get("maxRunCount") else None,
        "lastRun": (
            {"scheduledRunTime": last.get("scheduledRunTime"), "response": last.get("runResponse")}
            if last
            else None
        ),
    }


class PipelineSchedules:
    def __init__(self, clients: Any) -> None:
        self.clients = clients

    async def _name(self, schedule_id: str) -> str:
        location = await self.clients.location()
        return f"{location.parent}/{COLLECTION}/{schedule_id}"

    async def list(
        self, *, page_size: int | None = None, page_token: str | None = None
    ) -> dict[str, Any]:
        location = await self.clients.location()
        client = await self.clients.schedule_service()
        request = list_request(
            parent=location.parent,
            page_size=page_size,
            page_token=page_token,
            filter="create_pipeline_job_request:*",
            order_by="create_time desc",
        )
        pager = await self.clients.call(client.list_schedules, request=request)
        return page("schedules", pager.schedules, schedule_to_json, pager.next_page_token)

    async def get(self, schedule_id: str) -> dict[str, Any]:
        client = await self.clients.schedule_service()
        found = await self.clients.call(client.get_schedule, name=await self._name(schedule_id))
        return schedule_to_json(found)

    async def pause(self, schedule_id: str) -> dict[str, Any]:
        client = await self.clients.schedule_service()
        await self.clients.call(client.pause_schedule, name=await self._name(schedule_id))
        return await self.get(schedule_id)

    async def resume(self, schedule_id: str, *, catch_up: bool = False) -> dict[str, Any]:
        client = await self.clients.schedule_service()
        name = await self._name(schedule_id)
        await self.clients.call(client.resume_schedule, name=name, catch_up=catch_up)
        return await self.get(schedule_id)

    async def delete(self, schedule_id: str) -> None:
        client = await self.clients.schedule_service()
        operation = await self.clients.call(
            client.delete_schedule, name=await self._name(schedule_id)
        )
        await self.clients.wait_operation(operation)
