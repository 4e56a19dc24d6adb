"""A model server waits, its imports done, for the next deploy: the deploy is given that
process, the pool starts its replacement, and a container with its own environment variables
gets a server started for it."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from jupyter_vertex.emulator.core.process_groups import PARENT_ENV
from jupyter_vertex.emulator.serving.warm_servers import WARM_ENV, WARM_OWNER
from jupyter_vertex.emulator.testing import EmulatorProcess, model_servers

from ..emulator_api import Api
from ..serving_helpers import sklearn_model, wait_for

FEATURES, TARGET = load_digits(return_X_y=True)
RESOURCES = {"machineSpec": {"machineType": "n1-standard-2"}, "minReplicaCount": 1}


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    """An embedded Vertex of this module's own: no other test's deployment (a crashing one
    is started again) takes its warm server between two looks."""
    data_dir = tmp_path_factory.mktemp("warm")
    with EmulatorProcess(data_dir, extra_args=["--warm-model-servers", "1"]) as emu:
        yield emu


@pytest.fixture
def api(emulator: EmulatorProcess) -> Api:
    return Api(emulator, "warm-project")


def _started_warm(emulator_pid: int) -> set[int]:
    """Processes this embedded Vertex started as warm model servers (serving or not)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "environ").read_bytes()
        except OSError:
            continue
        items = set(raw.split(b"\0"))
        if {f"{WARM_ENV}=1".encode(), f"{PARENT_ENV}={emulator_pid}".encode()} <= items:
            found.add(int(entry.name))
    return found


def _waiting(emulator: EmulatorProcess) -> set[int]:
    """Its warm servers not yet given a deployment, as its process records say (a taken
    server is recorded under its deployed model once it is handed the deployment)."""
    found = set()
    for path in (emulator.data_dir / "processes").glob("*.json"):
        try:
            record = json.loads(path.read_text())
        except FileNotFoundError:  # its process ended meanwhile
            continue
        if record["owner"] == WARM_OWNER and Path(f"/proc/{record['pid']}").exists():
            found.add(int(record["pid"]))
    return found


def _one_waiting(emulator: EmulatorProcess) -> int:
    (pid,) = wait_for("one warm model server", lambda: len(w := _waiting(emulator)) == 1 and w)
    return int(pid)


def _deploy(api: Api, endpoint: dict[str, Any], model: dict[str, Any]) -> str:
    body = {"deployedModel": {"model": model["name"], "dedicatedResources": RESOURCES}}
    operation = api.ok("POST", f"v1/{endpoint['name']}:deployModel", body)
    done = wait_for(
        "the deploy", lambda: (op := api.ok("GET", f"v1/{operation['name']}")).get("done") and op
    )
    assert "error" not in done, done
    return str(done["response"]["deployedModel"]["id"])


def test_a_deploy_is_given_the_waiting_server_and_the_pool_starts_another(
    api: Api, emulator: EmulatorProcess
) -> None:
    assert emulator.pid is not None
    waiting = _one_waiting(emulator)
    record = json.loads((emulator.data_dir / "processes" / f"{waiting}.json").read_text())
    assert (record["kind"], record["owner"], record["paths"]) == ("model-server", WARM_OWNER, [])

    classifier = LogisticRegression(max_iter=300).fit(FEATURES[:500], TARGET[:500])
    endpoint = api.create_endpoint()
    deployed_id = _deploy(api, endpoint, sklearn_model(api, classifier))

    (served,) = model_servers(deployed_id)
    assert served == waiting  # the same process, now serving the model
    environ = model_servers(deployed_id)[served]
    assert environ["AIP_DEPLOYED_MODEL_ID"] == deployed_id
    assert Path(os.readlink(f"/proc/{served}/cwd")).name == "r0"
    record = json.loads((emulator.data_dir / "processes" / f"{served}.json").read_text())
    assert record["owner"] == deployed_id
    answer = api.ok("POST", f"v1/{endpoint['name']}:predict", {"instances": FEATURES[:3].tolist()})
    assert answer["predictions"] == classifier.predict(FEATURES[:3]).tolist()

    replacement = _one_waiting(emulator)
    assert replacement != waiting
    api.ok("POST", f"v1/{endpoint['name']}:undeployModel", {"deployedModelId": deployed_id})
    wait_for("the server to end", lambda: not Path(f"/proc/{served}").exists())
    assert _waiting(emulator) == {replacement}  # undeploying takes nothing from the pool


def test_a_container_with_its_own_environment_gets_a_server_started_for_it(
    api: Api, emulator: EmulatorProcess
) -> None:
    assert emulator.pid is not None
    waiting = _one_waiting(emulator)
    classifier = LogisticRegression(max_iter=300).fit(FEATURES[:500], TARGET[:500])
    # the prebuilt image, with a variable that a library reads when it is imported
    model = sklearn_model(api, classifier, env=[{"name": "OMP_NUM_THREADS", "value": "1"}])
    endpoint = api.create_endpoint()
    deployed_id = _deploy(api, endpoint, model)

    (served,) = model_servers(deployed_id)
    assert served not in _started_warm(emulator.pid)  # started for this deployment
    assert model_servers(deployed_id)[served]["OMP_NUM_THREADS"] == "1"
    assert _waiting(emulator) == {waiting}  # the warm one still waits
    answer = api.ok("POST", f"v1/{endpoint['name']}:predict", {"instances": FEATURES[:2].tolist()})
    assert answer["predictions"] == classifier.predict(FEATURES[:2]).tolist()
    api.ok("POST", f"v1/{endpoint['name']}:undeployModel", {"deployedModelId": deployed_id})
    wait_for("the server to end", lambda: not Path(f"/proc/{served}").exists())


def test_with_no_warm_servers_asked_for_none_is_started(tmp_path: Path) -> None:
    with EmulatorProcess(tmp_path / "v", extra_args=["--warm-model-servers", "0"]) as emu:
        assert emu.pid is not None
        api = Api(emu, "cold-project")
        api.create_endpoint()  # the embedded Vertex is up and answering
        assert _started_warm(emu.pid) == set()
        assert not (emu.data_dir / "serving" / "warm").exists()
