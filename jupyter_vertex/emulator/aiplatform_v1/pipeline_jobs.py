"""PipelineJobs (Vertex AI Pipelines): Create/Get/List/Cancel/Delete, BatchCancel and
BatchDelete, as the client libraries call them. The run itself is the pipelines engine's
(:mod:`..pipelines`: KFP's own local runner in a child process group); this module checks a
create request (the PipelineSpec, its parameters, the pipeline root) with INVALID_ARGUMENT
naming the field, and answers."""

from __future__ import annotations

import re
from typing import Any

from ..core import filters
from ..core.errors import already_exists, failed_precondition, invalid_argument
from ..core.resources import (
    new_numeric_id,
    parse_location,
    parse_resource_name,
    validate_display_name,
    validate_labels,
)
from ..core.routing import Call, Reply, Route
from ..core.store import Tx
from ..pipelines import records as r
from ..pipelines import spec as s
from ..pipelines.engine import PipelineRunner
from ..storage.local_storage import split_gs_uri
from . import V1
from .resource_handlers import delete_ended_job, list_in_location, resource_spec

PIPELINE_JOB = f"{V1}.PipelineJob"
WHERE = s.WHERE
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,127}$")
_OUTPUT_ONLY = {
    "name",
    "state",
    "createTime",
    "startTime",
    "endTime",
    "updateTime",
    "error",
    "jobDetail",
    "scheduleName",
}

SPEC = resource_spec(
    state=filters.string_field("state"),
    pipeline_name=filters.string_field("_pipelineName"),
    # the runs of a schedule (PipelineJobSchedule.list_jobs)
    schedule_name=filters.string_field("scheduleName"),
)


def runner_of(call: Call) -> PipelineRunner:
    runner = call.ctx.get(PipelineRunner)
    if runner is None:  # pragma: no cover - the server always runs one
        raise failed_precondition("Pipelines are not available in this embedded Vertex.")
    return runner


class CreatePlan:
    """A validated CreatePipelineJobRequest."""

    def __init__(self, request: dict[str, Any]) -> None:
        self.location = parse_location(request.get("parent", ""), "parent")
        self.project_id = str(request.get("parent", "")).split("/")[1]  # as the caller named it
        body = request.get("pipelineJob")
        if not body:
            raise invalid_argument(f"{WHERE} is required.")
        validate_display_name(body.get("displayName"), f"{WHERE}.display_name", required=False)
        validate_labels(body.get("labels") or {}, f"{WHERE}.labels")
        spec = s.check_spec(body.get("pipelineSpec"))
        runtime = body.get("runtimeConfig") or {}
        self.arguments = s.arguments(spec, runtime)
        root = str(runtime.get("gcsOutputDirectory") or spec.get("defaultPipelineRoot") or "")
        if not root:
            raise invalid_argument(
                f"{WHERE}.runtime_config.gcs_output_directory is required: the pipeline root "
                "(gs://BUCKET/PATH) where the tasks' artifacts are written."
            )
        split_gs_uri(root, f"{WHERE}.runtime_config.gcs_output_directory")
        self.root = root
        job_id = str(request.get("pipelineJobId") or "")
        if job_id and not _ID.match(job_id):
            raise invalid_argument(
                f"Invalid pipeline_job_id {job_id!r}: lowercase letters, digits and hyphens, "
                "at most 128 characters."
            )
        self.body = {k: v for k, v in body.items() if k not in _OUTPUT_ONLY}
        self.caching = _caching(spec)
        self.path = self.location.child("pipelineJobs", job_id or new_numeric_id())

    def write(self, tx: Tx) -> dict[str, Any]:
        if tx.exists(self.path):
            raise already_exists(f"PipelineJob {self.path} already exists.")
        name = str(self.body["pipelineSpec"]["pipelineInfo"]["name"])
        job = {
            "name": self.path,
            "displayName": self.body.get("displayName") or name,
            **{k: v for k, v in self.body.items() if k != "displayName"},
            "state": r.QUEUED,
            "createTime": tx.now,
            "updateTime": tx.now,
            "_pipelineName": name,
            "_projectId": self.project_id,
            "_arguments": self.arguments,
            "_root": self.root,
            "_caching": self.caching,
        }
        tx.insert(r.KIND, self.path, self.location.path, job)
        return job


def _caching(spec: dict[str, Any]) -> bool:
    """Whether any task caches: the SDK's enable_caching is compiled into each task's
    cachingOptions (kfp's local cache then honours each task's own setting)."""
    tasks: list[dict[str, Any]] = list((spec["root"].get("dag") or {}).get("tasks", {}).values())
    for component in (spec.get("components") or {}).values():
        tasks += list(((component or {}).get("dag") or {}).get("tasks", {}).values())
    return any((task.get("cachingOptions") or {}).get("enableCache") for task in tasks)


async def _create(call: Call) -> Reply:
    runner = runner_of(call)
    plan = CreatePlan(call.request)
    job = await call.ctx.store.write(plan.write)
    runner.launch(plan.path)
    return Reply(PIPELINE_JOB, r.render(job))


async def _get(call: Call) -> Reply:
    name = parse_resource_name(call.request.get("name", ""), "pipelineJobs")
    job = await call.ctx.store.read(lambda tx: r.get_job(tx, name.path))
    return Reply(PIPELINE_JOB, r.render(job))


def _summary(job: dict[str, Any]) -> dict[str, Any]:
    """List answers leave out the bulky spec and task details, as Vertex's do by default."""
    out = r.render(job)
    out.pop("pipelineSpec", None)
    out.pop("jobDetail", None)
    return {**out, "_pipelineName": job.get("_pipelineName", "")}


async def _list(call: Call) -> Reply:
    reply = await list_in_location(
        call,
        kind=r.KIND,
        render=_summary,
        spec=SPEC,
        field="pipelineJobs",
        response="ListPipelineJobsResponse",
    )
    for job in reply.data.get("pipelineJobs", []):
        job.pop("_pipelineName", None)
    return reply


async def _cancel(call: Call) -> Reply:
    name = parse_resource_name(call.request.get("name", ""), "pipelineJobs")
    await runner_of(call).cancel(name.path)
    return Reply("google.protobuf.Empty", {})


def _state_of(tx: Tx, path: str) -> str:
    return str(r.get_job(tx, path).get("state", r.QUEUED))


async def _delete(call: Call) -> Reply:
    return await delete_ended_job(
        call, collection="pipelineJobs", what="PipelineJob", state_of=_state_of, ended=r.TERMINAL
    )


def _names(call: Call) -> tuple[Any, list[str]]:
    location = parse_location(call.request.get("parent", ""), "parent")
    names = [str(n) for n in call.request.get("names") or []]
    if not names:
        raise invalid_argument("names is required: the PipelineJobs to act on.")
    paths = []
    for position, name in enumerate(names):
        parsed = parse_resource_name(name, "pipelineJobs", f"names[{position}]")
        if parsed.location.path != location.path:
            raise invalid_argument(f"names[{position}] {name} is not under {location.path}.")
        paths.append(parsed.path)
    return location, paths


async def _batch_cancel(call: Call) -> Reply:
    location, paths = _names(call)
    runner = runner_of(call)
    await call.ctx.store.read(lambda tx: [r.get_job(tx, path) for path in paths])
    for path in paths:
        try:
            await runner.cancel(path)
        except Exception:  # noqa: BLE001, S112 - an ended job stays as it is, as on Vertex
            continue

    def work(tx: Tx) -> dict[str, Any]:
        return {"pipelineJobs": [r.render(r.get_job(tx, path)) for path in paths]}

    operation = await call.ctx.operations.run(
        parent=location.path,
        metadata_type=f"{V1}.BatchCancelPipelineJobsOperationMetadata",
        response_type=f"{V1}.BatchCancelPipelineJobsResponse",
        work=work,
    )
    return Reply("google.longrunning.Operation", operation)


async def _batch_delete(call: Call) -> Reply:
    location, paths = _names(call)

    def check(tx: Tx) -> None:
        for path in paths:
            state = _state_of(tx, path)
            if state not in r.TERMINAL:
                raise failed_precondition(
                    f"The PipelineJob {path} is in state {state} and cannot be deleted; "
                    "cancel it first."
                )

    def work(tx: Tx) -> dict[str, Any]:
        check(tx)
        deleted = [r.render(r.get_job(tx, path)) for path in paths]
        for path in paths:
            tx.delete(path)
        return {"pipelineJobs": deleted}

    operation = await call.ctx.operations.run(
        parent=location.path,
        metadata_type=f"{V1}.DeleteOperationMetadata",
        response_type=f"{V1}.BatchDeletePipelineJobsResponse",
        check=check,
        work=work,
    )
    return Reply("google.longrunning.Operation", operation)


def routes() -> list[Route]:
    location = "projects/*/locations/*"
    job = f"{location}/pipelineJobs/*"
    request = f"{V1}."
    collection = f"/v1/{{parent={location}}}/pipelineJobs"
    return [
        Route("POST", collection, request + "CreatePipelineJobRequest", _create, "pipeline_job"),
        Route("GET", f"/v1/{{name={job}}}", request + "GetPipelineJobRequest", _get),
        Route("GET", collection, request + "ListPipelineJobsRequest", _list),
        Route(
            "POST", f"/v1/{{name={job}}}:cancel", request + "CancelPipelineJobRequest", _cancel, "*"
        ),
        Route("DELETE", f"/v1/{{name={job}}}", request + "DeletePipelineJobRequest", _delete),
        Route(
            "POST",
            f"{collection}:batchCancel",
            request + "BatchCancelPipelineJobsRequest",
            _batch_cancel,
            "*",
        ),
        Route(
            "POST",
            f"{collection}:batchDelete",
            request + "BatchDeletePipelineJobsRequest",
            _batch_delete,
            "*",
        ),
    ]
