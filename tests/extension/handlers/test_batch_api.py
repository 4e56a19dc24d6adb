"""Batch prediction jobs through the extension's HTTP API on the embedded Vertex: a CSV of the
Jupyter root staged and scored (every prediction equal to the in-process model's), progress,
the results table and the DataFrame cell (run in a fresh Python), rows the model refuses,
cancel mid-run with the rows not reached counted, and each bad input's exact 4xx."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from sklearn.datasets import load_digits

from ..seed import Seeder
from .serving_helpers import FIRST_WAIT, digits_model_dir, poll, upload_digits

FEATURES, _ = load_digits(return_X_y=True)
HEADER = ",".join(f"pixel_{i}" for i in range(64))
ENDED = {"SUCCEEDED", "FAILED", "CANCELLED"}


@pytest.fixture(scope="module")
def module_project() -> str:
    return f"batch-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def project_id(module_project: str) -> str:
    return module_project


@pytest.fixture
def vertex_config(emulated: dict[str, Any]) -> dict[str, Any]:
    return emulated


@pytest.fixture(scope="module")
def digits(
    emulator: Any, module_project: str, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """The digits classifier, in process and registered (Google's client) once per module."""
    classifier, folder = digits_model_dir(tmp_path_factory.mktemp("digits"))
    model = upload_digits(Seeder(emulator, module_project), folder, "digits")
    return {"classifier": classifier, "id": model.name.rsplit("/", 1)[1].partition("@")[0]}


def _csv(rows: list[list[float]]) -> str:
    return HEADER + "\n" + "".join(",".join(str(v) for v in row) + "\n" for row in rows)


def _jsonl(rows: list[Any]) -> str:
    return "".join(json.dumps(row) + "\n" for row in rows)


async def _wait(api: Any, job_id: str, done: Any, what: str) -> dict[str, Any]:
    async def fetch() -> dict[str, Any]:
        status, job = await api("GET", "batchPredictionJobs", job_id)
        assert status == 200, job
        return dict(job)

    seen = await poll(what, fetch, done, FIRST_WAIT)
    return dict(seen[-1])


async def test_csv_of_the_root_is_staged_scored_and_read_back(
    api: Any, digits: dict[str, Any], jp_root_dir: Path, emulator: Any, module_project: str
) -> None:
    rows = FEATURES[:40].tolist()
    (jp_root_dir / "data").mkdir()
    (jp_root_dir / "data" / "digits.csv").write_text(_csv(rows))
    body = {
        "input": "data/digits.csv",
        "instancesFormat": "csv",
        "displayName": "score-digits",
        "startingReplicaCount": 1,
        "maxReplicaCount": 2,
        "batchSize": 16,
    }
    status, created = await api("POST", "models", digits["id"], "batchPredictionJobs", body=body)
    assert status == 201, created
    job = created["job"]
    bucket = f"gs://{module_project}-vertex-staging-us-central1"
    (staged,) = job["inputUris"]
    assert staged.startswith(f"{bucket}/jupyter-vertex/batch-inputs/")
    assert staged.endswith("/digits.csv")
    assert job["labels"] == {"jupyter-vertex-rows": "40"}
    assert job["progress"]["total"] == 40
    assert (job["displayName"], job["instancesFormat"], job["predictionsFormat"]) == (
        "score-digits",
        "csv",
        "jsonl",
    )
    assert (job["startingReplicaCount"], job["maxReplicaCount"], job["batchSize"]) == (1, 2, 16)
    parent = f"projects/{module_project}/locations/us-central1"
    assert created["code"] == (
        "from google.cloud import aiplatform\n\n"
        f"aiplatform.init(project={module_project!r}, location='us-central1')\n"
        "# On the embedded Vertex instead: import jupyter_vertex.emulator; "
        "jupyter_vertex.emulator.init()\n\n"
        f"model = aiplatform.Model('{parent}/models/{digits['id']}')\n"
        "job = model.batch_predict(\n"
        "    job_display_name='score-digits',\n"
        f"    gcs_source={staged!r},\n"
        "    instances_format='csv',\n"
        f"    gcs_destination_prefix='{bucket}/jupyter-vertex/batch-outputs',\n"
        "    predictions_format='jsonl',\n"
        "    machine_type='n1-standard-2',\n"
        "    starting_replica_count=1,\n"
        "    max_replica_count=2,\n"
        "    batch_size=16,\n"
        "    sync=False,\n"
        ")\n"
        "job.wait()  # or follow it: job.state, job.completion_stats\n"
        "print(job.output_info.gcs_output_directory)\n"
    )
    done = await _wait(api, job["id"], lambda j: j["state"] in ENDED, "the job to end")
    assert done["state"] == "SUCCEEDED", done
    assert done["completionStats"] == {"successful": 40, "failed": 0, "incomplete": 0}
    assert done["progress"]["done"] == 40 and done["progress"]["total"] == 40
    assert done["progress"]["rowsPerSecond"] > 0 and done["progress"]["etaSeconds"] is None
    directory = done["outputDirectory"]
    assert directory.startswith(f"{bucket}/jupyter-vertex/batch-outputs/prediction-digits-")

    expected = digits["classifier"].predict(FEATURES[:40]).tolist()
    status, results = await api(
        "GET", "batchPredictionJobs", job["id"], "results", params={"rows": 5}
    )
    assert status == 200, results
    assert results["predictions"] == {
        "columns": ["instance", "prediction"],
        "rows": [[rows[i], expected[i]] for i in range(5)],
        "more": True,
    }
    assert results["errors"] == {"columns": [], "rows": [], "more": False}
    setup = (
        "import jupyter_vertex.emulator\n\n"
        f"jupyter_vertex.emulator.init(project={module_project!r}, location='us-central1')\n"
    )
    assert results["cell"] == (
        "import pandas as pd\n"
        "from google.cloud import storage\n\n" + setup + f"directory = {directory!r}\n"
        'bucket, _, prefix = directory.removeprefix("gs://").partition("/")\n'
        f"client = storage.Client(project={module_project!r})\n"
        "blobs = sorted(\n"
        '    client.list_blobs(bucket, prefix=prefix + "/predictions_"), key=lambda b: b.name\n'
        ")\n"
        "frames = []\n"
        "for blob in blobs:\n"
        '    with blob.open("r") as handle:\n'
        "        frames.append(pd.read_json(handle, lines=True))\n"
        "predictions = pd.concat(frames, ignore_index=True)\n"
        "predictions\n"
    )
    status, everything = await api(
        "GET", "batchPredictionJobs", job["id"], "results", params={"rows": 1000}
    )
    assert status == 200
    assert everything["predictions"]["rows"] == [
        [r, p] for r, p in zip(rows, expected, strict=True)
    ]
    assert everything["predictions"]["more"] is False

    # the cell, run as a kernel would (the embedded Vertex found through the environment)
    program = results["cell"] + (
        "print(json.dumps([predictions['instance'].tolist(), predictions['prediction'].tolist()]))"
    )
    env = {**os.environ, **emulator.connection(module_project, "us-central1").to_env()}
    ran = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", "import json\n" + program],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout.splitlines()[-1]) == [rows, expected]

    status, listed = await api("GET", "batchPredictionJobs", params={"state": "SUCCEEDED"})
    assert status == 200
    assert job["id"] in [j["id"] for j in listed["batchPredictionJobs"]]


async def test_rows_the_model_refuses_are_errors_in_csv_output(
    api: Any, digits: dict[str, Any], jp_root_dir: Path
) -> None:
    rows: list[Any] = FEATURES[:12].tolist()
    rows[2] = rows[2][:63]
    rows[7] = rows[7] + [1.0]
    (jp_root_dir / "rows.jsonl").write_text(_jsonl(rows))
    body = {"input": "rows.jsonl", "predictionsFormat": "csv", "batchSize": 4}
    status, created = await api("POST", "models", digits["id"], "batchPredictionJobs", body=body)
    assert status == 201, created
    job_id = created["job"]["id"]
    done = await _wait(api, job_id, lambda j: j["state"] in ENDED, "the job to end")
    assert done["state"] == "SUCCEEDED", done
    assert done["completionStats"] == {"successful": 10, "failed": 2, "incomplete": 0}
    status, results = await api("GET", "batchPredictionJobs", job_id, "results")
    assert status == 200, results
    good = [i for i in range(12) if i not in (2, 7)]
    expected = digits["classifier"].predict(FEATURES[good]).tolist()
    assert results["predictionsFormat"] == "csv"
    assert results["predictions"] == {
        "columns": ["instance", "prediction"],
        "rows": [[rows[i], p] for i, p in zip(good, expected, strict=True)],
        "more": False,
    }
    errors = results["errors"]
    assert errors["columns"] == ["instance", "error_code", "error_message"]
    assert [row[:2] for row in errors["rows"]] == [[rows[2], 3], [rows[7], 3]]
    assert "X has 63 features" in errors["rows"][0][2]
    assert "X has 65 features" in errors["rows"][1][2]
    assert "pd.read_csv(handle)" in results["cell"]


async def test_cancel_mid_run_counts_the_rows_not_reached(
    api: Any, digits: dict[str, Any], jp_root_dir: Path
) -> None:
    rows = (FEATURES[:100].tolist()) * 30  # 3,000 rows, one per request
    (jp_root_dir / "big.jsonl").write_text(_jsonl(rows))
    body = {"input": "big.jsonl", "batchSize": 1, "startingReplicaCount": 1}
    status, created = await api("POST", "models", digits["id"], "batchPredictionJobs", body=body)
    assert status == 201, created
    job_id = created["job"]["id"]
    running = await _wait(
        api, job_id, lambda j: j["progress"]["done"] > 0 or j["state"] in ENDED, "first rows"
    )
    assert running["state"] == "RUNNING", running
    assert running["progress"]["total"] == 3000
    assert running["progress"]["etaSeconds"] is not None
    status, refused = await api("DELETE", "batchPredictionJobs", job_id)
    assert status == 409, refused
    status, cancelling = await api("POST", "batchPredictionJobs", job_id, "cancel")
    assert status == 200, cancelling
    done = await _wait(api, job_id, lambda j: j["state"] in ENDED, "the job to end")
    assert done["state"] == "CANCELLED", done
    assert done["error"] == {"code": 1, "message": "The job was cancelled."}
    stats = done["completionStats"]
    assert 0 < stats["successful"] < 3000 and stats["failed"] == 0
    assert stats["incomplete"] == 3000 - stats["successful"]
    assert done["progress"]["done"] == 3000
    status, _ = await api("DELETE", "batchPredictionJobs", job_id)
    assert status == 204
    status, gone = await api("GET", "batchPredictionJobs", job_id)
    assert status == 404, gone


def _staged(emulator: Any, project: str) -> list[str]:
    """The batch inputs staged in the project's staging bucket (Google's storage client)."""
    from google.api_core.client_options import ClientOptions
    from google.cloud import storage  # type: ignore[attr-defined]
    from google.oauth2.credentials import Credentials

    client = storage.Client(
        project=project,
        credentials=Credentials(token=emulator.token),
        client_options=ClientOptions(api_endpoint=emulator.storage_url),
    )
    bucket = f"{project}-vertex-staging-us-central1"
    prefix = "jupyter-vertex/batch-inputs/"
    return [
        b.name for b in client.list_blobs(bucket, prefix=prefix) if b.name.endswith("/ok.jsonl")
    ]


async def test_bad_input_is_a_clear_4xx(
    api: Any,
    digits: dict[str, Any],
    jp_root_dir: Path,
    tmp_path: Path,
    emulator: Any,
    module_project: str,
) -> None:
    (jp_root_dir / "ok.jsonl").write_text(_jsonl(FEATURES[:2].tolist()))
    outside = tmp_path / "secret.jsonl"
    outside.write_text("[1]\n")
    (jp_root_dir / "link.jsonl").symlink_to(outside)

    async def refused(status: int, **body: Any) -> dict[str, Any]:
        body.setdefault("input", "ok.jsonl")
        got, answer = await api("POST", "models", digits["id"], "batchPredictionJobs", body=body)
        assert got == status, answer
        return dict(answer)

    assert await refused(404, input="nope.csv") == {
        "message": "Field 'input': no file 'nope.csv' in the Jupyter root.",
        "reason": "NOT_FOUND",
        "hint": "Save the file first, or check its name in the file browser.",
    }
    assert (await refused(400, input="../x.csv"))["message"] == (
        "Field 'input': '../x.csv' must be a gs:// URI or a path relative to the Jupyter "
        "root, without '..'."
    )
    assert (await refused(400, input="link.jsonl"))["message"] == (
        "Field 'input': 'link.jsonl' leads outside the Jupyter root (through a symbolic link)."
    )
    not_gs = await refused(400, outputUriPrefix="/tmp/out")
    assert not_gs == {
        "message": "Field 'outputUriPrefix': '/tmp/out' is not a gs:// URI (gs://bucket/path).",
        "reason": "INVALID_ARGUMENT",
        "hint": "Cloud Storage locations start with gs:// and name a bucket.",
    }
    bigquery = await refused(400, input="bq://project.dataset.table")
    assert bigquery["message"] == (
        "Field 'input': BigQuery ('bq://project.dataset.table') is not supported here; use "
        "Cloud Storage (gs://)."
    )
    assert bigquery["hint"].startswith("Export the table to Cloud Storage")
    assert (await refused(400, outputUriPrefix="bq://project.dataset"))["message"] == (
        "Field 'outputUriPrefix': BigQuery ('bq://project.dataset') is not supported here; "
        "use Cloud Storage (gs://)."
    )
    unknown = await refused(400, instancesFormat="tf-record")
    assert unknown["message"].startswith("Field 'instancesFormat' is invalid: 'tf-record'")
    assert (await refused(400, predictionsFormat="bigquery"))["message"].startswith(
        "Field 'predictionsFormat' is invalid: 'bigquery'"
    )
    assert (await refused(400, startingReplicaCount=0))["message"].startswith(
        "Field 'startingReplicaCount' is out of range"
    )
    assert (await refused(400, startingReplicaCount=3, maxReplicaCount=2))["message"] == (
        "Field 'maxReplicaCount': 2 is below startingReplicaCount 3."
    )
    assert (await refused(400, batchSize=0))["message"].startswith(
        "Field 'batchSize' is out of range"
    )
    assert (await refused(400, machineType="n9-giant"))["message"] == (
        "Field 'machineType': Machine type \"n9-giant\" is not supported."
    )
    status, missing = await api(
        "POST", "models", "404", "batchPredictionJobs", body={"input": "gs://my-bucket/in.jsonl"}
    )
    assert status == 404 and missing["reason"] == "NOT_FOUND", missing
    # a file of the root staged for a model that does not exist: refused, the copy removed
    status, missing = await api(
        "POST", "models", "404", "batchPredictionJobs", body={"input": "ok.jsonl"}
    )
    assert status == 404 and missing["reason"] == "NOT_FOUND", missing
    assert await asyncio.to_thread(_staged, emulator, module_project) == []


async def test_code_preview_creates_nothing(api: Any, digits: dict[str, Any]) -> None:
    body = {
        "input": "gs://my-bucket/in/*.jsonl",
        "outputUriPrefix": "gs://my-bucket/out",
        "displayName": "x",
    }
    status, code = await api(
        "POST", "models", digits["id"], "batchPredictionJobs", "code", body=body
    )
    assert status == 200, code
    assert "    gcs_source='gs://my-bucket/in/*.jsonl',\n" in code["code"]
    assert "    gcs_destination_prefix='gs://my-bucket/out',\n" in code["code"]
    assert "batch_size" not in code["code"]
