"""What must hold after the embedded Vertex was SIGKILLed and started again on its data dir.

Each check waits (bounded) for what may take a moment after a start: resumed model servers,
adopted training replicas, operations finishing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

from jupyter_vertex.emulator.testing import model_servers

from ..emulator_api import Api
from ..training_helpers import TERMINAL, pid_alive, wait_for

SETTLE = 120.0  # seconds anything started again may take to be back (on a busy 2-core CI)
ROW = [0.0] * 64  # one digits row


@dataclass
class Acknowledged:
    """What the emulator answered before it was killed: those records must survive."""

    resources: set[str] = field(default_factory=set)
    operations: set[str] = field(default_factory=set)
    jobs: set[str] = field(default_factory=set)


def _all(api: Api, collection: str, key: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    token = ""
    while True:
        params = {"pageSize": 100, **({"pageToken": token} if token else {})}
        page = api.ok("GET", f"v1/{api.parent}/{collection}", params=params)
        found += page.get(key, [])
        token = page.get("nextPageToken", "")
        if not token:
            return found


def acknowledged_records_exist(api: Api, ack: Acknowledged) -> None:
    for name in sorted(ack.resources | ack.jobs):
        response = api.call("GET", f"v1/{name}")
        assert response.status_code == 200, f"{name} was acknowledged but is gone"


def operations_end(api: Api, ack: Acknowledged) -> None:
    """Every acknowledged operation ends: a response, or an error with a message."""
    for name in sorted(ack.operations):

        def done(name: str = name) -> dict[str, Any] | None:
            operation = api.ok("GET", f"v1/{name}")
            return operation if operation.get("done") else None

        operation = wait_for(done, f"operation {name} to end", SETTLE)
        if "error" in operation:
            assert operation["error"].get("message"), operation
        else:
            assert "response" in operation, operation


def endpoints_are_whole(api: Api) -> dict[str, dict[str, Any]]:
    """No half-written endpoint: every deployed model complete, the split over deployed ids
    adding up to 100 (or empty with nothing deployed). Answers deployed id -> endpoint."""
    deployed: dict[str, dict[str, Any]] = {}
    for endpoint in _all(api, "endpoints", "endpoints"):
        models = endpoint.get("deployedModels", [])
        split = {k: int(v) for k, v in endpoint.get("trafficSplit", {}).items()}
        ids = {m["id"] for m in models}
        for model in models:
            assert model.get("model") and model.get("id"), endpoint
            api.ok("GET", f"v1/{model['model']}@{model.get('modelVersionId', '1')}")
            deployed[model["id"]] = endpoint
        assert set(split) <= ids, endpoint
        assert sum(split.values()) == (100 if models else 0), endpoint
    for model in _all(api, "models", "models"):
        assert model.get("versionId"), model
    return deployed


def no_stray_servers_or_folders(data_dir: Path, deployed: dict[str, dict[str, Any]]) -> None:
    """Model servers of this data dir and serving folders belong to deployed models only."""
    serving = data_dir / "serving"

    def mine() -> dict[int, str]:
        found: dict[int, str] = {}
        for pid, environ in model_servers().items():
            try:
                cwd = Path(f"/proc/{pid}/cwd").resolve()
            except OSError:
                continue
            if serving.resolve() in cwd.parents and pid_alive(pid):
                found[pid] = environ["AIP_DEPLOYED_MODEL_ID"]
        return found

    wait_for(
        lambda: set(mine().values()) <= set(deployed),
        f"servers of undeployed models to end (deployed: {sorted(deployed)}, seen: {mine()})",
        SETTLE,
    )

    def folders() -> set[str]:
        if not serving.is_dir():
            return set()
        kept = ("sockets", "warm")  # not a deployed model's: the servers' sockets, the pool's
        return {p.name for p in serving.iterdir() if p.is_dir() and p.name not in kept}

    wait_for(
        lambda: folders() <= set(deployed),
        f"serving folders of undeployed models to go (deployed: {sorted(deployed)}, "
        f"seen: {sorted(folders())})",
        SETTLE,
    )


def deployed_models_answer(api: Api, deployed: dict[str, dict[str, Any]]) -> None:
    for endpoint in {e["name"]: e for e in deployed.values()}.values():

        def answers(endpoint: dict[str, Any] = endpoint) -> bool:
            response = api.call("POST", f"v1/{endpoint['name']}:predict", {"instances": [ROW]})
            return response.status_code == 200

        wait_for(answers, f"{endpoint['name']} to answer predictions", SETTLE)


def _object_exists(api: Api, uri: str) -> bool:
    bucket, _, name = uri[len("gs://") :].partition("/")
    response = requests.get(
        f"{api.emu.storage_url}/storage/v1/b/{bucket}/o/{quote(name, safe='')}",
        headers=api.emu.storage_headers,
        timeout=10,
    )
    return response.status_code == 200


def jobs_end_with_outputs(api: Api, ack: Acknowledged, outputs: dict[str, str]) -> None:
    """Every job ends; a succeeded one has its output (``outputs``: job name -> the gs://
    object its script writes to AIP_MODEL_DIR)."""
    for job in _all(api, "customJobs", "customJobs"):
        name = job["name"]

        def ended(name: str = name) -> dict[str, Any] | None:
            found = api.ok("GET", f"v1/{name}")
            return found if found.get("state") in TERMINAL else None

        final = wait_for(ended, f"{name} to end", SETTLE)
        if final["state"] == "JOB_STATE_SUCCEEDED" and name in outputs:
            assert _object_exists(api, outputs[name]), f"{name} succeeded without its output"
        if final["state"] == "JOB_STATE_FAILED":
            assert final.get("error", {}).get("message"), final


def check_all(
    api: Api, data_dir: Path, ack: Acknowledged, outputs: dict[str, str]
) -> dict[str, dict[str, Any]]:
    acknowledged_records_exist(api, ack)
    operations_end(api, ack)
    deployed = endpoints_are_whole(api)
    no_stray_servers_or_folders(data_dir, deployed)
    deployed_models_answer(api, deployed)
    jobs_end_with_outputs(api, ack, outputs)
    return deployed
