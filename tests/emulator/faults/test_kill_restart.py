"""Fault injection: SIGKILL the embedded Vertex at seeded random points of each mutating
call, start it again on the same data dir, and check the invariants of invariants.py.

Bounded: a fixed seed, ROUNDS kills per kind of call, every wait with a deadline; all
traffic on loopback.
"""

from __future__ import annotations

import io
import random
import threading
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import joblib
import pytest
import requests
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from jupyter_vertex.emulator import ensure_bucket
from jupyter_vertex.emulator.testing import EmulatorProcess

from ..emulator_api import IMAGE, Api
from ..serving_helpers import artifacts
from ..training_helpers import job_body, make_package, pool, wait_for
from .invariants import Acknowledged, check_all

SEED = 18
ROUNDS = 2
# Where to kill, in seconds after the call was sent: before it is read, while it works,
# after it answered, and while what it started (a model server, a replica) is coming up.
DELAYS = (0.0, 0.02, 0.1, 0.3, 0.8, 1.5, 3.0)
BUCKET = "faults"
RESOURCES = {"machineSpec": {"machineType": "n1-standard-2"}, "minReplicaCount": 1}

# A job that writes its model through the Cloud Storage client, then ends.
JOB_CODE = """
import os
from google.cloud import storage
bucket, _, prefix = os.environ["AIP_MODEL_DIR"][len("gs://"):].partition("/")
storage.Client().bucket(bucket).blob(prefix + "model.txt").upload_from_string(b"done")
"""
# A job that runs until cancelled (or 60 s, so nothing outlives the test by long).
LONG_CODE = "import time\ntime.sleep(60)\n"


class Harness:
    """One emulator and its data dir across rounds: state accumulates as it would."""

    def __init__(self, data_dir: Path, tmp: Path) -> None:
        self.data_dir = data_dir
        self.emu = EmulatorProcess(data_dir).start()
        self.api = Api(self.emu, "faults")
        self.ack = Acknowledged()
        self.outputs: dict[str, str] = {}
        self.rng = random.Random(SEED)  # noqa: S311 - a reproducible schedule, not a secret
        self.tmp = tmp
        ensure_bucket(self.emu.storage_url, BUCKET, self.api.project, token=self.emu.token)
        self.model = self._upload_model()
        self.job_package = make_package(tmp / "job", JOB_CODE)
        self.long_package = make_package(tmp / "long", LONG_CODE, name="longjob")

    def _upload_model(self) -> dict[str, Any]:
        classifier = LogisticRegression(max_iter=200).fit(*load_digits(return_X_y=True))
        data = io.BytesIO()
        joblib.dump(classifier, data)
        folder = artifacts(self.api, {"model.joblib": data.getvalue()})
        model = self.api.upload("digits", artifactUri=folder, containerSpec={"imageUri": IMAGE})
        self.ack.resources.add(model["name"].split("@")[0])
        return model

    def kill_during(self, call: Callable[[], requests.Response]) -> dict[str, Any] | None:
        """Run ``call`` and SIGKILL the emulator at a seeded point; start it again. Answers
        the call's JSON when it was acknowledged (200) before the kill, else None."""
        delay = self.rng.choice(DELAYS)
        answer: dict[str, Any] = {}

        def run() -> None:
            try:
                response = call()
            except requests.RequestException:
                return
            if response.status_code == 200:
                answer.update(response.json())

        worker = threading.Thread(target=run)
        worker.start()
        worker.join(timeout=delay)
        self.emu.kill()
        worker.join(timeout=30)
        assert not worker.is_alive()
        self.emu.start()
        return answer or None

    def post(self, path: str, body: Any) -> Callable[[], requests.Response]:
        return lambda: self.api.call("POST", path, body)

    def kill_posting(self, path: str, body: Any) -> dict[str, Any] | None:
        """POST ``body`` to ``path`` with a kill at a seeded point; remember what was
        acknowledged; answer it."""
        answer = self.kill_during(self.post(path, body))
        self.remember(answer)
        return answer

    def remember(self, answer: dict[str, Any] | None) -> None:
        if answer is None:
            return
        if answer.get("name", "").count("/operations/"):
            self.ack.operations.add(answer["name"])
            response = answer.get("response", {})
            if "model" in response:  # an upload's model
                self.ack.resources.add(response["model"])
        elif "/customJobs/" in answer.get("name", ""):
            self.ack.jobs.add(answer["name"])
        elif answer.get("name"):
            self.ack.resources.add(answer["name"])

    def endpoint(self) -> dict[str, Any]:
        endpoint = self.api.create_endpoint("faults")
        self.ack.resources.add(endpoint["name"])
        return endpoint

    def deploy_now(self, endpoint: dict[str, Any]) -> str:
        body = {"deployedModel": {"model": self.model["name"], "dedicatedResources": RESOURCES}}
        start = self.api.ok("POST", f"v1/{endpoint['name']}:deployModel", body)
        done = wait_for(
            lambda: (op := self.api.ok("GET", f"v1/{start['name']}")).get("done") and op,
            "a deploy",
        )
        assert "error" not in done, done
        deployed_id: str = done["response"]["deployedModel"]["id"]
        return deployed_id

    def job(self, package: Path, module: str) -> dict[str, Any]:
        body = job_body(pool(package, module=module), name="faulty")
        output = f"gs://{BUCKET}/jobs/{self.rng.randrange(10**9)}"
        body["jobSpec"]["baseOutputDirectory"] = {"outputUriPrefix": output}
        return body

    def check(self) -> None:
        """The invariants, then the endpoints retired: each round starts with nothing
        deployed, so the model servers a restart brings back stay few on a small machine."""
        deployed = check_all(self.api, self.data_dir, self.ack, self.outputs)
        for endpoint in {e["name"]: e for e in deployed.values()}.values():
            self.retire(endpoint["name"])

    def _done(self, operation: str) -> bool:
        return bool(self.api.ok("GET", operation).get("done"))

    def retire(self, name: str) -> None:
        """Undeploy everything from an endpoint and delete it."""
        for model in self.api.ok("GET", f"v1/{name}").get("deployedModels", []):
            body = {"deployedModelId": model["id"]}
            start = self.api.ok("POST", f"v1/{name}:undeployModel", body)
            wait_for(partial(self._done, f"v1/{start['name']}"), "an undeploy")
        self.api.ok("DELETE", f"v1/{name}")
        self.ack.resources.discard(name)


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    root = tmp_path_factory.mktemp("faults")
    harness = Harness(root / "vertex", root)
    try:
        yield harness
    finally:
        harness.emu.stop()


def _rounds() -> list[int]:
    return list(range(ROUNDS))


@pytest.mark.parametrize("round_", _rounds())
def test_upload(harness: Harness, round_: int) -> None:
    body = {
        "model": {
            "displayName": f"upload-{round_}",
            "artifactUri": harness.model["artifactUri"],
            "containerSpec": {"imageUri": IMAGE},
        }
    }
    harness.kill_posting(f"v1/{harness.api.parent}/models:upload", body)
    harness.check()


@pytest.mark.parametrize("round_", _rounds())
def test_create_endpoint(harness: Harness, round_: int) -> None:
    path = f"v1/{harness.api.parent}/endpoints"
    harness.kill_posting(path, {"displayName": f"e-{round_}"})
    harness.check()


@pytest.mark.parametrize("round_", _rounds())
def test_deploy(harness: Harness, round_: int) -> None:
    endpoint = harness.endpoint()
    body = {"deployedModel": {"model": harness.model["name"], "dedicatedResources": RESOURCES}}
    harness.kill_posting(f"v1/{endpoint['name']}:deployModel", body)
    harness.check()


@pytest.mark.parametrize("round_", _rounds())
def test_undeploy(harness: Harness, round_: int) -> None:
    endpoint = harness.endpoint()
    deployed_id = harness.deploy_now(endpoint)
    body = {"deployedModelId": deployed_id}
    harness.kill_posting(f"v1/{endpoint['name']}:undeployModel", body)
    harness.check()


@pytest.mark.parametrize("round_", _rounds())
def test_mutate(harness: Harness, round_: int) -> None:
    endpoint = harness.endpoint()
    deployed_id = harness.deploy_now(endpoint)
    body = {
        "deployedModel": {
            "id": deployed_id,
            "dedicatedResources": {"minReplicaCount": 2, "maxReplicaCount": 2},
        },
        "updateMask": "dedicatedResources.minReplicaCount,dedicatedResources.maxReplicaCount",
    }
    path = f"v1/{endpoint['name']}:mutateDeployedModel"
    harness.kill_posting(path, body)
    harness.check()


@pytest.mark.parametrize("round_", _rounds())
def test_create_job(harness: Harness, round_: int) -> None:
    body = harness.job(harness.job_package, "trainer.task")
    answer = harness.kill_posting(f"v1/{harness.api.parent}/customJobs", body)
    if answer is not None:
        prefix = body["jobSpec"]["baseOutputDirectory"]["outputUriPrefix"]
        harness.outputs[answer["name"]] = f"{prefix}/model/model.txt"
    harness.check()


@pytest.mark.parametrize("round_", _rounds())
def test_cancel_job(harness: Harness, round_: int) -> None:
    body = harness.job(harness.long_package, "longjob.task")
    job = harness.api.ok("POST", f"v1/{harness.api.parent}/customJobs", body)
    harness.ack.jobs.add(job["name"])
    harness.kill_during(harness.post(f"v1/{job['name']}:cancel", {}))
    # Acknowledged or not, a cancel sent again is answered, and the job ends.
    again = harness.api.call("POST", f"v1/{job['name']}:cancel", {})
    assert again.status_code in (200, 400), again.text
    harness.check()
