"""No model server outlives the embedded Vertex: one killed mid-deploy takes its new server
with it, and the next start on the same data dir ends recorded groups left alive and removes
their working folders and sockets."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from jupyter_vertex.emulator.core.process_groups import ProcessRecords, start_time
from jupyter_vertex.emulator.serving.warm_servers import WARM_OWNER
from jupyter_vertex.emulator.testing import EmulatorProcess, model_servers

from ..emulator_api import Api
from ..serving_helpers import artifacts, wait_for

RESOURCES = {"machineSpec": {"machineType": "n1-standard-2"}, "minReplicaCount": 1}
# A Custom Prediction Routine whose handler never finishes loading: its server stays up and
# unhealthy, so the deploy is still in flight whenever the test kills the emulator.
STUCK_HANDLER = b"""
import threading

from google.cloud.aiplatform.prediction.handler import Handler


class StuckHandler(Handler):
    def __init__(self, artifacts_uri, predictor=None):
        threading.Event().wait()
"""
STUCK_ENV = [
    {"name": "HANDLER_MODULE", "value": "stuck"},
    {"name": "HANDLER_CLASS", "value": "StuckHandler"},
]


def _servers_of(artifact_uri: str) -> list[int]:
    return [
        pid
        for pid, environ in model_servers().items()
        if environ.get("AIP_STORAGE_URI") == artifact_uri
    ]


def _leftovers(data_dir: Path) -> list[str]:
    """What a model server left in the data dir: working folders, sockets, records (not the
    running emulator's own warm servers, waiting for a deploy)."""
    found = [str(p) for p in (data_dir / "serving").glob("*") if p.name not in ("sockets", "warm")]
    found += [str(p) for p in (data_dir / "serving" / "sockets").glob("*")]
    return found + [str(p) for p in _records(data_dir)]


def _records(data_dir: Path) -> list[Path]:
    """The process records, but those of the running emulator's own waiting warm servers."""
    return [
        p
        for p in (data_dir / "processes").glob("*")
        if json.loads(p.read_text())["owner"] != WARM_OWNER
    ]


def test_a_server_started_by_a_deploy_ends_when_the_emulator_is_killed(tmp_path: Path) -> None:
    data_dir = tmp_path / "vertex"
    emu = EmulatorProcess(data_dir).start()
    try:
        api = Api(emu, "orphan-project")
        endpoint = api.create_endpoint()
        folder = artifacts(api, {"stuck.py": STUCK_HANDLER})
        image = "europe-west4-docker.pkg.dev/p/cpr/stuck:1"
        model = api.upload(
            "stuck", artifactUri=folder, containerSpec={"imageUri": image, "env": STUCK_ENV}
        )
        body = {"deployedModel": {"model": model["name"], "dedicatedResources": RESOURCES}}
        operation = api.ok("POST", f"v1/{endpoint['name']}:deployModel", body)
        (pid,) = wait_for("the new model server", lambda: _servers_of(model["artifactUri"]))
        started = start_time(pid)
        assert api.ok("GET", f"v1/{operation['name']}").get("done") is not True
        emu.kill()
        # the kernel's parent-death signal ends it at once, whatever it was importing
        wait_for("the server to end", lambda: not Path(f"/proc/{pid}").exists(), timeout=10)
        assert _servers_of(model["artifactUri"]) == []
        # killed: nobody removed its record, which the next start reads
        record = json.loads((data_dir / "processes" / f"{pid}.json").read_text())
        assert (record["pid"], record["pgid"], record["kind"]) == (pid, pid, "model-server")
        assert record["startTime"] == started

        emu.start()
        done: dict[str, Any] = api.ok("GET", f"v1/{operation['name']}")
        assert done["done"] is True and "error" in done  # the deploy was cut short
        assert "deployedModels" not in api.ok("GET", f"v1/{endpoint['name']}")
        assert _leftovers(data_dir) == []
    finally:
        emu.stop()


def test_the_next_start_ends_recorded_groups_left_alive(tmp_path: Path) -> None:
    data_dir = tmp_path / "vertex"
    records = ProcessRecords(data_dir / "processes")
    folder = data_dir / "serving" / "123" / "r0"
    folder.mkdir(parents=True)
    # a "previous" emulator's model server, in its own session, still running
    left = subprocess.Popen(["sleep", "300"], start_new_session=True)
    # a record whose pid now names another process (pid reuse): not ours to end
    reused = subprocess.Popen(["sleep", "300"], start_new_session=True)
    try:
        records.add(left.pid, "model-server", "123", (str(folder),))
        records.add(reused.pid, "model-server", "456")
        stale = json.loads((data_dir / "processes" / f"{reused.pid}.json").read_text())
        stale["startTime"] = (stale["startTime"] or 0) - 1
        (data_dir / "processes" / f"{reused.pid}.json").write_text(json.dumps(stale))
        with EmulatorProcess(data_dir):
            assert left.wait(timeout=10) == -9
            assert reused.poll() is None
            assert not folder.exists() and not (data_dir / "serving" / "123").exists()
            assert _records(data_dir) == []  # but this start's own warm servers
    finally:
        for process in (left, reused):
            process.kill()
            process.wait()
