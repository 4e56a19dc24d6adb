"""Deploy a digits model on a running JupyterLab's embedded Vertex, without the UI.

Used by ``tests/restart.spec.ts``: run with the Python of that ``jupyter`` and
``JUPYTER_RUNTIME_DIR`` set to that server's runtime dir, so that
``jupyter_vertex.emulator.init()`` finds the embedded Vertex's connection there.

Trains scikit-learn's LogisticRegression on ``load_digits``, saves it to
``ARTIFACT_DIR`` (the one argument, a local folder), uploads it with
``aiplatform.Model.upload`` (the SDK copies the folder to the staging bucket),
deploys it to a new endpoint, checks one online prediction and prints, as one
line of JSON: the endpoint's id, the model's id, the first digits row and its
expected class.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import joblib
from google.cloud import aiplatform
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

import jupyter_vertex.emulator
from jupyter_vertex.emulator import EmulatorConnection

SKLEARN_IMAGE = "us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest"
MODEL_NAME = "digits-restart"
ENDPOINT_NAME = "digits-restart-endpoint"
CONNECTION_WAIT = 120.0  # seconds for the embedded Vertex to publish its connection


def wait_for_connection() -> None:
    """Wait (bounded) until the server's embedded Vertex has written its connection file."""
    deadline = time.monotonic() + CONNECTION_WAIT
    while EmulatorConnection.discover() is None:
        if time.monotonic() > deadline:
            raise SystemExit(
                f"no embedded Vertex connection in {EmulatorConnection.runtime_file()}"
            )
        time.sleep(0.5)


def main() -> None:
    artifact_dir = Path(sys.argv[1])
    artifact_dir.mkdir(parents=True, exist_ok=True)
    wait_for_connection()
    jupyter_vertex.emulator.init()

    features, labels = load_digits(return_X_y=True)
    classifier = LogisticRegression(max_iter=2000).fit(features, labels)
    joblib.dump(classifier, artifact_dir / "model.joblib")
    instance = features[0].tolist()
    expected = int(classifier.predict(features[:1])[0])

    model = aiplatform.Model.upload(
        display_name=MODEL_NAME,
        artifact_uri=str(artifact_dir),
        serving_container_image_uri=SKLEARN_IMAGE,
    )
    endpoint = aiplatform.Endpoint.create(display_name=ENDPOINT_NAME)
    model.deploy(endpoint=endpoint, machine_type="n1-standard-2")

    # It serves before the restart: the same class as the local model.
    answer = endpoint.predict(instances=[instance]).predictions
    if [int(p) for p in answer] != [expected]:
        raise SystemExit(f"before the restart the endpoint answered {answer}, not [{expected}]")

    print(
        json.dumps(
            {
                "endpointId": endpoint.name,
                "endpointName": ENDPOINT_NAME,
                "modelId": model.name,
                "modelName": MODEL_NAME,
                "instance": instance,
                "expected": expected,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
