"""TrainingPipelines with the custom training task: train with a backing CustomJob, then
upload the model the job saved to ``{baseOutputDirectory}/model/`` with ``modelToUpload``'s
container spec (what ``aiplatform.CustomTrainingJob(...).run()`` sends).

A ``trainingPipeline`` row holds the pipeline as answered plus private fields:
``_awaitingUpload`` (the backing job succeeded, the model is not uploaded yet; a restart
finishes it). The backing job (``trainingTaskMetadata.backingCustomJob``) is created in the
same transaction and drives the pipeline's state through :func:`follow_job`.
"""

from __future__ import annotations

from typing import Any

from ..core import filters, protos
from ..core.errors import ApiError, failed_precondition, invalid_argument
from ..core.resources import (
    new_numeric_id,
    parse_location,
    parse_resource_name,
    validate_display_name,
    validate_labels,
)
from ..core.routing import Call, Reply, Route
from ..core.store import Store, Tx
from ..storage.local_storage import LocalStorage
from ..training import job_records
from ..training.workerpool import parse_pools
from . import V1, custom_jobs, model_upload, model_versions
from .resource_handlers import delete_operation, existing, list_in_location, resource_spec

PIPELINE = f"{V1}.TrainingPipeline"
KIND = "trainingPipeline"
CUSTOM_TASK = "gs://google-cloud-aiplatform/schema/trainingjob/definition/custom_task_1.0.0.yaml"

P = "PIPELINE_STATE_"
STATE_OF_JOB = {
    job_records.QUEUED: P + "QUEUED",
    job_records.PENDING: P + "PENDING",
    job_records.RUNNING: P + "RUNNING",
    job_records.CANCELLING: P + "CANCELLING",
    job_records.CANCELLED: P + "CANCELLED",
    job_records.FAILED: P + "FAILED",
    job_records.SUCCEEDED: P + "SUCCEEDED",
}
TERMINAL = (P + "SUCCEEDED", P + "FAILED", P + "CANCELLED")

# The custom task's inputs: CustomJobSpec's fields that the schema accepts.
_TASK_INPUTS = {
    "workerPoolSpecs",
    "baseOutputDirectory",
    "scheduling",
    "serviceAccount",
    "network",
    "reservedIpRanges",
    "tensorboard",
    "enableWebAccess",
    "enableDashboardAccess",
    "persistentResourceId",
}
_OUTPUT_ONLY = {
    "name",
    "state",
    "error",
    "createTime",
    "startTime",
    "endTime",
    "updateTime",
    "trainingTaskMetadata",
}

SPEC = resource_spec(
    state=filters.string_field("state"),
    training_task_definition=filters.string_field("trainingTaskDefinition"),
)


def render(pipeline: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in pipeline.items() if not k.startswith("_")}


def _get(tx: Tx, path: str) -> dict[str, Any]:
    return existing(tx, path, KIND, "TrainingPipeline")


def _set_state(
    pipeline: dict[str, Any], state: str, now: str, error: dict[str, Any] | None = None
) -> None:
    pipeline["state"] = state
    pipeline["updateTime"] = now
    if state == P + "RUNNING" and "startTime" not in pipeline:
        pipeline["startTime"] = now
    if state in TERMINAL:
        pipeline["endTime"] = now
        pipeline.pop("_awaitingUpload", None)
    if error is not None:
        pipeline["error"] = error


def follow_job(tx: Tx, job: dict[str, Any]) -> None:
    """Mirror a backing job's new state on its pipeline (same transaction)."""
    name = job.get("_pipeline")
    pipeline = tx.get(name, KIND) if name else None
    if pipeline is None or pipeline.get("state") in TERMINAL:
        return
    state = job.get("state", job_records.QUEUED)
    if state == job_records.SUCCEEDED and pipeline.get("modelToUpload"):
        _set_state(pipeline, P + "RUNNING", tx.now)
        pipeline["_awaitingUpload"] = True
    else:
        error = job.get("error") if state in (job_records.FAILED, job_records.CANCELLED) else None
        _set_state(pipeline, STATE_OF_JOB[state], tx.now, error)
    tx.update(pipeline["name"], pipeline)


def awaiting_upload(tx: Tx) -> list[str]:
    return [
        p["name"]
        for p in tx.all_of_kind(KIND)
        if p.get("_awaitingUpload") and p.get("state") not in TERMINAL
    ]


def _upload_request(pipeline: dict[str, Any], artifact_uri: str) -> dict[str, Any]:
    request: dict[str, Any] = {
        "parent": pipeline["name"].split("/trainingPipelines/")[0],
        "model": {**pipeline["modelToUpload"], "artifactUri": artifact_uri},
    }
    for key in ("modelId", "parentModel"):
        if pipeline.get(key):
            request[key] = pipeline[key]
    return request


def _artifact_uri(pipeline: dict[str, Any]) -> str:
    inputs = pipeline.get("trainingTaskInputs") or {}
    base = str((inputs.get("baseOutputDirectory") or {}).get("outputUriPrefix", ""))
    if base:
        return (base if base.endswith("/") else base + "/") + "model/"
    return str((pipeline.get("modelToUpload") or {}).get("artifactUri", ""))


async def upload_model(store: Store, storage: LocalStorage | None, name: str) -> None:
    """Upload the trained model (reusing UploadModel's plan); end the pipeline."""
    pipeline = await store.read(lambda tx: tx.get(name, KIND))
    if pipeline is None or not pipeline.get("_awaitingUpload"):
        return
    artifact_uri = _artifact_uri(pipeline)
    failure: ApiError | None = None
    plan: model_upload.UploadPlan | None = None
    try:
        plan = model_upload.UploadPlan(_upload_request(pipeline, artifact_uri))
        if storage is None:  # pragma: no cover - the CLI always runs local storage
            failure = failed_precondition("Local Cloud Storage is not running.")
        else:
            failure = await storage.check_artifact_uri(
                artifact_uri, "model_to_upload.artifact_uri", plan.expected_files
            )
    except ApiError as error:
        failure = error

    def finish(tx: Tx) -> None:
        current = tx.get(name, KIND)
        if current is None or not current.get("_awaitingUpload"):
            return
        error = failure
        if error is None and plan is not None:
            try:
                with tx.savepoint():
                    result = plan.work(tx)
                    version_name = f"{result['model']}@{result['modelVersionId']}"
                    version = tx.get(version_name, model_versions.KIND_VERSION)
                    if version is not None:
                        version["trainingPipeline"] = name
                        tx.update(version_name, version)
            except ApiError as raised:
                error = raised
            else:
                current["modelToUpload"] = {
                    **current["modelToUpload"],
                    "name": result["model"],
                    "versionId": result["modelVersionId"],
                    "artifactUri": artifact_uri,
                }
        if error is not None:
            message = f"Training succeeded, but the model could not be uploaded: {error.message}"
            _set_state(current, P + "FAILED", tx.now, {"code": error.rpc_code, "message": message})
        else:
            _set_state(current, P + "SUCCEEDED", tx.now)
        tx.update(name, current)

    await store.write(finish)


# creating ----------------------------------------------------------------------------------


class CreatePlan:
    def __init__(self, request: dict[str, Any], call: Call) -> None:
        runner = custom_jobs.runner_of(call)
        parent = request.get("parent", "")
        self.location = parse_location(parent, "parent")
        self.project_id = parent.split("/")[1]
        body = request.get("trainingPipeline")
        if not body:
            raise invalid_argument("training_pipeline is required.")
        validate_display_name(body.get("displayName"), "training_pipeline.display_name")
        validate_labels(body.get("labels") or {}, "training_pipeline.labels")
        if body.get("trainingTaskDefinition") != CUSTOM_TASK:
            raise invalid_argument(
                "Invalid training_pipeline.training_task_definition: the embedded Vertex runs "
                f"the custom training task only ({CUSTOM_TASK}), got "
                f"{body.get('trainingTaskDefinition')!r}."
            )
        if body.get("inputDataConfig"):
            raise invalid_argument(
                "Invalid training_pipeline.input_data_config: managed datasets are not "
                "supported by the embedded Vertex."
            )
        inputs = body.get("trainingTaskInputs")
        if not isinstance(inputs, dict):
            raise invalid_argument("training_pipeline.training_task_inputs is required.")
        where = "training_pipeline.training_task_inputs"
        for key in inputs:
            if key not in _TASK_INPUTS and protos_name(key) not in _TASK_INPUTS:
                raise invalid_argument(f'Invalid {where}: unknown field "{key}".')
        self.job_spec = protos.parse(f"{V1}.CustomJobSpec", inputs)
        self.pools = parse_pools(
            self.job_spec.get("workerPoolSpecs"), f"{where}.worker_pool_specs", runner.interpreters
        )
        self.where = f"{where}.worker_pool_specs"
        custom_jobs.check_base_output(
            self.job_spec, f"{where}.base_output_directory.output_uri_prefix"
        )
        self.body = {k: v for k, v in body.items() if k not in _OUTPUT_ONLY}
        self.body["trainingTaskInputs"] = self.job_spec
        self.path = self.location.child("trainingPipelines", new_numeric_id())
        self.job_path = self.location.child("customJobs", new_numeric_id())
        if body.get("modelToUpload"):
            artifact = _artifact_uri({**self.body, "name": self.path})
            if not artifact:
                raise invalid_argument(
                    "training_pipeline.training_task_inputs.base_output_directory is required "
                    "to upload a model (the model is read from its model/ folder)."
                )
            upload = _upload_request({**self.body, "name": self.path}, artifact)
            try:
                model_upload.UploadPlan(upload)
            except ApiError as error:
                raise invalid_argument(
                    error.message.replace("model.", "training_pipeline.model_to_upload.", 1)
                ) from None
            self.upload = upload

    def work(self, tx: Tx) -> dict[str, Any]:
        if self.body.get("modelToUpload"):
            model_upload.UploadPlan(self.upload).check(tx)
        pipeline = {
            "name": self.path,
            **self.body,
            "trainingTaskMetadata": {"backingCustomJob": self.job_path},
            "state": P + "QUEUED",
            "createTime": tx.now,
            "updateTime": tx.now,
        }
        job = {
            "name": self.job_path,
            "displayName": f"{self.body['displayName']}-custom-job"[:128],
            "jobSpec": self.job_spec,
            "state": job_records.QUEUED,
            "createTime": tx.now,
            "updateTime": tx.now,
            "_projectId": self.project_id,
            "_pipeline": self.path,
        }
        if self.body.get("labels"):
            job["labels"] = self.body["labels"]
        tx.insert(KIND, self.path, self.location.path, pipeline)
        tx.insert(job_records.KIND, self.job_path, self.location.path, job)
        return pipeline


def protos_name(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


async def _create(call: Call) -> Reply:
    plan = CreatePlan(call.request, call)
    await custom_jobs.check_packages(call, plan.pools, plan.where)
    pipeline = await call.ctx.store.write(plan.work)
    custom_jobs.runner_of(call).kick()
    return Reply(PIPELINE, render(pipeline))


async def _get_handler(call: Call) -> Reply:
    name = parse_resource_name(call.request.get("name", ""), "trainingPipelines")
    return Reply(PIPELINE, render(await call.ctx.store.read(lambda tx: _get(tx, name.path))))


async def _list(call: Call) -> Reply:
    return await list_in_location(
        call,
        kind=KIND,
        render=render,
        spec=SPEC,
        field="trainingPipelines",
        response="ListTrainingPipelinesResponse",
    )


async def _cancel(call: Call) -> Reply:
    runner = custom_jobs.runner_of(call)
    name = parse_resource_name(call.request.get("name", ""), "trainingPipelines")

    def check(tx: Tx) -> str:
        pipeline = _get(tx, name.path)
        if pipeline.get("state") in TERMINAL:
            raise failed_precondition(
                f"Cannot cancel TrainingPipeline {name.path}: it is already in the terminal "
                f"state {pipeline['state']}."
            )
        if pipeline.get("_awaitingUpload"):
            _set_state(pipeline, P + "CANCELLED", tx.now, dict(job_records.CANCELLED_ERROR))
            tx.update(name.path, pipeline)
            return ""
        return str(pipeline["trainingTaskMetadata"]["backingCustomJob"])

    job = await call.ctx.store.write(check)
    if job:
        await runner.cancel(job)
    return Reply("google.protobuf.Empty", {})


def _check_delete(tx: Tx, path: str) -> None:
    pipeline = _get(tx, path)
    if pipeline.get("state") not in TERMINAL:
        raise failed_precondition(
            f"The TrainingPipeline {path} is in state {pipeline.get('state')} and cannot be "
            "deleted; cancel it first."
        )


async def _delete(call: Call) -> Reply:
    name = parse_resource_name(call.request.get("name", ""), "trainingPipelines")

    def work(tx: Tx) -> dict[str, Any]:
        _check_delete(tx, name.path)
        tx.delete(name.path)
        return {}

    return await delete_operation(
        call, name, check=lambda tx: _check_delete(tx, name.path), work=work
    )


def routes() -> list[Route]:
    location = "projects/*/locations/*"
    pipeline = f"{location}/trainingPipelines/*"
    request = f"{V1}."
    return [
        Route(
            "POST",
            f"/v1/{{parent={location}}}/trainingPipelines",
            request + "CreateTrainingPipelineRequest",
            _create,
            "training_pipeline",
        ),
        Route(
            "GET", f"/v1/{{name={pipeline}}}", request + "GetTrainingPipelineRequest", _get_handler
        ),
        Route(
            "GET",
            f"/v1/{{parent={location}}}/trainingPipelines",
            request + "ListTrainingPipelinesRequest",
            _list,
        ),
        Route(
            "POST",
            f"/v1/{{name={pipeline}}}:cancel",
            request + "CancelTrainingPipelineRequest",
            _cancel,
            "*",
        ),
        Route(
            "DELETE", f"/v1/{{name={pipeline}}}", request + "DeleteTrainingPipelineRequest", _delete
        ),
    ]


class PipelineFollower:
    """Follows the backing jobs for the training runner: mirrors each state change on the
    job's pipeline and uploads the trained model once the job succeeded."""

    def __init__(self, store: Store, storage: LocalStorage | None) -> None:
        self.store = store
        self.storage = storage

    def job_changed(self, tx: Tx, job: dict[str, Any]) -> None:
        follow_job(tx, job)

    async def job_succeeded(self, job: dict[str, Any]) -> None:
        if job.get("_pipeline"):
            await upload_model(self.store, self.storage, job["_pipeline"])

    async def resume(self) -> None:
        """Finish the pipelines whose backing job succeeded before a restart."""
        for name in await self.store.read(awaiting_upload):
            await upload_model(self.store, self.storage, name)
