"""Batch prediction's fast path: jsonl input split into byte-range shards that the model
servers score themselves (batch/shards.py, serving/batch_worker.py)."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import requests
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from jupyter_vertex.emulator import ensure_bucket
from jupyter_vertex.emulator.batch import outputs
from jupyter_vertex.emulator.batch.outputs import Writer
from jupyter_vertex.emulator.serving.batch_worker import count_rows, shard_lines
from jupyter_vertex.emulator.storage.local_storage import LocalStorage
from jupyter_vertex.emulator.testing import EmulatorProcess, model_servers

from ..batch_helpers import bucket, create, job_body, lines, names, put, wait_done
from ..emulator_api import Api
from ..serving_helpers import artifacts, sklearn_model

FEATURES, TARGET = load_digits(return_X_y=True)
CLASSIFIER = LogisticRegression(max_iter=300).fit(FEATURES[:500], TARGET[:500])
SHARD_BYTES = 4096
SCALER = textwrap.dedent(
    '''
    """A Custom Prediction Routine's predictor: each instance's sum times parameters.scale."""

    from google.cloud.aiplatform.prediction.predictor import Predictor


    class Scaler(Predictor):
        def load(self, artifacts_uri):
            pass

        def preprocess(self, prediction_input):
            return prediction_input["instances"], prediction_input.get("parameters") or {}

        def predict(self, instances):
            rows, parameters = instances
            return [parameters.get("scale", 1) * sum(row) for row in rows]

        def postprocess(self, prediction_results):
            return {"predictions": prediction_results}
    '''
)


@pytest.fixture(scope="module")
def small_shards(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    """Shards of 4 KiB: a file of a few thousand rows spans hundreds of them."""
    args = ["--batch-shard-bytes", str(SHARD_BYTES)]
    with EmulatorProcess(tmp_path_factory.mktemp("shards"), extra_args=args) as emu:
        yield emu


def _text(api: Api, uri: str) -> str:
    bucket_name, _, name = uri[len("gs://") :].partition("/")
    response = requests.get(
        f"{api.emu.storage_url}/download/storage/v1/b/{bucket_name}/o/"
        + requests.utils.quote(name, safe=""),
        params={"alt": "media"},
        headers=api.emu.storage_headers,
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return response.text


def test_a_multi_shard_job_scores_every_row_once_in_order(small_shards: EmulatorProcess) -> None:
    api = Api(small_shards, "batch-shards")
    model = sklearn_model(api, CLASSIFIER)
    b = bucket(api)
    rows: list[Any] = np.tile(FEATURES[:300], (10, 1)).tolist()  # 3,000 rows in two files
    bad = {i: rows[i][: 5 + i % 7] for i in range(11, 3000, 97)}  # the wrong size: refused
    rows = [bad.get(i, row) for i, row in enumerate(rows)]
    texts = [json.dumps(row) for row in rows]  # "[0.0, 5.0, …]": spaces the row path drops
    first = "".join(t + "\n" + ("\n" if i % 250 == 0 else "") for i, t in enumerate(texts[:1800]))
    second = "".join(t + "\n" for t in texts[1800:])
    assert len(first) > 100 * SHARD_BYTES and len(second) > 50 * SHARD_BYTES
    put(api, b, "in/a.jsonl", first)
    put(api, b, "in/b.jsonl", second)
    body = job_body(
        model["name"],
        f"gs://{b}/in/*.jsonl",
        f"gs://{b}/out",
        manualBatchTuningParameters={"batchSize": 7},
    )
    job = create(api, body)
    deployed = f"batch-{job['name'].rsplit('/', 1)[1]}"
    most_servers = 0
    while job["state"] not in {"JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED"}:
        most_servers = max(most_servers, len(model_servers(deployed)))
        job = api.ok("GET", f"v1/{job['name']}")
    assert job["state"] == "JOB_STATE_SUCCEEDED", job.get("error")
    assert most_servers == 2
    good = [i for i in range(len(rows)) if i not in bad]
    assert job["completionStats"] == {
        "successfulCount": str(len(good)),
        "failedCount": str(len(bad)),
    }
    directory = job["outputInfo"]["gcsOutputDirectory"]
    assert names(api, directory) == ["errors_00001.jsonl", "predictions_00001.jsonl"]
    # The servers wrote each line with the input's own JSON text: the shard path ran.
    raw = _text(api, f"{directory}/predictions_00001.jsonl").splitlines()
    assert [line[: line.index(',"prediction":')] for line in raw] == [
        '{"instance":' + texts[i] for i in good
    ]
    out = [json.loads(line) for line in raw]
    expected = CLASSIFIER.predict(np.array([rows[i] for i in good])).tolist()
    assert [line["prediction"] for line in out] == expected
    errors = lines(api, f"{directory}/errors_00001.jsonl")
    assert [line["instance"] for line in errors] == [rows[i] for i in bad]
    for line, index in zip(errors, bad, strict=True):
        assert line["error"]["code"] == 3
        assert (
            f"X has {len(bad[index])} features, but LogisticRegression is expecting 64"
            in line["error"]["message"]
        ), line


def test_a_line_that_is_not_json_fails_the_job_after_the_rows_before_it(
    small_shards: EmulatorProcess,
) -> None:
    api = Api(small_shards, "batch-shards-malformed")
    model = sklearn_model(api, CLASSIFIER)
    b = bucket(api)
    rows = np.tile(FEATURES[:100], (8, 1)).tolist()
    text = "".join(json.dumps(row) + "\n" for row in rows[:600])
    text += "{oops\n" + "".join(json.dumps(row) + "\n" for row in rows[600:])
    source = put(api, b, "in.jsonl", text)
    job = create(api, job_body(model["name"], source, f"gs://{b}/out"))
    job = wait_done(api, job["name"])
    assert job["state"] == "JOB_STATE_FAILED"
    assert job["error"]["code"] == 3
    assert job["error"]["message"].startswith(f"{source} line 601 is not valid JSON"), job
    # every row before it is scored and written, in order; those after it are not counted
    assert job["completionStats"] == {"successfulCount": "600"}
    out = lines(api, job["outputInfo"]["gcsOutputDirectory"] + "/predictions_00001.jsonl")
    assert [line["instance"] for line in out] == rows[:600]
    assert [line["prediction"] for line in out] == CLASSIFIER.predict(FEATURES[:100]).tolist() * 6
    assert model_servers(f"batch-{job['name'].rsplit('/', 1)[1]}") == {}


def test_a_routines_predictor_gets_the_model_parameters_on_shards(
    small_shards: EmulatorProcess,
) -> None:
    """Any model server with the SDK's default handler scores shards: here a Custom Prediction
    Routine's predictor, given the job's modelParameters; its errors read as /predict's."""
    api = Api(small_shards, "batch-shards-routine")
    env = [
        {"name": "PREDICTOR_MODULE", "value": "scaler"},
        {"name": "PREDICTOR_CLASS", "value": "Scaler"},
    ]
    model = api.upload(
        "scaler",
        artifactUri=artifacts(api, {"scaler.py": SCALER.encode()}),
        containerSpec={"imageUri": "europe-west4-docker.pkg.dev/p/cpr/scaler:1", "env": env},
    )
    b = bucket(api)
    rows: list[Any] = [[1, 2, 3], [0.5, 0.5], ["x", 1], [4]] * 300
    source = put(api, b, "in.jsonl", "".join(json.dumps(row) + "\n" for row in rows))
    body = job_body(
        model["name"],
        source,
        f"gs://{b}/out",
        manualBatchTuningParameters={"batchSize": 5},
        modelParameters={"scale": 2},
    )
    job = wait_done(api, create(api, body)["name"])
    assert job["state"] == "JOB_STATE_SUCCEEDED", job.get("error")
    assert job["completionStats"] == {"successfulCount": "900", "failedCount": "300"}
    directory = job["outputInfo"]["gcsOutputDirectory"]
    out = lines(api, f"{directory}/predictions_00001.jsonl")
    assert out == [{"instance": r, "prediction": 2 * sum(r)} for r in rows if r[0] != "x"]
    try:
        sum(["x", 1])  # type: ignore[arg-type]
    except TypeError as error:
        refused = f"The following exception has occurred: TypeError. Arguments: {error.args}."
    errors = lines(api, f"{directory}/errors_00001.jsonl")
    assert errors == [{"instance": ["x", 1], "error": {"code": 3, "message": refused}}] * 300


def test_every_line_falls_in_exactly_one_shard_wherever_the_cuts_are(tmp_path: Path) -> None:
    content = b'[1, 2]\n\n{"a": "\xc3\xa9"}\r\n3\n  \n[4]\n"last, no newline"'
    path = tmp_path / "in.jsonl"
    path.write_bytes(content)
    rows = sum(1 for line in content.split(b"\n") if line.strip())
    for step in range(1, len(content) + 1):
        parts = [
            shard_lines(str(path), s, min(len(content), s + step))
            for s in range(0, len(content), step)
        ]
        joined = b"".join(data for _, data in parts)
        assert joined == content, step
        counted = sum(
            count_rows(str(path), s, min(len(content), s + step))
            for s in range(0, len(content), step)
        )
        assert counted == rows == 5


def test_shard_outputs_are_cut_into_files_of_rows_per_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outputs, "ROWS_PER_FILE", 5)
    storage = LocalStorage(tmp_path / "storage")
    storage.token = "shard-token"  # noqa: S105 - a test's
    storage.start()
    try:
        ensure_bucket(storage.url, "out", "p", token=storage.token)
        writer = Writer(storage.url, "gs://out/dir", tmp_path / "spool", headers=storage.headers)
        number = 0
        for count in (3, 4, 6, 0, 2):
            shard = tmp_path / f"shard-{count}.jsonl"
            shard.write_text("".join(f'{{"n":{number + i}}}\n' for i in range(count)))
            writer.predictions.add_jsonl(shard, count)
            number += count
        writer.close()
        listing = f"{storage.url}/storage/v1/b/out/o"
        listed = requests.get(listing, headers=storage.headers, timeout=30).json()["items"]
        files = sorted(item["name"] for item in listed)
        assert files == [f"dir/predictions_0000{n}.jsonl" for n in (1, 2, 3)]
        seen = []
        for name in files:
            path = storage.object_file("out", name)
            assert path is not None
            seen.append([json.loads(line)["n"] for line in path.read_text().splitlines()])
        assert seen == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [10, 11, 12, 13, 14]]
    finally:
        storage.stop()
