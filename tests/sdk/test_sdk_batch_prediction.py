"""Batch prediction through the real, unchanged google-cloud-aiplatform SDK:
``Model.batch_predict(..., sync=False)`` then ``wait()``, with two model-server processes
started for each job (and gone after it), jsonl and csv inputs, rows the model refuses,
cancel mid-run and bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest
from batch_helpers import batch_predict, outputs, put, read_jsonl, servers
from google.api_core import exceptions
from google.cloud import aiplatform, storage
from google.cloud.aiplatform import jobs as sdk_jobs
from sdk_helpers import SKLEARN_IMAGE, Sdk, error_message
from sklearn.datasets import load_digits

FEATURES, _ = load_digits(return_X_y=True)
LAYOUT = re.compile(r"/prediction-digits-\d{4}_\d\d_\d\dT\d\d_\d\d_\d\d_\d{3}Z$")


pytestmark = pytest.mark.usefixtures("quick_polls")


def _model(model_dir: Path) -> aiplatform.Model:
    return aiplatform.Model.upload(
        display_name="digits",
        artifact_uri=str(model_dir),
        serving_container_image_uri=SKLEARN_IMAGE,
    )


def test_jsonl_and_csv_predictions_equal_the_in_process_model(sdk: Sdk, model_dir: Path) -> None:
    local = joblib.load(model_dir / "model.joblib")
    model = _model(model_dir)
    rows = FEATURES[:300].tolist()
    jsonl = put(sdk, "rows.jsonl", "".join(json.dumps(row) + "\n" for row in rows))
    header = ",".join(f"pixel_{i}" for i in range(64))
    csv = put(sdk, "rows.csv", header + "\n" + "".join(",".join(map(str, r)) + "\n" for r in rows))
    prefix = f"{sdk.staging_bucket}/batch-out"
    first = batch_predict(model, jsonl, prefix, batch_size=32)
    second = batch_predict(model, csv, prefix, "csv", batch_size=50)
    first.wait()
    second.wait()
    expected = local.predict(FEATURES[:300]).tolist()
    for job in (first, second):
        assert job.state == aiplatform.gapic.JobState.JOB_STATE_SUCCEEDED
        assert job.completion_stats.successful_count == 300
        assert job.completion_stats.failed_count == 0
        assert job.gca_resource.dedicated_resources.starting_replica_count == 2
        assert job.gca_resource.manual_batch_tuning_parameters.batch_size in (32, 50)
        directory = job.output_info.gcs_output_directory
        assert directory.startswith(prefix + "/") and LAYOUT.search(directory), directory
        assert outputs(sdk, directory) == ["predictions_00001.jsonl"]
        out = read_jsonl(sdk, f"{directory}/predictions_00001.jsonl")
        assert [line["instance"] for line in out] == rows
        assert [line["prediction"] for line in out] == expected
        assert servers(job) == {}
    listed = aiplatform.BatchPredictionJob.list(filter='display_name="score"')
    assert {j.resource_name for j in listed} == {first.resource_name, second.resource_name}


def test_csv_predictions_format(sdk: Sdk, model_dir: Path) -> None:
    import csv
    import io

    local = joblib.load(model_dir / "model.joblib")
    model = _model(model_dir)
    rows: list[Any] = FEATURES[:20].tolist()
    rows[3] = rows[3][:63]
    source = put(sdk, "rows.jsonl", "".join(json.dumps(row) + "\n" for row in rows))
    job = batch_predict(model, source, f"{sdk.staging_bucket}/csv-out", predictions_format="csv")
    job.wait()
    assert job.state == aiplatform.gapic.JobState.JOB_STATE_SUCCEEDED
    directory = job.output_info.gcs_output_directory
    assert outputs(sdk, directory) == ["errors_00001.csv", "predictions_00001.csv"]
    client = storage.Client(project=sdk.project)

    def table(name: str) -> list[list[str]]:
        blob = storage.Blob.from_uri(f"{directory}/{name}", client=client)
        return list(csv.reader(io.StringIO(blob.download_as_text())))

    good = [i for i in range(20) if i != 3]
    expected = local.predict(FEATURES[good]).tolist()
    assert table("predictions_00001.csv") == [["instance", "prediction"]] + [
        [json.dumps(rows[i], separators=(",", ":")), str(p)]
        for i, p in zip(good, expected, strict=True)
    ]
    errors = table("errors_00001.csv")
    assert errors[0] == ["instance", "error_code", "error_message"]
    assert errors[1][:2] == [json.dumps(rows[3], separators=(",", ":")), "3"]
    assert "X has 63 features" in errors[1][2]


def test_rows_of_the_wrong_size_land_in_errors(sdk: Sdk, model_dir: Path) -> None:
    local = joblib.load(model_dir / "model.joblib")
    model = _model(model_dir)
    rows: list[Any] = FEATURES[:40].tolist()
    rows[5] = rows[5][:63]
    rows[31] = rows[31] + [0.0]
    source = put(sdk, "rows.jsonl", "".join(json.dumps(row) + "\n" for row in rows))
    job = batch_predict(model, source, f"{sdk.staging_bucket}/errs", batch_size=8)
    job.wait()
    assert job.state == aiplatform.gapic.JobState.JOB_STATE_SUCCEEDED
    assert (job.completion_stats.successful_count, job.completion_stats.failed_count) == (38, 2)
    directory = job.output_info.gcs_output_directory
    assert outputs(sdk, directory) == ["errors_00001.jsonl", "predictions_00001.jsonl"]
    good = [i for i in range(40) if i not in (5, 31)]
    out = read_jsonl(sdk, f"{directory}/predictions_00001.jsonl")
    assert [line["prediction"] for line in out] == local.predict(FEATURES[good]).tolist()
    errors = read_jsonl(sdk, f"{directory}/errors_00001.jsonl")
    assert [line["instance"] for line in errors] == [rows[5], rows[31]]
    assert [line["error"]["code"] for line in errors] == [3, 3]
    assert "X has 63 features" in errors[0]["error"]["message"]
    assert "X has 65 features" in errors[1]["error"]["message"]
    assert servers(job) == {}


def test_cancel_mid_run_stops_the_servers(sdk: Sdk, model_dir: Path) -> None:
    model = _model(model_dir)
    rows = np.tile(FEATURES[:100], (100, 1)).tolist()
    source = put(sdk, "big.jsonl", "".join(json.dumps(row) + "\n" for row in rows))
    job = batch_predict(model, source, f"{sdk.staging_bucket}/cancelled", batch_size=1)
    job.wait_for_resource_creation()
    seen: set[int] = set()
    while job.completion_stats.successful_count == 0:
        assert job.state not in sdk_jobs._JOB_COMPLETE_STATES, job.gca_resource
        seen |= set(servers(job))
        job._sync_gca_resource()
    seen |= set(servers(job))
    assert len(seen) == 2
    job.cancel()
    with pytest.raises(RuntimeError, match="The job was cancelled"):
        job.wait()
    assert job.state == aiplatform.gapic.JobState.JOB_STATE_CANCELLED
    assert servers(job) == {}
    directory = job.output_info.gcs_output_directory
    kept = read_jsonl(sdk, f"{directory}/predictions_00001.jsonl")
    assert 0 < len(kept) < len(rows)
    assert [line["instance"] for line in kept] == rows[: len(kept)]


def test_bad_input(sdk: Sdk, model_dir: Path) -> None:
    model = _model(model_dir)
    missing = batch_predict(model, f"{sdk.staging_bucket}/nothing-here/*.jsonl", sdk.staging_bucket)
    with pytest.raises(RuntimeError, match="No input file matches gs://.*/nothing-here/\\*.jsonl"):
        missing.wait()
    assert missing.state == aiplatform.gapic.JobState.JOB_STATE_FAILED
    bad = put(sdk, "bad.jsonl", "[1, 2]\nnot json\n")
    malformed = batch_predict(model, bad, sdk.staging_bucket)
    with pytest.raises(RuntimeError, match=re.escape(f"{bad} line 2 is not valid JSON")):
        malformed.wait()
    for job in (missing, malformed):
        assert servers(job) == {}

    good = put(sdk, "good.jsonl", json.dumps(FEATURES[0].tolist()) + "\n")
    local_prefix = model.batch_predict(
        job_display_name="x",
        gcs_source=good,
        gcs_destination_prefix="/tmp/outputs",
        instances_format="jsonl",
        machine_type="n1-standard-2",
        sync=False,
    )
    with pytest.raises(exceptions.BadRequest) as refused:
        local_prefix.wait()
    assert error_message(refused.value) == (
        "Invalid batch_prediction_job.output_config.gcs_destination.output_uri_prefix: "
        "'/tmp/outputs' is not a gs:// URI."
    )
    bigquery = model.batch_predict(
        job_display_name="x",
        bigquery_source="bq://project.dataset.table",
        gcs_destination_prefix=sdk.staging_bucket,
        instances_format="bigquery",
        machine_type="n1-standard-2",
        sync=False,
    )
    with pytest.raises(exceptions.BadRequest) as refused:
        bigquery.wait()
    assert "batch_prediction_job.input_config.bigquery_source is not supported" in error_message(
        refused.value
    )
