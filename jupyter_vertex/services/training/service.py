"""Training jobs: train from a file, list/get/cancel/delete, logs, equivalent SDK code.

A job of the API is a Vertex AI ``CustomJob`` (kind ``customJob``) or, when a model is
registered at the end, a ``TrainingPipeline`` with a custom task and ``model_to_upload``
(kind ``trainingPipeline``), created with Google's GAPIC clients. Packaging and staging run
in worker threads; git runs as an asyncio subprocess.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import secrets
import time
from collections.abc import Mapping
from typing import Any

from ...backend.blocking import run_blocking
from ...backend.clients import ClientFactory
from ...errors import InvalidArgument
from ..convert import resource_id
from .job_json import (
    COLLECTION,
    JOB_KINDS,
    SOURCE_MARK,
    STATE_PREFIX,
    STATES,
    custom_job_to_json,
    plain,
    training_pipeline_to_json,
)
from .options import TrainingOptions, parse_options, worker_pool_specs
from .packaging import DEFAULT_MAX_BYTES, PACKAGE_FILE, Source, build_package, resolve_source
from .provenance import GitProvenance, git_provenance, model_labels
from .sdk_code import sdk_code

__all__ = ["CUSTOM_TASK", "JOB_KINDS", "TrainingService"]

CUSTOM_TASK = "gs://google-cloud-aiplatform/schema/trainingjob/definition/custom_task_1.0.0.yaml"
DEFAULT_PAGE_SIZE = 50
ACTIVE_STATES = ("QUEUED", "PENDING", "RUNNING", "CANCELLING")
LOG_FILTER = 'resource.type="ml_job" AND resource.labels.job_id="{job_id}"'


# -- page tokens and log cursors -----------------------------------------------------------


def _encode(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _decode(token: str, what: str) -> dict[str, Any]:
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        data = None
    if not isinstance(data, dict):
        raise InvalidArgument(f"Parameter '{what}' is not one this server issued.")
    return data


def _log_time(value: Any) -> str:
    """A log entry's timestamp as fixed-width RFC 3339 (microseconds, UTC)."""
    import datetime as dt

    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return str(value)


class TrainingService:
    """Training jobs of the configured backend."""

    def __init__(
        self,
        clients: ClientFactory,
        *,
        root_dir: str,
        max_package_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self.clients = clients
        self.root_dir = root_dir
        self.max_package_bytes = max_package_bytes

    async def _service(self, kind: str) -> Any:
        if kind == "customJob":
            return await self.clients.job_service()
        return await self.clients.pipeline_service()

    async def _name(self, kind: str, job_id: str) -> str:
        location = await self.clients.location()
        return f"{location.parent}/{COLLECTION[kind]}/{job_id}"

    # -- create --------------------------------------------------------------------------

    async def create(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Package the file's folder, stage it and create the job (it runs on its own)."""
        options = parse_options(body)
        source = await run_blocking(resolve_source, self.root_dir, options.path)
        git = await git_provenance(source.folder)
        return await self.submit(options, source, git)

    async def submit(
        self, options: TrainingOptions, source: Source, git: GitProvenance | None
    ) -> dict[str, Any]:
        """Package ``source``'s folder (the working copy, or a commit's tree for a re-run),
        stage it and create the job with ``git``'s labels."""
        location = await self.clients.location()
        executor_image = options.executor_image(location.region)
        labels = {**options.labels, **(git.labels() if git else {})}
        if len(labels) > 64:
            raise InvalidArgument("Field 'labels': at most 64 labels (git adds up to 3).")
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
        display_name = options.display_name or f"{source.file.stem}-{stamp}"
        token = f"{stamp}-{secrets.token_hex(4)}"
        bucket = await self.clients.staging_bucket()
        prefix = f"{bucket}/jupyter-vertex/{token}"
        base_output = f"{prefix}/output"
        notebook_output = (
            f"{base_output}/executed/{source.file.name}" if source.kind == "notebook" else None
        )
        package = await run_blocking(
            build_package,
            source,
            max_bytes=self.max_package_bytes,
            notebook_output=notebook_output,
        )
        package_uri = f"{prefix}{SOURCE_MARK}{source.path}/{PACKAGE_FILE}"
        try:
            await self.clients.upload(package.file, package_uri)
        finally:
            await run_blocking(package.remove)
        pools = worker_pool_specs(
            options,
            executor_image=executor_image,
            package_uri=package_uri,
            python_module=package.python_module,
        )
        try:
            if options.registers_model:
                return await self._create_pipeline(
                    location.parent, display_name, pools, base_output, labels, options
                )
            return await self._create_custom_job(
                location.parent, display_name, pools, base_output, labels
            )
        except Exception:
            # Nothing half-created: the staged package goes with the failed job.
            try:
                await self.clients.delete_object(package_uri)
            except Exception as cleanup:
                self.clients.log.warning(
                    "jupyter_vertex: could not remove %s: %s", package_uri, cleanup
                )
            raise

    async def _create_custom_job(
        self,
        parent: str,
        display_name: str,
        pools: list[dict[str, Any]],
        base_output: str,
        labels: dict[str, str],
    ) -> dict[str, Any]:
        client = await self.clients.job_service()
        from google.cloud.aiplatform_v1 import CustomJob

        job = CustomJob(
            display_name=display_name,
            job_spec={
                "worker_pool_specs": _typed_pools(pools),
                "base_output_directory": {"output_uri_prefix": base_output},
            },
            labels=labels,
        )
        created = await self.clients.call(client.create_custom_job, parent=parent, custom_job=job)
        return custom_job_to_json(created)

    async def _create_pipeline(
        self,
        parent: str,
        display_name: str,
        pools: list[dict[str, Any]],
        base_output: str,
        labels: dict[str, str],
        options: Any,
    ) -> dict[str, Any]:
        client = await self.clients.pipeline_service()
        from google.cloud.aiplatform_v1 import Model, ModelContainerSpec, TrainingPipeline

        parent_model = options.parent_model
        if parent_model and "/" not in parent_model:
            parent_model = f"{parent}/models/{parent_model}"
        pipeline = TrainingPipeline(
            display_name=display_name,
            training_task_definition=CUSTOM_TASK,
            # As the SDK sends it: the CustomJobSpec as a Struct, proto field names.
            training_task_inputs={
                "worker_pool_specs": pools,
                "base_output_directory": {"output_uri_prefix": base_output},
            },
            model_to_upload=Model(
                display_name=options.model_display_name or display_name,
                container_spec=ModelContainerSpec(image_uri=options.serving_container_image_uri),
                labels=model_labels(labels, display_name),
            ),
            parent_model=parent_model or "",
            labels=labels,
        )
        created = await self.clients.call(
            client.create_training_pipeline, parent=parent, training_pipeline=pipeline
        )
        return training_pipeline_to_json(created)

    # -- read, cancel, delete ---------------------------------------------------------

    async def _list_kind(
        self, kind: str, states: tuple[str, ...] | None, page_size: int, page_token: str
    ) -> tuple[list[dict[str, Any]], str | None]:
        if states is not None:
            states = tuple(s for s in states if s in STATES[kind])
            if not states:
                return [], None
        location = await self.clients.location()
        client = await self._service(kind)
        request = {
            "parent": location.parent,
            "page_size": page_size,
            "page_token": page_token,
            # One filter for several states (AIP-160 OR), so a job moving between two of
            # them while the list is read is still listed once.
            "filter": " OR ".join(f'state="{STATE_PREFIX[kind]}{s}"' for s in states or ()),
        }
        if kind == "customJob":
            pager = await self.clients.call(client.list_custom_jobs, request=request)
            items = [custom_job_to_json(j) for j in pager.custom_jobs]
        else:
            pager = await self.clients.call(client.list_training_pipelines, request=request)
            items = [training_pipeline_to_json(p) for p in pager.training_pipelines]
        return items, pager.next_page_token or None

    async def list(
        self,
        *,
        kind: str | None = None,
        state: str | tuple[str, ...] | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> dict[str, Any]:
        """One page of jobs: custom jobs first, then training pipelines (or one kind); in
        ``state`` (one, or any of several) when given."""
        kinds = [kind] if kind else list(JOB_KINDS)
        states = (state,) if isinstance(state, str) else state
        size = page_size or DEFAULT_PAGE_SIZE
        start, inner = 0, ""
        if page_token:
            data = _decode(page_token, "pageToken")
            if data.get("k") not in kinds or not isinstance(data.get("t"), str):
                raise InvalidArgument("Parameter 'pageToken' is not one this server issued.")
            start, inner = kinds.index(data["k"]), data["t"]
        jobs: list[dict[str, Any]] = []
        next_token: str | None = None
        for index in range(start, len(kinds)):
            current = kinds[index]
            items, more = await self._list_kind(current, states, size - len(jobs), inner)
            inner = ""
            jobs += items
            if more:
                next_token = _encode({"k": current, "t": more})
                break
            if len(jobs) >= size and index + 1 < len(kinds):
                next_token = _encode({"k": kinds[index + 1], "t": ""})
                break
        return {"jobs": jobs, "nextPageToken": next_token}

    async def get(self, kind: str, job_id: str) -> dict[str, Any]:
        client = await self._service(kind)
        name = await self._name(kind, job_id)
        if kind == "customJob":
            return custom_job_to_json(await self.clients.call(client.get_custom_job, name=name))
        pipeline = await self.clients.call(client.get_training_pipeline, name=name)
        return training_pipeline_to_json(pipeline)

    async def cancel(self, kind: str, job_id: str) -> dict[str, Any]:
        client = await self._service(kind)
        name = await self._name(kind, job_id)
        method = (
            client.cancel_custom_job if kind == "customJob" else client.cancel_training_pipeline
        )
        await self.clients.call(method, name=name)
        return await self.get(kind, job_id)

    async def delete(self, kind: str, job_id: str) -> None:
        client = await self._service(kind)
        name = await self._name(kind, job_id)
        method = (
            client.delete_custom_job if kind == "customJob" else client.delete_training_pipeline
        )
        operation = await self.clients.call(method, name=name)
        await self.clients.wait_operation(operation)

    # -- logs and code -----------------------------------------------------------------

    async def logs(
        self, kind: str, job_id: str, *, cursor: str | None = None, page_size: int | None = None
    ) -> dict[str, Any]:
        """Log lines of the job newer than ``cursor`` (oldest first) and the next cursor."""
        after: tuple[str, str] | None = None
        if cursor:
            data = _decode(cursor, "cursor")
            if not isinstance(data.get("t"), str) or not isinstance(data.get("i"), str):
                raise InvalidArgument("Parameter 'cursor' is not one this server issued.")
            after = (data["t"], data["i"])
        job = await self.get(kind, job_id)
        custom_job = job["customJob"]
        if not custom_job:  # a pipeline that has not started its custom job yet
            return {"entries": [], "cursor": cursor or None, "state": job["state"]}
        limit = page_size or 1000
        location = await self.clients.location()
        client = await self.clients.logging_client()

        def read(after: tuple[str, str] | None, limit: int) -> list[dict[str, Any]]:
            import google.cloud.logging as logging

            log_filter = LOG_FILTER.format(job_id=resource_id(custom_job))
            if after is not None:
                log_filter += f' AND timestamp>="{after[0]}"'
            found: list[dict[str, Any]] = []
            iterator = client.list_entries(
                resource_names=[f"projects/{location.project}"],
                filter_=log_filter,
                order_by=logging.ASCENDING,
                page_size=min(limit + 50, 1000),
            )
            for entry in itertools.islice(iterator, limit + 1000):
                when = _log_time(entry.timestamp)
                key = (when, str(entry.insert_id or ""))
                if after is not None and key <= after:
                    continue
                payload = entry.payload
                if isinstance(payload, Mapping):
                    text = str(payload.get("message", json.dumps(plain(payload))))
                else:
                    text = "" if payload is None else str(payload)
                labels = dict(getattr(entry.resource, "labels", None) or {})
                found.append(
                    {
                        "timestamp": when,
                        "insertId": key[1],
                        "severity": entry.severity or "DEFAULT",
                        "replica": labels.get("task_name") or None,
                        "message": text.rstrip("\n"),
                    }
                )
                if len(found) >= limit:
                    break
            return found

        entries = await run_blocking(read, after, limit)
        if entries and job["state"] in ("QUEUED", "PENDING"):
            # Lines came after the state was read: read it again, so that the state answered
            # is never older than the lines. Should it have ended meanwhile, what it wrote
            # since is read too: an ended state always comes with the whole log.
            job = await self.get(kind, job_id)
            if job["state"] not in ACTIVE_STATES and len(entries) < limit:
                seen = (entries[-1]["timestamp"], entries[-1]["insertId"])
                entries += await run_blocking(read, seen, limit - len(entries))
        next_cursor = cursor or None
        if entries:
            last = entries[-1]
            next_cursor = _encode({"t": last["timestamp"], "i": last["insertId"]})
        return {"entries": entries, "cursor": next_cursor, "state": job["state"]}

    async def code(self, kind: str, job_id: str) -> dict[str, Any]:
        job = await self.get(kind, job_id)
        return {"language": "python", "code": await self.code_for(job)}

    async def code_for(self, job: dict[str, Any]) -> str:
        """The SDK code that creates a job like ``job`` (the API's ``Job``)."""
        location = await self.clients.location()
        bucket = await self.clients.staging_bucket(create=False)
        return sdk_code(
            job, project=location.project, region=location.region, staging_bucket=bucket
        )


def _typed_pools(pools: list[dict[str, Any]]) -> list[Any]:
    """Worker pool specs as ``aiplatform_v1.WorkerPoolSpec`` (accelerator enums typed)."""
    from google.cloud.aiplatform_v1 import AcceleratorType, WorkerPoolSpec

    out = []
    for pool in pools:
        pool = json.loads(json.dumps(pool))
        machine = pool["machine_spec"]
        if "accelerator_type" in machine:
            kinds: Any = AcceleratorType
            machine["accelerator_type"] = kinds[machine["accelerator_type"]]
        out.append(WorkerPoolSpec(**pool))
    return out
