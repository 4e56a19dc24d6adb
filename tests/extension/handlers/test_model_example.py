"""``GET /models/{id}/example``: the instance the Test editor starts with, read from Cloud
Storage (the embedded Vertex's local storage) through the extension, and a model trained by
``examples/train_digits.py`` answering its own example."""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from jupyter_vertex.services.serving.examples import MAX_BYTES

from ..seed import CUSTOM_IMAGE, SKLEARN_IMAGE, Seeder
from .serving_helpers import FIRST_WAIT, poll

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
FINAL = {"SUCCEEDED", "FAILED", "CANCELLED", "EXPIRED", "PARTIALLY_SUCCEEDED"}


@pytest.fixture
def vertex_config(emulated: dict[str, Any]) -> dict[str, Any]:
    return emulated


def _bucket(seeder: Seeder, name: str) -> Any:
    from google.api_core.client_options import ClientOptions
    from google.cloud import storage  # type: ignore[attr-defined]
    from google.oauth2.credentials import Credentials

    client = storage.Client(
        project=seeder.project,
        credentials=Credentials(token=seeder.emulator.token),
        client_options=ClientOptions(api_endpoint=seeder.emulator.storage_url),
    )
    return client.lookup_bucket(name) or client.create_bucket(name)


def _upload(seeder: Seeder, name: str, files: dict[str, bytes], schema: str = "") -> str:
    """A model whose artifact folder holds ``files``; its id."""
    from google.cloud import aiplatform_v1

    bucket = _bucket(seeder, f"{seeder.project}-examples")
    for path, data in files.items():
        bucket.blob(f"{name}/{path}").upload_from_string(data)
    model = aiplatform_v1.Model(
        display_name=name,
        artifact_uri=f"gs://{bucket.name}/{name}/",
        container_spec=aiplatform_v1.ModelContainerSpec(image_uri=CUSTOM_IMAGE),
        predict_schemata=aiplatform_v1.PredictSchemata(
            instance_schema_uri=f"gs://{bucket.name}/{name}/{schema}" if schema else ""
        ),
    )
    result = seeder.models.upload_model(parent=seeder.parent, model=model).result(timeout=60)
    return str(result.model).rsplit("/", 1)[1]


async def test_the_example_comes_from_the_artifacts_then_the_schema(
    api: Any, emulator: Any, project_id: str
) -> None:
    seeder = Seeder(emulator, project_id)
    uri = f"gs://{project_id}-examples"
    saved = await asyncio.to_thread(
        _upload,
        seeder,
        "saved",
        {
            "instance_example.json": b'{"instances": [[1.5, 2, 3]]}',
            "schema.yaml": b"type: array\nexample: [9, 9]\n",
        },
        "schema.yaml",
    )
    status, body = await api("GET", "models", saved, "example")
    assert (status, body) == (
        200,
        {
            "instances": [[1.5, 2, 3]],
            "source": "artifact",
            "uri": f"{uri}/saved/instance_example.json",
            "note": None,
        },
    )

    # No example file: the schema's example, else a value of its shape.
    schema_example = await asyncio.to_thread(
        _upload, seeder, "schema-example", {"s.yaml": b"type: array\nexample: [9, 9]\n"}, "s.yaml"
    )
    status, body = await api("GET", "models", schema_example, "example")
    assert (status, body) == (
        200,
        {
            "instances": [[9, 9]],
            "source": "schema",
            "uri": f"{uri}/schema-example/s.yaml",
            "note": None,
        },
    )
    shaped = await asyncio.to_thread(
        _upload,
        seeder,
        "shaped",
        {
            "s.json": json.dumps(
                {
                    "type": "object",
                    "properties": {
                        "pixels": {"type": "array", "items": {"type": "number"}, "minItems": 4},
                        "key": {"type": "string"},
                    },
                }
            ).encode()
        },
        "s.json",
    )
    status, body = await api("GET", "models", shaped, "example")
    assert status == 200
    assert body["instances"] == [{"pixels": [0, 0, 0, 0], "key": ""}]
    assert body["source"] == "schema"

    # A file that cannot be used says why, and the schema still answers.
    broken = await asyncio.to_thread(
        _upload,
        seeder,
        "broken",
        {"instance_example.json": b'{"rows": [1]}', "s.yaml": b"example: [1, 2]\n"},
        "s.yaml",
    )
    status, body = await api("GET", "models", broken, "example")
    assert (status, body) == (
        200,
        {
            "instances": [[1, 2]],
            "source": "schema",
            "uri": f"{uri}/broken/s.yaml",
            "note": 'instance_example.json must be {"instances": [...]} with at least one '
            "instance.",
        },
    )
    big = await asyncio.to_thread(
        _upload,
        seeder,
        "big",
        {"instance_example.json": b'{"instances": [[' + b"0," * MAX_BYTES + b"0]]}"},
    )
    status, body = await api("GET", "models", big, "example")
    assert (status, body) == (
        200,
        {
            "instances": None,
            "source": None,
            "uri": None,
            "note": f"{uri}/big/instance_example.json is over 64 KiB: not used as an example.",
        },
    )
    bare = await asyncio.to_thread(_upload, seeder, "bare", {"model.joblib": b"x"})
    status, body = await api("GET", "models", bare, "example")
    assert (status, body) == (200, {"instances": None, "source": None, "uri": None, "note": None})

    status, body = await api("GET", "models", "424242", "example")
    assert (status, body["reason"]) == (404, "NOT_FOUND")


async def _wait_job(api: Any, job: dict[str, Any], timeout: float = 240.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        status, current = await api("GET", "jobs", job["kind"], job["id"])
        assert status == 200, current
        if current["state"] in FINAL:
            return current
        assert time.monotonic() < deadline, f"job still {current['state']}: {current}"
        await asyncio.sleep(0.5)


async def test_a_model_trained_by_train_digits_answers_its_example_and_predicts_it(
    api: Any, jp_root_dir: Path
) -> None:
    folder = jp_root_dir / "digits"
    folder.mkdir()
    shutil.copy(EXAMPLES / "train_digits.py", folder / "train_digits.py")
    status, job = await api(
        "POST",
        "jobs",
        body={
            "path": "digits/train_digits.py",
            "framework": "scikit-learn",
            "args": ["--max-iter", "300", "--seed", "7"],
            "registerModel": {"servingContainerImageUri": SKLEARN_IMAGE},
        },
    )
    assert status == 201, job
    done = await _wait_job(api, job)
    assert done["state"] == "SUCCEEDED", done
    model_id = done["model"]["uploadedModel"].rsplit("/", 1)[1].split("@")[0]
    status, model = await api("GET", "models", model_id)
    assert status == 200, model

    # The example is the script's first test row, exactly.
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    _, X_test, _, y_test = train_test_split(X, y, test_size=0.2, random_state=7, stratify=y)
    status, example = await api("GET", "models", model_id, "example")
    assert (status, example) == (
        200,
        {
            "instances": [[float(v) for v in X_test[0]]],
            "source": "artifact",
            "uri": model["artifactUri"].rstrip("/") + "/instance_example.json",
            "note": None,
        },
    )

    # Deployed, it predicts that example unedited: a digit class.
    status, operation = await api(
        "POST",
        "models",
        model_id,
        "deploy",
        body={"endpointDisplayName": "digits-example-ep", "machineType": "n1-standard-2"},
    )
    assert status == 202, operation

    async def fetch() -> dict[str, Any]:
        status, body = await api("GET", "operations", params={"name": operation["name"]})
        assert status == 200, body
        return body  # type: ignore[no-any-return]

    finished = (await poll("the deploy", fetch, lambda op: op["done"], FIRST_WAIT))[-1]
    assert finished["error"] is None, finished
    endpoint_id = operation["target"]
    status, answer = await api(
        "POST", "endpoints", endpoint_id, "predict", body={"instances": example["instances"]}
    )
    assert status == 200, answer
    assert len(answer["predictions"]) == 1
    assert answer["predictions"][0] in range(10)
    deployed = finished["result"]["deployedModelId"]
    status, _ = await api("DELETE", "endpoints", endpoint_id, "deployedModels", deployed)
    assert status in (200, 202)
