"""BatchPredictionJobs over REST: real model servers started for the job, Vertex's output
layout, bad rows, cancel, list/get/delete, and bad requests."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import requests
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from jupyter_vertex.emulator import ensure_bucket
from jupyter_vertex.emulator.batch.inputs import Shape, Source
from jupyter_vertex.emulator.storage.local_storage import LocalStorage
from jupyter_vertex.emulator.testing import model_servers

from ..batch_helpers import bucket, create, job_body, lines, names, put, wait_done, wait_state
from ..emulator_api import Api
from ..serving_helpers import artifacts, sklearn_model

FEATURES, TARGET = load_digits(return_X_y=True)
CLASSIFIER = LogisticRegression(max_iter=300).fit(FEATURES[:500], TARGET[:500])
LAYOUT = re.compile(r"^prediction-digits-\d{4}_\d\d_\d\dT\d\d_\d\d_\d\d_\d{3}Z$")


def _jsonl(rows: Any) -> str:
    return "".join(json.dumps(row) + "\n" for row in rows)


def _servers_of(job: dict[str, Any]) -> dict[int, dict[str, str]]:
    return model_servers(f"batch-{job['name'].rsplit('/', 1)[1]}")


def test_jsonl_job_scores_every_row_in_vertex_layout(api: Api) -> None:
    model = sklearn_model(api, CLASSIFIER)
    b = bucket(api)
    rows = FEATURES[:50].tolist()
    put(api, b, "in/part-1.jsonl", _jsonl(rows[:30]))
    put(api, b, "in/part-2.jsonl", _jsonl(rows[30:]))
    put(api, b, "in/other.txt", "not an input\n")
    body = job_body(
        model["name"],
        f"gs://{b}/in/part-*.jsonl",
        f"gs://{b}/out",
        manualBatchTuningParameters={"batchSize": 7},
    )
    job = create(api, body)
    assert job["state"] == "JOB_STATE_QUEUED"
    assert job["modelVersionId"] == "1"
    assert not any(k.startswith("_") for k in job)
    seen_servers = 0
    while job["state"] not in {"JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED"}:
        seen_servers = max(seen_servers, len(_servers_of(job)))
        job = api.ok("GET", f"v1/{job['name']}")
    assert job["state"] == "JOB_STATE_SUCCEEDED", job.get("error")
    # zero counts are left out of the JSON (proto3), as Vertex answers
    assert job["completionStats"] == {"successfulCount": "50"}
    directory = job["outputInfo"]["gcsOutputDirectory"]
    assert directory.startswith(f"gs://{b}/out/")
    assert LAYOUT.match(directory.rsplit("/", 1)[1]), directory
    assert names(api, directory) == ["predictions_00001.jsonl"]
    out = lines(api, f"{directory}/predictions_00001.jsonl")
    assert [line["instance"] for line in out] == rows
    assert [line["prediction"] for line in out] == CLASSIFIER.predict(FEATURES[:50]).tolist()
    assert job["createTime"] <= job["startTime"] <= job["endTime"]
    assert _servers_of(job) == {}
    assert seen_servers <= 2

    listed = api.ok(
        "GET",
        f"v1/{api.parent}/batchPredictionJobs",
        params={"filter": 'state="JOB_STATE_SUCCEEDED"'},
    )
    assert [j["name"] for j in listed["batchPredictionJobs"]] == [job["name"]]
    operation = api.ok("DELETE", f"v1/{job['name']}")
    assert f"/locations/{api.location}/operations/" in operation["name"], operation
    api.error("GET", f"v1/{job['name']}", status="NOT_FOUND")


def test_csv_rows_and_instance_config(api: Api) -> None:
    model = sklearn_model(api, CLASSIFIER)
    b = bucket(api)
    header = ",".join(f"f{i}" for i in range(64))
    csv_text = (
        header
        + "\n"
        + "".join(",".join(str(v) for v in row) + "\n" for row in FEATURES[:10].tolist())
    )
    csv_job = create(
        api, job_body(model["name"], put(api, b, "x.csv", csv_text), f"gs://{b}/c", "csv")
    )
    keyed_rows = [
        {"id": f"r{i}", "note": "x", **{f"f{j}": v for j, v in enumerate(row)}}
        for i, row in enumerate(FEATURES[:6].tolist())
    ]
    keyed = create(
        api,
        job_body(
            model["name"],
            put(api, b, "k.jsonl", _jsonl(keyed_rows)),
            f"gs://{b}/k",
            instanceConfig={"instanceType": "array", "keyField": "id", "excludedFields": ["note"]},
        ),
    )
    csv_job = wait_done(api, csv_job["name"])
    assert csv_job["state"] == "JOB_STATE_SUCCEEDED", csv_job
    out = lines(api, csv_job["outputInfo"]["gcsOutputDirectory"] + "/predictions_00001.jsonl")
    assert [line["instance"] for line in out] == FEATURES[:10].tolist()
    assert [line["prediction"] for line in out] == CLASSIFIER.predict(FEATURES[:10]).tolist()
    keyed = wait_done(api, keyed["name"])
    assert keyed["state"] == "JOB_STATE_SUCCEEDED", keyed
    out = lines(api, keyed["outputInfo"]["gcsOutputDirectory"] + "/predictions_00001.jsonl")
    assert out == [
        {"key": f"r{i}", "prediction": int(p)}
        for i, p in enumerate(CLASSIFIER.predict(FEATURES[:6]))
    ]


def test_rows_the_model_refuses_fail_alone(api: Api) -> None:
    model = sklearn_model(api, CLASSIFIER)
    b = bucket(api)
    rows: list[Any] = FEATURES[:12].tolist()
    bad = {3: rows[3][:10], 8: rows[8][:5]}
    for index, row in bad.items():
        rows[index] = row
    source = put(api, b, "in.jsonl", _jsonl(rows))
    job = create(
        api,
        job_body(
            model["name"], source, f"gs://{b}/out", manualBatchTuningParameters={"batchSize": 4}
        ),
    )
    job = wait_done(api, job["name"])
    assert job["state"] == "JOB_STATE_SUCCEEDED", job.get("error")
    assert job["completionStats"] == {"successfulCount": "10", "failedCount": "2"}
    directory = job["outputInfo"]["gcsOutputDirectory"]
    assert names(api, directory) == ["errors_00001.jsonl", "predictions_00001.jsonl"]
    good = [i for i in range(12) if i not in bad]
    out = lines(api, f"{directory}/predictions_00001.jsonl")
    assert [line["instance"] for line in out] == [rows[i] for i in good]
    expected = CLASSIFIER.predict(np.array([FEATURES[i] for i in good])).tolist()
    assert [line["prediction"] for line in out] == expected
    errors = lines(api, f"{directory}/errors_00001.jsonl")
    assert [line["instance"] for line in errors] == [bad[3], bad[8]]
    for line, width in zip(errors, (10, 5), strict=True):
        assert line["error"]["code"] == 3
        assert f"X has {width} features" in line["error"]["message"], line


def test_cancel_stops_the_servers_and_keeps_what_was_written(api: Api) -> None:
    model = sklearn_model(api, CLASSIFIER)
    b = bucket(api)
    rows = np.tile(FEATURES[:100], (100, 1)).tolist()  # 10,000 rows, one per request
    source = put(api, b, "big.jsonl", _jsonl(rows))
    job = create(
        api,
        job_body(
            model["name"], source, f"gs://{b}/out", manualBatchTuningParameters={"batchSize": 1}
        ),
    )
    running = wait_state(api, job["name"], {"JOB_STATE_RUNNING"})
    assert running["outputInfo"]["gcsOutputDirectory"].startswith(f"gs://{b}/out/prediction-")
    assert len(_servers_of(job)) == 2
    while int(running["completionStats"].get("successfulCount", "0")) == 0:
        running = wait_state(api, job["name"], {"JOB_STATE_RUNNING"})
    # a running job cannot be deleted
    refused = api.error("DELETE", f"v1/{job['name']}", status="FAILED_PRECONDITION")
    assert refused == (
        f"The BatchPredictionJob {job['name']} is in state JOB_STATE_RUNNING and cannot be "
        "deleted; cancel it first."
    )
    api.ok("POST", f"v1/{job['name']}:cancel", {})
    done = wait_done(api, job["name"])
    assert done["state"] == "JOB_STATE_CANCELLED", done
    assert _servers_of(job) == {}
    kept = lines(api, done["outputInfo"]["gcsOutputDirectory"] + "/predictions_00001.jsonl")
    assert 0 < len(kept) < len(rows)
    assert [line["instance"] for line in kept] == rows[: len(kept)]
    # every row is counted once: scored and kept, or not reached (incomplete)
    assert done["completionStats"] == {
        "successfulCount": str(len(kept)),
        "incompleteCount": str(len(rows) - len(kept)),
    }
    message = api.error("POST", f"v1/{job['name']}:cancel", {}, status="FAILED_PRECONDITION")
    assert "JOB_STATE_CANCELLED" in message


def test_requests_refused_with_the_field(api: Api) -> None:
    model = sklearn_model(api, CLASSIFIER)
    b = bucket(api)
    source = put(api, b, "in.jsonl", _jsonl(FEATURES[:2].tolist()))
    path = f"v1/{api.parent}/batchPredictionJobs"

    def refused(status: str, **changes: Any) -> str:
        body = job_body(model["name"], source, f"gs://{b}/out")
        for key, value in changes.items():
            body[key] = value
        return api.error("POST", path, body, status=status)

    message = refused(
        "INVALID_ARGUMENT",
        inputConfig={"instancesFormat": "bigquery", "bigquerySource": {"inputUri": "bq://p.d.t"}},
    )
    assert "batch_prediction_job.input_config.bigquery_source is not supported" in message
    message = refused(
        "INVALID_ARGUMENT",
        outputConfig={
            "predictionsFormat": "bigquery",
            "bigqueryDestination": {"outputUri": "bq://p.d"},
        },
    )
    assert "batch_prediction_job.output_config.bigquery_destination is not supported" in message
    message = refused(
        "INVALID_ARGUMENT",
        outputConfig={
            "predictionsFormat": "jsonl",
            "gcsDestination": {"outputUriPrefix": "/tmp/out"},
        },
    )
    assert message == (
        "Invalid batch_prediction_job.output_config.gcs_destination."
        "output_uri_prefix: '/tmp/out' is not a gs:// URI."
    )
    message = refused(
        "INVALID_ARGUMENT",
        inputConfig={"instancesFormat": "tf-record", "gcsSource": {"uris": [source]}},
    )
    assert "instances_format 'tf-record'" in message
    message = refused(
        "INVALID_ARGUMENT", instanceConfig={"includedFields": ["a"], "excludedFields": ["b"]}
    )
    assert "included_fields and excluded_fields" in message
    message = refused("NOT_FOUND", model=f"{api.parent}/models/404")
    assert message == f"Model {api.parent}/models/404 not found."
    no_server = api.upload("plain", artifactUri=artifacts(api, {"model.joblib": b"x"}))
    message = refused("FAILED_PRECONDITION", model=no_server["name"])
    assert "example/img" in message


def test_bad_input_fails_the_job_with_the_reason(api: Api) -> None:
    model = sklearn_model(api, CLASSIFIER)
    b = bucket(api)
    missing = create(api, job_body(model["name"], f"gs://{b}/none/*.jsonl", f"gs://{b}/out"))
    bad_line = put(api, b, "bad.jsonl", _jsonl(FEATURES[:2].tolist()) + "{oops\n")
    malformed = create(api, job_body(model["name"], bad_line, f"gs://{b}/out"))
    missing = wait_done(api, missing["name"])
    assert missing["state"] == "JOB_STATE_FAILED"
    assert missing["error"] == {
        "code": 3,
        "message": f"No input file matches gs://{b}/none/*.jsonl.",
    }
    assert _servers_of(missing) == {}
    malformed = wait_done(api, malformed["name"])
    assert malformed["state"] == "JOB_STATE_FAILED"
    assert malformed["error"]["code"] == 3
    assert malformed["error"]["message"].startswith(f"{bad_line} line 3 is not valid JSON")
    assert _servers_of(malformed) == {}


def test_inputs_are_read_from_the_object_file_not_a_whole_download(tmp_path: Path) -> None:
    """Local storage's downloads read an object whole into memory; batch inputs are streamed
    from the object's file instead (the HTTP download is only a fallback)."""
    storage = LocalStorage(tmp_path / "storage")
    storage.token = "inputs-token"  # noqa: S105 - a test's
    storage.start()
    try:
        ensure_bucket(storage.url, "inputs", "p", token=storage.token)
        text = "".join(json.dumps([i, i + 1]) + "\n" for i in range(1000))
        response = requests.post(
            f"{storage.url}/upload/storage/v1/b/inputs/o",
            params={"uploadType": "media", "name": "dir/rows.jsonl"},
            data=text.encode(),
            headers=storage.headers,
            timeout=30,
        )
        assert response.status_code == 200, response.text
        path = storage.object_file("inputs", "dir/rows.jsonl")
        assert path is not None and path.read_text() == text
        assert storage.object_file("inputs", "dir/missing.jsonl") is None
        source = Source(storage.url, storage.object_file, storage.headers)
        opened: list[str] = []
        real = source.object_file
        assert real is not None
        source.object_file = lambda b, n: opened.append(n) or real(b, n)
        rows = list(source.rows(["gs://inputs/dir/rows.jsonl"], "jsonl", Shape()))
        assert [row.instance for row in rows] == [[i, i + 1] for i in range(1000)]
        assert opened == ["dir/rows.jsonl"]
        assert source.names("gs://inputs/dir/*.jsonl", "uris") == ["gs://inputs/dir/rows.jsonl"]
    finally:
        storage.stop()
