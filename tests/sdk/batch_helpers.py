"""Helpers of the SDK's batch prediction tests: input files put in the session's local Cloud
Storage, outputs read back as an SDK user would (the storage client), and one small
``Model.batch_predict`` job run to its end with its invariants checked."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from google.cloud import aiplatform, storage
from sdk_helpers import Sdk

from jupyter_vertex.emulator.testing import model_servers


def put(sdk: Sdk, name: str, text: str) -> str:
    """Upload ``text`` as ``name`` in a fresh folder of the staging bucket; its gs:// URI."""
    bucket = sdk.staging_bucket[len("gs://") :]
    folder = f"batch-{uuid.uuid4().hex[:8]}"
    blob = storage.Client(project=sdk.project).bucket(bucket).blob(f"{folder}/{name}")
    blob.upload_from_string(text)
    return f"gs://{bucket}/{folder}/{name}"


def put_jsonl(sdk: Sdk, rows: list[Any]) -> str:
    return put(sdk, "rows.jsonl", "".join(json.dumps(row) + "\n" for row in rows))


def read_jsonl(sdk: Sdk, uri: str) -> list[Any]:
    blob = storage.Blob.from_uri(uri, client=storage.Client(project=sdk.project))
    return [json.loads(line) for line in blob.download_as_text().splitlines()]


def outputs(sdk: Sdk, directory: str) -> list[str]:
    """The names of the files under a job's output directory."""
    bucket, _, prefix = directory[len("gs://") :].partition("/")
    client = storage.Client(project=sdk.project)
    return sorted(b.name[len(prefix) + 1 :] for b in client.list_blobs(bucket, prefix=prefix + "/"))


def servers(job: aiplatform.BatchPredictionJob) -> dict[int, dict[str, str]]:
    """The job's model server processes, found in /proc."""
    return model_servers(f"batch-{job.name}")


def batch_predict(
    model: aiplatform.Model,
    source: str,
    prefix: str,
    fmt: str = "jsonl",
    replicas: int = 2,
    **kw: Any,
) -> Any:
    """``model.batch_predict(..., sync=False)`` as a user calls it."""
    return model.batch_predict(
        job_display_name="score",
        gcs_source=source,
        gcs_destination_prefix=prefix,
        instances_format=fmt,
        machine_type="n1-standard-2",
        starting_replica_count=replicas,
        sync=False,
        **kw,
    )


def predictions_of_one_job(
    sdk: Sdk, artifacts: Path, image: str, rows: list[Any], batch_size: int
) -> list[Any]:
    """Upload the model in ``artifacts`` with ``image`` and score ``rows`` (a jsonl file) in one
    job on one model server; wait for it, check that every row succeeded, in input order, and
    that its server is gone; answer the predictions."""
    model = aiplatform.Model.upload(
        display_name="batch", artifact_uri=str(artifacts), serving_container_image_uri=image
    )
    job = batch_predict(
        model, put_jsonl(sdk, rows), f"{sdk.staging_bucket}/out", replicas=1, batch_size=batch_size
    )
    job.wait()
    assert job.state == aiplatform.gapic.JobState.JOB_STATE_SUCCEEDED, job.gca_resource.error
    stats = job.completion_stats
    assert (stats.successful_count, stats.failed_count, stats.incomplete_count) == (len(rows), 0, 0)
    directory = job.output_info.gcs_output_directory
    assert outputs(sdk, directory) == ["predictions_00001.jsonl"]
    lines = read_jsonl(sdk, f"{directory}/predictions_00001.jsonl")
    assert [line["instance"] for line in lines] == rows
    assert servers(job) == {}
    return [line["prediction"] for line in lines]


def in_batches(rows: Any, size: int) -> list[Any]:
    """``rows`` cut as a job with ``batchSize`` ``size`` cuts them (float32 sums may round
    differently in another batch: the same batches in process are the exact reference)."""
    return [rows[first : first + size] for first in range(0, len(rows), size)]
