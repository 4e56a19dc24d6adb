"""Autoscaling: a deployed model with max replicas above min grows under load and shrinks
back to min after a quiet period — real model server processes, real requests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from jupyter_vertex.emulator.__main__ import main
from jupyter_vertex.emulator.aiplatform_v1.deploy import UNBOUNDED
from jupyter_vertex.emulator.aiplatform_v1.deploy import scaling_of as resources
from jupyter_vertex.emulator.serving.autoscale import (
    CPU_METRIC,
    Autoscaler,
    LoadMeter,
    Scaling,
    target_of,
)
from jupyter_vertex.emulator.testing import EmulatorProcess

from ..emulator_api import Api
from ..serving_helpers import answering, server_pids, server_sockets, sklearn_model, wait_for

FEATURES, TARGET = load_digits(return_X_y=True)


@pytest.fixture(scope="module")
def scaling_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    """Short windows so that a test sees scale-out and scale-in within seconds."""
    args = ["--autoscale-window", "0.5", "--scale-in-delay", "1", "--max-replicas-per-model", "2"]
    with EmulatorProcess(tmp_path_factory.mktemp("autoscale"), extra_args=args) as emu:
        yield emu


class _Load:
    """``clients`` threads sending predictions until stopped; every answer is kept."""

    def __init__(self, api: Api, endpoint: str, clients: int) -> None:
        self.api, self.endpoint = api, endpoint
        self.stop = threading.Event()
        self.statuses: list[int] = []
        self.threads = [threading.Thread(target=self._run) for _ in range(clients)]

    def _run(self) -> None:
        session = requests.Session()
        body = {"instances": FEATURES[:20].tolist()}
        headers = {"Authorization": f"Bearer {self.api.emu.token}"}
        while not self.stop.is_set():
            response = session.post(
                f"{self.api.emu.url}/v1/{self.endpoint}:predict",
                json=body,
                headers=headers,
                timeout=60,
            )
            self.statuses.append(response.status_code)

    def __enter__(self) -> _Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()


def test_replicas_grow_under_load_and_shrink_back_to_min(
    scaling_emulator: EmulatorProcess,
) -> None:
    api = Api(scaling_emulator, "autoscale-project")
    classifier = LogisticRegression(max_iter=300).fit(FEATURES[:500], TARGET[:500])
    endpoint = api.create_endpoint()
    resources = {
        "machineSpec": {"machineType": "n1-standard-2"},
        "minReplicaCount": 1,
        "maxReplicaCount": 3,  # capped to 2 by --max-replicas-per-model
        "autoscalingMetricSpecs": [{"metricName": CPU_METRIC, "target": 50}],
    }
    body = {
        "deployedModel": {
            "model": sklearn_model(api, classifier)["name"],
            "dedicatedResources": resources,
        }
    }
    start = api.ok("POST", f"v1/{endpoint['name']}:deployModel", body)
    operation = wait_for(
        "the deploy", lambda: (op := api.ok("GET", f"v1/{start['name']}")).get("done") and op
    )
    deployed = operation["response"]["deployedModel"]
    assert deployed["dedicatedResources"]["autoscalingMetricSpecs"] == [
        {"metricName": CPU_METRIC, "target": 50}
    ]

    def replicas() -> int:
        shown = api.ok("GET", f"v1/{endpoint['name']}")["deployedModels"][0]
        return int(shown["status"]["availableReplicaCount"])

    assert replicas() == 1 and len(server_pids(deployed["id"])) == 1

    with _Load(api, endpoint["name"], clients=4) as load:
        wait_for("a second replica under load", lambda: replicas() == 2)
        assert len(server_pids(deployed["id"])) == 2
        sockets = server_sockets(deployed["id"])
        assert len(sockets) == 2 and all(answering(path) for path in sockets)
        # at the cap it stays at 2 while the load goes on
        seen = len(load.statuses)
        wait_for("more requests at two replicas", lambda: len(load.statuses) > seen + 50)
        assert replicas() == 2
    assert load.statuses and set(load.statuses) == {200}, set(load.statuses)

    wait_for("scale-in to min after the quiet period", lambda: replicas() == 1)
    wait_for("one server process", lambda: len(server_pids(deployed["id"])) == 1)
    response = api.call(
        "POST", f"v1/{endpoint['name']}:predict", {"instances": FEATURES[:3].tolist()}
    )
    assert response.json()["predictions"] == classifier.predict(FEATURES[:3]).tolist()

    def bounds(low: int, high: int) -> dict[str, Any]:
        return api.ok(
            "POST",
            f"v1/{endpoint['name']}:mutateDeployedModel",
            {
                "deployedModel": {
                    "id": deployed["id"],
                    "dedicatedResources": {"minReplicaCount": low, "maxReplicaCount": high},
                },
                "updateMask": "dedicatedResources.minReplicaCount,"
                "dedicatedResources.maxReplicaCount",
            },
        )

    # new bounds apply at once: a raised min starts servers, a lowered max stops them even
    # while requests are flowing, and none of those requests fails
    assert bounds(2, 2)["done"] is True
    assert replicas() == 2 and len(server_pids(deployed["id"])) == 2
    sockets |= server_sockets(deployed["id"])
    with _Load(api, endpoint["name"], clients=4) as load:
        wait_for("requests on two replicas", lambda: len(load.statuses) > 50)
        assert bounds(1, 1)["done"] is True
        assert replicas() == 1 and len(server_pids(deployed["id"])) == 1
        seen = len(load.statuses)
        wait_for("requests on one replica", lambda: len(load.statuses) > seen + 50)
    assert set(load.statuses) == {200}, set(load.statuses)

    api.ok("POST", f"v1/{endpoint['name']}:undeployModel", {"deployedModelId": deployed["id"]})
    assert server_pids(deployed["id"]) == []
    assert len(sockets) >= 2 and not any(answering(path) for path in sockets)
    assert not (Path(scaling_emulator.data_dir) / "serving" / deployed["id"]).exists()
    api.ok("DELETE", f"v1/{endpoint['name']}")


# the policy on its own, with a fake clock -----------------------------------------------


def test_scale_out_at_once_within_max() -> None:
    scaler = Autoscaler(scale_in_delay=10)
    scaling = Scaling(1, 3)
    # one replica busy 90 % of a 1 s window at a 60 % target: ceil(1.5) = 2
    assert scaler.decide(scaling, 1, 0.9, 1.0, now=0) == (2, 90.0)
    # 4 requests in flight all the time on 2 replicas: 200 % each, wanted 7, capped to 3
    assert scaler.decide(scaling, 2, 4.0, 1.0, now=1) == (3, 200.0)
    # exactly at the target: no change
    assert scaler.decide(Scaling(1, 3, 50), 2, 1.0, 1.0, now=2) == (2, 50.0)


def test_scale_in_only_after_the_delay_and_never_below_min() -> None:
    scaler = Autoscaler(scale_in_delay=10)
    scaling = Scaling(2, 4)
    assert scaler.decide(scaling, 4, 0.0, 1.0, now=100) == (4, 0.0)
    assert scaler.decide(scaling, 4, 0.0, 1.0, now=105) == (4, 0.0)
    # a busy window restarts the quiet period
    assert scaler.decide(scaling, 4, 2.4, 1.0, now=106) == (4, 60.0)
    assert scaler.decide(scaling, 4, 0.0, 1.0, now=107) == (4, 0.0)
    assert scaler.decide(scaling, 4, 0.0, 1.0, now=116) == (4, 0.0)
    assert scaler.decide(scaling, 4, 0.0, 1.0, now=117) == (2, 0.0)
    # below min (e.g. bounds changed): up to min at once
    assert scaler.decide(scaling, 1, 0.0, 1.0, now=118) == (2, 0.0)


def test_load_meter_integrates_requests_in_flight() -> None:
    now = [0.0]
    meter = LoadMeter(clock=lambda: now[0])
    meter.begin()
    now[0] = 1.0
    meter.begin()
    now[0] = 1.5
    meter.end()
    now[0] = 3.0
    meter.end()
    assert meter.read() == (3.0, 1.0 + 1.0 + 1.5)
    assert meter.in_flight == 0


def test_the_target_comes_from_autoscaling_metric_specs() -> None:
    assert target_of({}) == 60
    assert target_of({"autoscalingMetricSpecs": [{"metricName": CPU_METRIC, "target": 80}]}) == 80
    other = "aiplatform.googleapis.com/prediction/online/accelerator/duty_cycle"
    assert target_of({"autoscalingMetricSpecs": [{"metricName": other, "target": 30}]}) == 60


@pytest.mark.parametrize(
    "args", [["--autoscale-window", "0"], ["--scale-in-delay", "-1"]], ids=["window", "delay"]
)
def test_autoscaling_options_are_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    assert main(["--data-dir", str(tmp_path), *args]) == 2
    assert (
        "--autoscale-window must be positive and --scale-in-delay not negative"
        in capsys.readouterr().err
    )


def test_replica_bounds_as_vertex_reads_them() -> None:
    machine = {"machineSpec": {"machineType": "n1-standard-2"}}
    assert resources({"dedicatedResources": {**machine, "minReplicaCount": 2}}) == Scaling(2, 2)
    assert resources(
        {"dedicatedResources": {**machine, "minReplicaCount": 1, "maxReplicaCount": 3}}
    ) == Scaling(1, 3)
    assert resources({"automaticResources": {}}) == Scaling(1, UNBOUNDED)
    assert resources({"automaticResources": {"maxReplicaCount": 2}}) == Scaling(1, 2)


def test_a_batch_job_scales_from_starting_to_max_replicas(
    scaling_emulator: EmulatorProcess,
) -> None:
    """Every server kept busy: the job grows to its (capped) max, then all stop with it."""
    import json

    from jupyter_vertex.emulator.testing import model_servers

    from ..batch_helpers import bucket, create, job_body, put, wait_done, wait_state

    api = Api(scaling_emulator, "batch-scaling")
    classifier = LogisticRegression(max_iter=300).fit(FEATURES[:500], TARGET[:500])
    model = sklearn_model(api, classifier)
    b = bucket(api)
    # 100,000 rows, one per request: the job outlasts the scale-out even on a loaded machine
    # (it is cancelled once scaled).
    rows = FEATURES[:100].tolist() * 1000
    source = put(api, b, "big.jsonl", "".join(json.dumps(row) + "\n" for row in rows))
    body = job_body(
        model["name"], source, f"gs://{b}/out", manualBatchTuningParameters={"batchSize": 1}
    )
    body["dedicatedResources"]["startingReplicaCount"] = 1
    body["dedicatedResources"]["maxReplicaCount"] = 3  # capped to 2 by --max-replicas-per-model
    job = create(api, body)
    deployed = f"batch-{job['name'].rsplit('/', 1)[1]}"
    running = wait_state(api, job["name"], {"JOB_STATE_RUNNING"})
    assert running["dedicatedResources"]["startingReplicaCount"] == 1
    wait_for("scale-out to the capped max", lambda: len(model_servers(deployed)) == 2)
    api.ok("POST", f"v1/{job['name']}:cancel", {})
    done = wait_done(api, job["name"])
    assert done["state"] == "JOB_STATE_CANCELLED", done
    assert model_servers(deployed) == {}
