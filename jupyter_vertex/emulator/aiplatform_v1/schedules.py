"""Schedules (Vertex AI v1 ScheduleService) of pipeline runs: Create, Get, List, Pause,
Resume, Update (PATCH) and Delete, as the client libraries call them. A schedule's request is
checked as CreatePipelineJob checks it when the schedule is created or patched; the
:mod:`.scheduler` starts its runs on time per :mod:`.schedule_rules`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..core import filters
from ..core.errors import ApiError, failed_precondition, invalid_argument
from ..core.filters import ListSpec
from ..core.masks import update_paths
from ..core.resources import (
    new_numeric_id,
    parse_location,
    parse_resource_name,
    timestamp,
    validate_display_name,
)
from ..core.routing import Call, Reply, Route
from ..core.store import Tx
from . import V1
from . import schedule_rules as rules
from .pipeline_jobs import CreatePlan
from .resource_handlers import delete_operation, list_in_location
from .scheduler import Scheduler, get

SCHEDULE = f"{V1}.Schedule"
_OUTPUT_ONLY = (
    "name",
    "state",
    "startedRunCount",
    "createTime",
    "updateTime",
    "nextRunTime",
    "lastPauseTime",
    "lastResumeTime",
    "catchUp",
    "lastScheduledRunResponse",
)
# update_mask path -> field; the request type cannot change (Vertex: "The scheduled request
# type cannot be changed")
_UPDATABLE = {
    "display_name": "displayName",
    "cron": "cron",
    "start_time": "startTime",
    "end_time": "endTime",
    "max_run_count": "maxRunCount",
    "max_concurrent_run_count": "maxConcurrentRunCount",
    "max_concurrent_active_run_count": "maxConcurrentActiveRunCount",
    "allow_queueing": "allowQueueing",
    "create_pipeline_job_request": "createPipelineJobRequest",
}
_TIMING = {"cron", "start_time", "end_time"}

SPEC = ListSpec(
    filters={
        "display_name": filters.string_field("displayName"),
        "state": filters.string_field("state"),
        "create_pipeline_job_request": filters.FilterField(
            "map", lambda item: item.get("createPipelineJobRequest") or {}
        ),
        "create_time": filters.timestamp_field("createTime"),
        "start_time": filters.timestamp_field("startTime"),
        "end_time": filters.timestamp_field("endTime"),
        "next_run_time": filters.timestamp_field("nextRunTime"),
    },
    orders={
        "create_time": "createTime",
        "start_time": "startTime",
        "end_time": "endTime",
        "next_run_time": "nextRunTime",
    },
)


def scheduler_of(call: Call) -> Scheduler:
    scheduler = call.ctx.get(Scheduler)
    if scheduler is None:  # pragma: no cover - the server always runs one
        raise failed_precondition("Schedules are not available in this embedded Vertex.")
    return scheduler


def check_request(schedule: dict[str, Any], location_path: str) -> None:
    """The schedule's CreatePipelineJobRequest, checked as CreatePipelineJob would check it."""
    if schedule.get("createNotebookExecutionJobRequest"):
        raise invalid_argument(
            "schedule.create_notebook_execution_job_request: this embedded Vertex schedules "
            "pipeline runs only (create_pipeline_job_request)."
        )
    request = schedule.get("createPipelineJobRequest")
    if not request:
        raise invalid_argument(
            "schedule.create_pipeline_job_request is required: the PipelineJob each run creates."
        )
    field = "schedule.create_pipeline_job_request"
    if parse_location(request.get("parent", ""), f"{field}.parent").path != location_path:
        raise invalid_argument(
            f"{field}.parent {request.get('parent')!r} must be the schedule's own location."
        )
    try:
        CreatePlan({**request, "pipelineJobId": ""})
    except ApiError as error:
        raise ApiError(error.status, f"{field}: {error.message}") from None


def _check(schedule: dict[str, Any], location_path: str) -> None:
    validate_display_name(schedule.get("displayName"), "schedule.display_name")
    rules.parse_cron(schedule.get("cron", ""))
    rules.check_limits(schedule)
    check_request(schedule, location_path)


async def _create(call: Call) -> Reply:
    scheduler = scheduler_of(call)
    location = parse_location(call.request.get("parent", ""), "parent")
    body = {k: v for k, v in (call.request.get("schedule") or {}).items() if k not in _OUTPUT_ONLY}
    _check(body, location.path)
    moment = scheduler.clock()
    path = location.child("schedules", new_numeric_id())
    schedule = {
        **body,
        "name": path,
        "state": rules.ACTIVE,
        "startedRunCount": "0",
        "createTime": timestamp(moment),
        "updateTime": timestamp(moment),
    }
    rules.first_run(schedule, moment)

    def write(tx: Tx) -> None:
        tx.insert(rules.KIND, path, location.path, schedule)

    await call.ctx.store.write(write)
    scheduler.wake()
    return Reply(SCHEDULE, schedule)


async def _get(call: Call) -> Reply:
    name = parse_resource_name(call.request.get("name", ""), "schedules")
    return Reply(SCHEDULE, await call.ctx.store.read(lambda tx: get(tx, name.path)))


async def _list(call: Call) -> Reply:
    request = call.request
    if not request.get("orderBy"):  # Vertex's default order: newest first
        call = Call(call.ctx, {**request, "orderBy": "create_time desc"}, call.int_enums)
    return await list_in_location(
        call,
        kind=rules.KIND,
        render=lambda schedule: schedule,
        spec=SPEC,
        field="schedules",
        response="ListSchedulesResponse",
    )


async def _pause(call: Call) -> Reply:
    name = parse_resource_name(call.request.get("name", ""), "schedules")
    await scheduler_of(call).change(name.path, rules.pause)
    return Reply("google.protobuf.Empty", {})


async def _resume(call: Call) -> Reply:
    name = parse_resource_name(call.request.get("name", ""), "schedules")
    catch_up = bool(call.request.get("catchUp"))

    def resume(schedule: dict[str, Any], moment: datetime) -> None:
        rules.resume(schedule, moment, catch_up)

    await scheduler_of(call).change(name.path, resume)
    return Reply("google.protobuf.Empty", {})


async def _update(call: Call) -> Reply:
    body = call.request.get("schedule") or {}
    name = parse_resource_name(body.get("name", ""), "schedules", "schedule.name")
    paths = update_paths(call.request.get("updateMask", ""), SCHEDULE, _UPDATABLE)

    def edit(schedule: dict[str, Any], moment: datetime) -> None:
        for path in paths:
            key = _UPDATABLE[path]
            if body.get(key) in (None, ""):
                schedule.pop(key, None)  # required ones are refused by the checks below
            else:
                schedule[key] = body[key]
        _check(schedule, name.location.path)
        if schedule.get("state") == rules.ACTIVE and _TIMING & set(paths):
            rules.first_run(schedule, moment)
        else:
            rules.reconsider(schedule)

    return Reply(SCHEDULE, await scheduler_of(call).change(name.path, edit))


async def _delete(call: Call) -> Reply:
    name = parse_resource_name(call.request.get("name", ""), "schedules")

    def check(tx: Tx) -> None:
        get(tx, name.path)

    def work(tx: Tx) -> dict[str, Any]:
        check(tx)
        tx.delete(name.path)  # its runs stay, as on Vertex
        return {}

    return await delete_operation(call, name, check=check, work=work)


def routes() -> list[Route]:
    location = "projects/*/locations/*"
    schedule = f"{location}/schedules/*"
    request = f"{V1}."
    collection = f"/v1/{{parent={location}}}/schedules"
    return [
        Route("POST", collection, request + "CreateScheduleRequest", _create, "schedule"),
        Route("GET", f"/v1/{{name={schedule}}}", request + "GetScheduleRequest", _get),
        Route("GET", collection, request + "ListSchedulesRequest", _list),
        Route(
            "POST", f"/v1/{{name={schedule}}}:pause", request + "PauseScheduleRequest", _pause, "*"
        ),
        Route(
            "POST",
            f"/v1/{{name={schedule}}}:resume",
            request + "ResumeScheduleRequest",
            _resume,
            "*",
        ),
        Route(
            "PATCH",
            f"/v1/{{schedule.name={schedule}}}",
            request + "UpdateScheduleRequest",
            _update,
            "schedule",
        ),
        Route("DELETE", f"/v1/{{name={schedule}}}", request + "DeleteScheduleRequest", _delete),
    ]
