"""CustomJobs: Create/Get/List/Cancel/DeleteCustomJob. The job record and its states are the
training engine's (:mod:`..training.job_records`); its runner moves jobs through them."""

from __future__ import annotations

from typing import Any

from ..core import filters
from ..core.errors import failed_precondition, invalid_argument
from ..core.resources import (
    LocationName,
    new_numeric_id,
    parse_location,
    parse_resource_name,
    validate_display_name,
    validate_labels,
)
from ..core.routing import Call, Reply, Route
from ..core.store import Tx
from ..storage.local_storage import LocalStorage, split_gs_uri
from ..training.job_records import (
    KIND,
    QUEUED,
    TERMINAL,
    get_job,
    render,
)
from ..training.runner import Runner
from ..training.workerpool import Pool, parse_pools
from . import V1
from .resource_handlers import delete_ended_job, list_in_location, resource_spec

CUSTOM_JOB = f"{V1}.CustomJob"

_OUTPUT_ONLY = {
    "name",
    "state",
    "createTime",
    "startTime",
    "endTime",
    "updateTime",
    "error",
    "webAccessUris",
    "satisfiesPzs",
    "satisfiesPzi",
}

SPEC = resource_spec(state=filters.string_field("state"))


def runner_of(call: Call) -> Runner:
    runner = call.ctx.get(Runner)
    if runner is None:  # pragma: no cover - the CLI always runs one
        raise failed_precondition("Training is not available in this emulator.")
    return runner


# creating ----------------------------------------------------------------------------------


async def check_packages(call: Call, pools: list[Pool], where: str) -> None:
    """Every gs:// package URI names an object in local storage (INVALID_ARGUMENT if not)."""
    storage = call.ctx.get(LocalStorage)
    for pool in pools:
        for position, uri in enumerate(pool.package_uris):
            if not uri.startswith("gs://"):
                continue
            field = f"{where}[{pool.index}].python_package_spec.package_uris[{position}]"
            bucket, name = split_gs_uri(uri, field)
            found = None if storage is None else await storage.list_objects(bucket, name)
            if not found or name not in found:
                raise invalid_argument(f"Invalid {field}: no object at {uri}.")


def check_base_output(spec: dict[str, Any], field: str) -> str:
    base = str((spec.get("baseOutputDirectory") or {}).get("outputUriPrefix", ""))
    if base:
        split_gs_uri(base, field)
    return base


class CreatePlan:
    """A validated CreateCustomJobRequest."""

    def __init__(self, request: dict[str, Any], runner: Runner) -> None:
        parent = request.get("parent", "")
        self.location: LocationName = parse_location(parent, "parent")
        self.project_id = parent.split("/")[1]
        body = request.get("customJob")
        if not body:
            raise invalid_argument("custom_job is required.")
        validate_display_name(body.get("displayName"), "custom_job.display_name")
        validate_labels(body.get("labels") or {}, "custom_job.labels")
        spec = body.get("jobSpec")
        if spec is None:
            raise invalid_argument("custom_job.job_spec is required.")
        self.where = "custom_job.job_spec.worker_pool_specs"
        self.pools = parse_pools(spec.get("workerPoolSpecs"), self.where, runner.interpreters)
        check_base_output(spec, "custom_job.job_spec.base_output_directory.output_uri_prefix")
        self.body = {k: v for k, v in body.items() if k not in _OUTPUT_ONLY}
        self.path = self.location.child("customJobs", new_numeric_id())

    def record(self, now: str, pipeline: str | None = None) -> dict[str, Any]:
        job = {
            "name": self.path,
            **self.body,
            "state": QUEUED,
            "createTime": now,
            "updateTime": now,
            "_projectId": self.project_id,
        }
        if pipeline:
            job["_pipeline"] = pipeline
        return job


async def _create(call: Call) -> Reply:
    runner = runner_of(call)
    plan = CreatePlan(call.request, runner)
    await check_packages(call, plan.pools, plan.where)

    def write(tx: Tx) -> dict[str, Any]:
        job = plan.record(tx.now)
        tx.insert(KIND, plan.path, plan.location.path, job)
        return job

    job = await call.ctx.store.write(write)
    runner.kick()
    return Reply(CUSTOM_JOB, render(job))


# reading -----------------------------------------------------------------------------------


async def _get(call: Call) -> Reply:
    name = parse_resource_name(call.request.get("name", ""), "customJobs")
    return Reply(CUSTOM_JOB, render(await call.ctx.store.read(lambda tx: get_job(tx, name.path))))


async def _list(call: Call) -> Reply:
    return await list_in_location(
        call,
        kind=KIND,
        render=render,
        spec=SPEC,
        field="customJobs",
        response="ListCustomJobsResponse",
    )


# cancelling and deleting -------------------------------------------------------------------


async def _cancel(call: Call) -> Reply:
    runner = runner_of(call)
    name = parse_resource_name(call.request.get("name", ""), "customJobs")
    await runner.cancel(name.path)
    return Reply("google.protobuf.Empty", {})


async def _delete(call: Call) -> Reply:
    return await delete_ended_job(
        call,
        collection="customJobs",
        what="CustomJob",
        state_of=lambda tx, path: str(get_job(tx, path).get("state", QUEUED)),
        ended=TERMINAL,
    )


def routes() -> list[Route]:
    location = "projects/*/locations/*"
    job = f"{location}/customJobs/*"
    request = f"{V1}."
    return [
        Route(
            "POST",
            f"/v1/{{parent={location}}}/customJobs",
            request + "CreateCustomJobRequest",
            _create,
            "custom_job",
        ),
        Route("GET", f"/v1/{{name={job}}}", request + "GetCustomJobRequest", _get),
        Route(
            "GET", f"/v1/{{parent={location}}}/customJobs", request + "ListCustomJobsRequest", _list
        ),
        Route(
            "POST", f"/v1/{{name={job}}}:cancel", request + "CancelCustomJobRequest", _cancel, "*"
        ),
        Route("DELETE", f"/v1/{{name={job}}}", request + "DeleteCustomJobRequest", _delete),
    ]
