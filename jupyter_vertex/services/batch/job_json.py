"""``google.cloud.aiplatform_v1.BatchPredictionJob`` → the API's ``BatchPredictionJob``,
with its progress: rows done, the total when known, rate and ETA from the job's times."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..convert import resource_id, timestamp

__all__ = ["ROWS_LABEL", "batch_job_to_json", "progress"]

#: The label the extension sets on a job whose input it staged: the number of rows.
ROWS_LABEL = "jupyter-vertex-rows"
STATE_PREFIX = "JOB_STATE_"


def _seconds(start: Any, end: Any) -> float | None:
    if not isinstance(start, dt.datetime):
        return None
    if not isinstance(end, dt.datetime):
        end = dt.datetime.now(dt.UTC)
    return max(0.0, (end - start).total_seconds())


def progress(job: Any, state: str) -> dict[str, Any]:
    """``done`` = successful + failed + incomplete rows; ``total`` from the staging count
    (or ``done`` once the job succeeded); ``rowsPerSecond`` over the running time; ``etaSeconds``
    while it runs with a known total."""
    stats = job.completion_stats
    done = int(stats.successful_count) + int(stats.failed_count) + int(stats.incomplete_count)
    label = (job.labels or {}).get(ROWS_LABEL, "")
    total: int | None = int(label) if label.isdigit() else None
    if state == "SUCCEEDED":
        total = done
    end = job.end_time if "end_time" in job else None
    start = job.start_time if "start_time" in job else None
    elapsed = _seconds(start, end)
    rate = done / elapsed if elapsed and done else None
    eta = None
    if state == "RUNNING" and total is not None and rate:
        eta = max(0.0, (total - done) / rate)
    return {
        "done": done,
        "total": total,
        "rowsPerSecond": round(rate, 3) if rate is not None else None,
        "etaSeconds": round(eta, 1) if eta is not None else None,
    }


def batch_job_to_json(job: Any) -> dict[str, Any]:
    state = job.state.name.removeprefix(STATE_PREFIX)
    stats = job.completion_stats
    resources = job.dedicated_resources
    error = None
    if job.error.code or job.error.message:
        error = {"code": int(job.error.code), "message": job.error.message}
    return {
        "name": job.name,
        "id": resource_id(job.name),
        "displayName": job.display_name,
        "model": job.model,
        "modelVersionId": job.model_version_id or None,
        "state": state,
        "createTime": timestamp(job.create_time if "create_time" in job else None),
        "startTime": timestamp(job.start_time if "start_time" in job else None),
        "endTime": timestamp(job.end_time if "end_time" in job else None),
        "updateTime": timestamp(job.update_time if "update_time" in job else None),
        "error": error,
        "labels": {str(k): str(v) for k, v in (job.labels or {}).items()},
        "inputUris": [str(u) for u in job.input_config.gcs_source.uris],
        "instancesFormat": job.input_config.instances_format,
        "predictionsFormat": job.output_config.predictions_format,
        "outputUriPrefix": job.output_config.gcs_destination.output_uri_prefix or None,
        "outputDirectory": job.output_info.gcs_output_directory or None,
        "machineType": resources.machine_spec.machine_type or None,
        "startingReplicaCount": int(resources.starting_replica_count),
        "maxReplicaCount": int(resources.max_replica_count),
        "batchSize": int(job.manual_batch_tuning_parameters.batch_size) or None,
        "completionStats": {
            "successful": int(stats.successful_count),
            "failed": int(stats.failed_count),
            "incomplete": int(stats.incomplete_count),
        },
        "progress": progress(job, state),
    }
