"""BatchPredictionJobs: Create/Get/List/Cancel/DeleteBatchPredictionJob. The job record, its
states and its run are the batch engine's (:mod:`..batch`); this module validates a create
request (refusing what does not run here with INVALID_ARGUMENT naming the field) and answers
the calls as the client libraries make them."""

from __future__ import annotations

from typing import Any

from ..batch import records as r
from ..batch.engine import BatchRunner
from ..batch.inputs import FORMATS
from ..batch.outputs import FORMATS as OUTPUT_FORMATS
from ..core import filters
from ..core.errors import failed_precondition, invalid_argument
from ..core.resources import (
    new_numeric_id,
    parse_location,
    parse_resource_name,
    validate_display_name,
    validate_labels,
)
from ..core.routing import Call, Reply, Route
from ..core.store import Tx
from ..serving.containers import server_for
from ..storage.local_storage import split_gs_uri
from . import V1
from .deploy import model_source
from .resource_handlers import delete_ended_job, list_in_location, resource_spec

BATCH_JOB = f"{V1}.BatchPredictionJob"
WHERE = "batch_prediction_job"
INSTANCE_TYPES = ("", "object", "array")
_OUTPUT_ONLY = {
    "name",
    "state",
    "createTime",
    "startTime",
    "endTime",
    "updateTime",
    "error",
    "outputInfo",
    "completionStats",
    "partialFailures",
    "resourcesConsumed",
    "modelVersionId",
}

SPEC = resource_spec(state=filters.string_field("state"))


def runner_of(call: Call) -> BatchRunner:
    runner = call.ctx.get(BatchRunner)
    if runner is None:  # pragma: no cover - the server always runs one
        raise failed_precondition("Batch prediction is not available in this embedded Vertex.")
    return runner


def _unsupported(field: str, what: str) -> Exception:
    return invalid_argument(
        f"{WHERE}.{field} is not supported by the embedded Vertex: {what} Use "
        "Cloud Storage (gs://) URIs in local storage instead."
    )


def check_input(config: dict[str, Any]) -> None:
    field = f"{WHERE}.input_config"
    if config.get("bigquerySource"):
        raise _unsupported("input_config.bigquery_source", "there is no local BigQuery.")
    fmt = config.get("instancesFormat")
    if fmt not in FORMATS:
        raise invalid_argument(
            f"Invalid {field}.instances_format {fmt!r}: the embedded Vertex reads "
            f"{', '.join(FORMATS)}."
        )
    uris = (config.get("gcsSource") or {}).get("uris") or []
    if not uris:
        raise invalid_argument(f"{field}.gcs_source.uris is required.")
    for position, uri in enumerate(uris):
        split_gs_uri(str(uri), f"{field}.gcs_source.uris[{position}]")


def check_output(config: dict[str, Any]) -> None:
    field = f"{WHERE}.output_config"
    if config.get("bigqueryDestination"):
        raise _unsupported("output_config.bigquery_destination", "there is no local BigQuery.")
    fmt = config.get("predictionsFormat")
    if fmt not in OUTPUT_FORMATS:
        raise invalid_argument(
            f"Invalid {field}.predictions_format {fmt!r}: the embedded Vertex writes "
            f"{', '.join(OUTPUT_FORMATS)}."
        )
    prefix = str((config.get("gcsDestination") or {}).get("outputUriPrefix") or "")
    if not prefix:
        raise invalid_argument(f"{field}.gcs_destination.output_uri_prefix is required.")
    split_gs_uri(prefix, f"{field}.gcs_destination.output_uri_prefix")


def check_tuning(body: dict[str, Any]) -> None:
    instance = body.get("instanceConfig") or {}
    kind = instance.get("instanceType") or ""
    if kind not in INSTANCE_TYPES:
        raise invalid_argument(
            f"Invalid {WHERE}.instance_config.instance_type {kind!r}: object or array."
        )
    if instance.get("includedFields") and instance.get("excludedFields"):
        raise invalid_argument(
            f"{WHERE}.instance_config: included_fields and excluded_fields cannot both be set."
        )
    size = int((body.get("manualBatchTuningParameters") or {}).get("batchSize") or 0)
    if size < 0:
        raise invalid_argument(
            f"Invalid {WHERE}.manual_batch_tuning_parameters.batch_size {size}: not negative."
        )
    resources = body.get("dedicatedResources") or {}
    start = int(resources.get("startingReplicaCount") or 0)
    most = int(resources.get("maxReplicaCount") or 0)
    if start < 0 or most < 0 or (most and start > most):
        raise invalid_argument(
            f"Invalid {WHERE}.dedicated_resources: starting_replica_count {start} and "
            f"max_replica_count {most}."
        )


class CreatePlan:
    """A validated CreateBatchPredictionJobRequest."""

    def __init__(self, request: dict[str, Any]) -> None:
        parent = request.get("parent", "")
        self.location = parse_location(parent, "parent")
        body = request.get("batchPredictionJob")
        if not body:
            raise invalid_argument(f"{WHERE} is required.")
        validate_display_name(body.get("displayName"), f"{WHERE}.display_name")
        validate_labels(body.get("labels") or {}, f"{WHERE}.labels")
        if not body.get("model"):
            raise invalid_argument(f"{WHERE}.model is required.")
        check_input(body.get("inputConfig") or {})
        check_output(body.get("outputConfig") or {})
        check_tuning(body)
        self.body = {k: v for k, v in body.items() if k not in _OUTPUT_ONLY}
        self.path = self.location.child("batchPredictionJobs", new_numeric_id())

    def write(self, tx: Tx) -> dict[str, Any]:
        model, version = model_source(tx, self.body["model"])
        spec = version.get("containerSpec") or {}
        server_for(spec)  # FAILED_PRECONDITION: no model server for this container
        artifact = version.get("artifactUri", "")
        if not artifact:
            raise failed_precondition(
                f"Model {model['name']} has no artifact_uri: the SDK's model server loads "
                "the model from its artifacts."
            )
        zero = {"successfulCount": "0", "failedCount": "0", "incompleteCount": "0"}
        job = {
            "name": self.path,
            **self.body,
            "model": model["name"],
            "modelVersionId": version["versionId"],
            "state": r.QUEUED,
            "completionStats": zero,
            "createTime": tx.now,
            "updateTime": tx.now,
            "_containerSpec": spec,
            "_artifactUri": artifact,
            "_modelDisplayName": model.get("displayName", "model"),
        }
        tx.insert(r.KIND, self.path, self.location.path, job)
        return job


async def _create(call: Call) -> Reply:
    runner = runner_of(call)
    plan = CreatePlan(call.request)
    job = await call.ctx.store.write(plan.write)
    runner.launch(plan.path)
    return Reply(BATCH_JOB, r.render(job))


async def _get(call: Call) -> Reply:
    name = parse_resource_name(call.request.get("name", ""), "batchPredictionJobs")
    job = await call.ctx.store.read(lambda tx: r.get_job(tx, name.path))
    return Reply(BATCH_JOB, r.render(job))


async def _list(call: Call) -> Reply:
    return await list_in_location(
        call,
        kind=r.KIND,
        render=r.render,
        spec=SPEC,
        field="batchPredictionJobs",
        response="ListBatchPredictionJobsResponse",
    )


async def _cancel(call: Call) -> Reply:
    name = parse_resource_name(call.request.get("name", ""), "batchPredictionJobs")
    await runner_of(call).cancel(name.path)
    return Reply("google.protobuf.Empty", {})


async def _delete(call: Call) -> Reply:
    return await delete_ended_job(
        call,
        collection="batchPredictionJobs",
        what="BatchPredictionJob",
        state_of=lambda tx, path: str(r.get_job(tx, path).get("state", r.QUEUED)),
        ended=r.TERMINAL,
    )


def routes() -> list[Route]:
    location = "projects/*/locations/*"
    job = f"{location}/batchPredictionJobs/*"
    request = f"{V1}."
    collection = f"/v1/{{parent={location}}}/batchPredictionJobs"
    return [
        Route(
            "POST",
            collection,
            request + "CreateBatchPredictionJobRequest",
            _create,
            "batch_prediction_job",
        ),
        Route("GET", f"/v1/{{name={job}}}", request + "GetBatchPredictionJobRequest", _get),
        Route("GET", collection, request + "ListBatchPredictionJobsRequest", _list),
        Route(
            "POST",
            f"/v1/{{name={job}}}:cancel",
            request + "CancelBatchPredictionJobRequest",
            _cancel,
            "*",
        ),
        Route(
            "DELETE", f"/v1/{{name={job}}}", request + "DeleteBatchPredictionJobRequest", _delete
        ),
    ]
