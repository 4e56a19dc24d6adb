"""Vertex AI Pipelines through Google's ``PipelineServiceClient`` (both backends): preview a
pipeline of the Jupyter root (its parameters and the SDK code), run it (parameter values,
pipeline root, caching), re-run a job with other values, list, get (tasks and DAG), cancel,
delete. Parameter values are checked by Vertex AI (or the embedded Vertex) itself."""

from __future__ import annotations

import copy
import re
import secrets
import time
from collections.abc import Mapping
from typing import Any

from ...backend.clients import ClientFactory
from ...errors import InvalidArgument
from ..paging import list_request, page
from .code import pipeline_code
from .job_json import STATE_PREFIX, message_dict, pipeline_job_to_json
from .schedules import PipelineSchedules
from .source import PipelineSource, load_source, parameters_of

__all__ = ["PipelinesService"]

COLLECTION = "pipelineJobs"
ROOT_FOLDER = "pipeline-root"
_ID_CHARS = re.compile(r"[^a-z0-9-]+")


def _set_caching(spec: dict[str, Any], enabled: bool) -> dict[str, Any]:
    """As the SDK's ``enable_caching``: every task's ``cachingOptions.enableCache``."""
    spec = copy.deepcopy(spec)
    dags = [(spec.get("root") or {}).get("dag") or {}]
    dags += [(c or {}).get("dag") or {} for c in (spec.get("components") or {}).values()]
    for dag in dags:
        for task in (dag.get("tasks") or {}).values():
            task.setdefault("cachingOptions", {})["enableCache"] = enabled
    return spec


def _job_id(name: str) -> str:
    """The SDK's ``NAME-TIMESTAMP`` with a random tail (a second may hold two runs)."""
    base = _ID_CHARS.sub("-", name.lower()).strip("-")[:90] or "pipeline"
    return f"{base}-{time.strftime('%Y%m%d%H%M%S', time.gmtime())}-{secrets.token_hex(3)}"


class PipelinesService:
    """Pipeline jobs of the configured backend; pipelines from files of ``root_dir``."""

    def __init__(self, clients: ClientFactory, *, root_dir: str) -> None:
        self.clients = clients
        self.root_dir = root_dir
        self.schedules = PipelineSchedules(clients)

    async def _name(self, job_id: str) -> str:
        location = await self.clients.location()
        return f"{location.parent}/{COLLECTION}/{job_id}"

    async def _get_raw(self, job_id: str) -> Any:
        client = await self.clients.pipeline_service()
        return await self.clients.call(client.get_pipeline_job, name=await self._name(job_id))

    async def _source(self, body: Mapping[str, Any]) -> PipelineSource:
        return await load_source(self.root_dir, str(body["path"]), body.get("pipeline"))

    async def _plan(self, source: PipelineSource, body: Mapping[str, Any]) -> dict[str, Any]:
        location = await self.clients.location()
        root = body.get("pipelineRoot")
        if root is None:
            root = f"{await self.clients.staging_bucket()}/{ROOT_FOLDER}"
        if not str(root).startswith("gs://"):
            raise InvalidArgument(
                f"Field 'pipelineRoot': {str(root)[:80]!r} is not a gs:// URI.",
                hint="Give a folder of a bucket, e.g. gs://BUCKET/pipeline-root.",
            )
        return {
            "location": location,
            "root": str(root),
            "values": dict(body.get("parameterValues") or {}),
            "caching": body.get("enableCaching"),
            "display_name": body.get("displayName") or source.name,
        }

    def _code(self, source: PipelineSource, plan: dict[str, Any]) -> str:
        return pipeline_code(
            path=str(source.path),
            function=None if source.compiled else source.function,
            display_name=plan["display_name"],
            pipeline_root=plan["root"],
            parameter_values=plan["values"],
            enable_caching=plan["caching"],
            project=plan["location"].project,
            region=plan["location"].region,
        )

    async def preview(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """The pipeline's name and parameters (for the form) and the SDK code of a run."""
        source = await self._source(body)
        plan = await self._plan(source, body)
        return {
            "path": str(source.path),
            "pipelineName": source.name,
            "pipelines": source.pipelines,
            "pipeline": source.function,
            "parameters": parameters_of(source.spec),
            "pipelineRoot": plan["root"],
            "code": self._code(source, plan),
        }

    async def _submit(
        self, spec: dict[str, Any], plan: dict[str, Any], labels: Mapping[str, str]
    ) -> Any:
        if plan["caching"] is not None:
            spec = _set_caching(spec, bool(plan["caching"]))
        job = {
            "display_name": plan["display_name"],
            "pipeline_spec": spec,
            "labels": dict(labels),
            "runtime_config": {
                "gcs_output_directory": plan["root"],
                "parameter_values": plan["values"],
            },
        }
        client = await self.clients.pipeline_service()
        return await self.clients.call(
            client.create_pipeline_job,
            parent=plan["location"].parent,
            pipeline_job=job,
            pipeline_job_id=_job_id(str(spec["pipelineInfo"]["name"])),
        )

    async def create(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Run the pipeline of a file of the root; answers the job and its SDK code."""
        source = await self._source(body)
        plan = await self._plan(source, body)
        created = await self._submit(source.spec, plan, body.get("labels") or {})
        return {"job": pipeline_job_to_json(created, detail=True), "code": self._code(source, plan)}

    async def rerun(self, job_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """A new run of a job's own PipelineSpec: its values, pipeline root and labels unless
        the body gives others (``parameterValues`` replace the old ones by name)."""
        raw = await self._get_raw(job_id)
        old = pipeline_job_to_json(raw)
        spec = message_dict(raw).get("pipelineSpec") or {}
        location = await self.clients.location()
        values = {**old["parameterValues"], **dict(body.get("parameterValues") or {})}
        plan = {
            "location": location,
            "root": body.get("pipelineRoot") or old["pipelineRoot"],
            "values": values,
            "caching": body.get("enableCaching"),
            "display_name": body.get("displayName") or old["displayName"],
        }
        created = await self._submit(spec, plan, old["labels"])
        return {"job": pipeline_job_to_json(created, detail=True)}

    async def list(
        self,
        *,
        state: str | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> dict[str, Any]:
        location = await self.clients.location()
        client = await self.clients.pipeline_service()
        request = list_request(
            parent=location.parent,
            page_size=page_size,
            page_token=page_token,
            filter=f'state="{STATE_PREFIX}{state}"' if state else None,
            order_by="create_time desc",
        )
        pager = await self.clients.call(client.list_pipeline_jobs, request=request)
        return page(
            "pipelineJobs", pager.pipeline_jobs, pipeline_job_to_json, pager.next_page_token
        )

    async def get(self, job_id: str) -> dict[str, Any]:
        return pipeline_job_to_json(await self._get_raw(job_id), detail=True)

    async def cancel(self, job_id: str) -> dict[str, Any]:
        client = await self.clients.pipeline_service()
        await self.clients.call(client.cancel_pipeline_job, name=await self._name(job_id))
        return await self.get(job_id)

    async def delete(self, job_id: str) -> None:
        client = await self.clients.pipeline_service()
        operation = await self.clients.call(
            client.delete_pipeline_job, name=await self._name(job_id)
        )
        await self.clients.wait_operation(operation)
