"""Batch prediction jobs of a model version through Google's ``JobServiceClient``: create
(a file of the Jupyter root is staged to the staging bucket first, off the loop), list,
get (with progress), cancel, delete, the first rows of the results and the code that does
the same with the SDK or loads the predictions into a DataFrame.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from typing import Any

from ...backend.blocking import run_blocking
from ...backend.clients import ClientFactory
from ...errors import FailedPrecondition
from ..paging import list_request, page
from .code import batch_code, dataframe_cell
from .job_json import ROWS_LABEL, STATE_PREFIX, batch_job_to_json
from .options import BatchOptions, count_rows, parse_batch, resolve_input
from .results import first_rows

__all__ = ["BatchService"]

COLLECTION = "batchPredictionJobs"
OUTPUT_FOLDER = "jupyter-vertex/batch-outputs"
INPUT_FOLDER = "jupyter-vertex/batch-inputs"


class BatchService:
    """Batch prediction jobs of the configured backend."""

    def __init__(self, clients: ClientFactory, *, root_dir: str) -> None:
        self.clients = clients
        self.root_dir = root_dir

    async def _name(self, job_id: str) -> str:
        location = await self.clients.location()
        return f"{location.parent}/{COLLECTION}/{job_id}"

    async def _get_raw(self, job_id: str) -> Any:
        client = await self.clients.job_service()
        return await self.clients.call(
            client.get_batch_prediction_job, name=await self._name(job_id)
        )

    # -- create ------------------------------------------------------------------------------

    async def _sources(self, options: BatchOptions, token: str) -> tuple[list[str], int | None]:
        """The job's input URIs (the root's file staged first) and its rows when counted."""
        if not options.staged:
            return [options.input], None
        found = await run_blocking(resolve_input, self.root_dir, options.input)
        rows = await run_blocking(count_rows, found.file, options.instances_format)
        bucket = await self.clients.staging_bucket()
        uri = f"{bucket}/{INPUT_FOLDER}/{token}/{found.file.name}"
        await self.clients.upload(found.file, uri)
        return [uri], rows

    async def _plan(self, model_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """What a create sends (also for the code preview): names resolved, input staged."""
        options = parse_batch(body)
        location = await self.clients.location()
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
        token = f"{stamp}-{secrets.token_hex(4)}"
        destination = options.output_uri_prefix
        if destination is None:
            destination = f"{await self.clients.staging_bucket()}/{OUTPUT_FOLDER}"
        return {
            "options": options,
            "location": location,
            "model": f"{location.parent}/models/{model_id}",
            "display_name": options.display_name or f"batch-{stamp}",
            "destination": destination,
            "token": token,
        }

    async def create(self, model_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """Create the job (it runs on its own); answers it and its SDK code."""
        plan = await self._plan(model_id, body)
        options: BatchOptions = plan["options"]
        sources, rows = await self._sources(options, plan["token"])
        labels = {ROWS_LABEL: str(rows)} if rows is not None else {}
        job: dict[str, Any] = {
            "display_name": plan["display_name"],
            "model": plan["model"],
            "input_config": {
                "instances_format": options.instances_format,
                "gcs_source": {"uris": sources},
            },
            "output_config": {
                "predictions_format": options.predictions_format,
                "gcs_destination": {"output_uri_prefix": plan["destination"]},
            },
            "dedicated_resources": {
                "machine_spec": {"machine_type": options.machine_type},
                "starting_replica_count": options.starting_replica_count,
                "max_replica_count": options.max_replica_count,
            },
            "labels": labels,
        }
        if options.batch_size is not None:
            job["manual_batch_tuning_parameters"] = {"batch_size": options.batch_size}
        client = await self.clients.job_service()
        try:
            created = await self.clients.call(
                client.create_batch_prediction_job,
                parent=plan["location"].parent,
                batch_prediction_job=job,
            )
        except Exception:
            if options.staged:  # nothing half-created: the staged copy goes with the refusal
                await self._remove(sources[0])
            raise
        return {"job": batch_job_to_json(created), "code": self._code(plan, sources)}

    async def _remove(self, uri: str) -> None:
        try:
            await self.clients.delete_object(uri)
        except Exception as cleanup:
            self.clients.log.warning("jupyter_vertex: could not remove %s: %s", uri, cleanup)

    def _code(self, plan: dict[str, Any], sources: list[str]) -> str:
        options: BatchOptions = plan["options"]
        return batch_code(
            model=plan["model"],
            display_name=plan["display_name"],
            sources=sources,
            instances_format=options.instances_format,
            predictions_format=options.predictions_format,
            destination=plan["destination"],
            machine_type=options.machine_type,
            starting_replica_count=options.starting_replica_count,
            max_replica_count=options.max_replica_count,
            batch_size=options.batch_size,
            project=plan["location"].project,
            region=plan["location"].region,
        )

    async def code(self, model_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """The SDK code of a create, before it is made (a file of the root is named by the
        URI it will be staged at; nothing is uploaded)."""
        plan = await self._plan(model_id, body)
        options: BatchOptions = plan["options"]
        sources = [options.input]
        if options.staged:
            found = await run_blocking(resolve_input, self.root_dir, options.input)
            bucket = await self.clients.staging_bucket()
            sources = [f"{bucket}/{INPUT_FOLDER}/{plan['token']}/{found.file.name}"]
        return {"language": "python", "code": self._code(plan, sources)}

    # -- follow ------------------------------------------------------------------------------

    async def list(
        self,
        *,
        state: str | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> dict[str, Any]:
        location = await self.clients.location()
        client = await self.clients.job_service()
        request = list_request(
            parent=location.parent,
            page_size=page_size,
            page_token=page_token,
            filter=f'state="{STATE_PREFIX}{state}"' if state else None,
        )
        del request["order_by"]  # ListBatchPredictionJobsRequest has no order_by
        pager = await self.clients.call(client.list_batch_prediction_jobs, request=request)
        return page(
            "batchPredictionJobs",
            pager.batch_prediction_jobs,
            batch_job_to_json,
            pager.next_page_token,
        )

    async def get(self, job_id: str) -> dict[str, Any]:
        return batch_job_to_json(await self._get_raw(job_id))

    async def cancel(self, job_id: str) -> dict[str, Any]:
        client = await self.clients.job_service()
        await self.clients.call(client.cancel_batch_prediction_job, name=await self._name(job_id))
        return await self.get(job_id)

    async def delete(self, job_id: str) -> None:
        client = await self.clients.job_service()
        operation = await self.clients.call(
            client.delete_batch_prediction_job, name=await self._name(job_id)
        )
        await self.clients.wait_operation(operation)

    async def results(self, job_id: str, *, rows: int) -> dict[str, Any]:
        """The first ``rows`` predictions and errors as tables, and a DataFrame cell."""
        job = batch_job_to_json(await self._get_raw(job_id))
        directory = job["outputDirectory"]
        if not directory:
            raise FailedPrecondition(
                f"Batch prediction job {job_id} has no output yet (state {job['state']}).",
                hint="Results appear once the job runs; try again in a moment.",
            )
        fmt = job["predictionsFormat"] or "jsonl"
        storage = await self.clients.storage_client()
        predictions = await run_blocking(first_rows, storage, directory, "predictions", fmt, rows)
        errors = await run_blocking(first_rows, storage, directory, "errors", fmt, rows)
        location = await self.clients.location()
        cell = dataframe_cell(
            directory, fmt, project=location.project, setup=await self.clients.kernel_setup()
        )
        return {
            "outputDirectory": directory,
            "predictionsFormat": fmt,
            "predictions": predictions,
            "errors": errors,
            "cell": cell,
        }
