"""The Workbench instance routes and "running now" through HTTP, against the real embedded
Vertex: a real Jupyter server per instance, operations polled through ``GET /operations``."""

from __future__ import annotations

import asyncio
import io
import tarfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from jupyter_vertex.services.instances import instance_to_json

from ..seed import Seeder

ZONE = "us-central1-a"
TRAINING_IMAGE = "us-docker.pkg.dev/vertex-ai/training/sklearn-cpu.1-0:latest"


@pytest.fixture
def vertex_config(emulated: dict[str, Any]) -> dict[str, Any]:
    return emulated


@pytest.fixture
def seeder(emulator: Any, project_id: str) -> Seeder:
    return Seeder(emulator, project_id)


async def finished(api: Any, operation: dict[str, Any], timeout: float = 90.0) -> dict[str, Any]:
    """Poll the operation through the API until it is done (or fail at the deadline)."""
    deadline = time.monotonic() + timeout
    while True:
        status, current = await api("GET", "operations", params={"name": operation["name"]})
        assert status == 200, current
        if current["done"]:
            return current
        assert time.monotonic() < deadline, f"operation not done: {current}"
        await asyncio.sleep(0.2)


async def until(condition: Callable[[], Any], timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = await condition()
        if value:
            return value
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.2)


async def answers(url: str, **kwargs: Any) -> int | None:
    def get() -> int | None:
        try:
            return httpx.get(url, timeout=5.0, **kwargs).status_code
        except httpx.ConnectError:
            return None

    return await asyncio.to_thread(get)


async def test_instance_lifecycle(api: Any, tmp_path: Path, project_id: str) -> None:
    script = tmp_path / "setup.sh"
    script.write_text("echo set up\n")
    status, operation = await api(
        "POST",
        "instances",
        body={
            "instanceId": "lab",
            "machineType": "n1-standard-4",
            "acceleratorType": "NVIDIA_TESLA_T4",
            "acceleratorCount": 1,
            "bootDiskType": "PD_SSD",
            "bootDiskSizeGb": 200,
            "dataDiskSizeGb": 150,
            "postStartupScript": str(script),
            "networkTags": ["notebooks"],
            "labels": {"team": "ml"},
        },
    )
    assert status == 202
    assert operation["kind"] == "createInstance"
    assert operation["target"] == "lab"
    assert operation["done"] is False
    assert operation["name"].split("/")[2:4] == ["locations", ZONE]
    done = await finished(api, operation)
    assert done["error"] is None

    status, instance = await api("GET", "instances", "lab")
    assert status == 200
    proxy = instance["proxyUri"]
    assert proxy.startswith("127.0.0.1:") and "/lab?token=" in proxy
    number = instance["name"].split("/")[1]
    assert instance == {
        "name": f"projects/{number}/locations/{ZONE}/instances/lab",
        "id": "lab",
        "state": "ACTIVE",
        "stateReason": None,
        "machineType": "n1-standard-4",
        "acceleratorType": "NVIDIA_TESLA_T4",
        "acceleratorCount": 1,
        "bootDisk": {"type": "PD_SSD", "sizeGb": 200},
        "dataDisk": {"type": "PD_BALANCED", "sizeGb": 150},
        "vmImage": {"project": "cloud-notebooks-managed", "family": "workbench-instances"},
        "containerImage": None,
        "networkTags": ["notebooks"],
        "serviceAccount": f"{number}-compute@developer.gserviceaccount.com",
        "labels": {"team": "ml"},
        "metadata": {"post-startup-script": str(script)},
        "proxyUri": proxy,
        "openUrl": f"http://{proxy}",
        "createTime": instance["createTime"],
        "updateTime": instance["updateTime"],
        "creator": None,
        "healthState": "HEALTHY",
    }
    host, token = proxy.split("/lab?token=")
    assert await answers(f"http://{host}/api/status", headers={"Authorization": f"token {token}"})
    assert await answers(f"http://{host}/api/status") == 403
    assert await answers(instance["openUrl"]) == 200
    assert (await api("GET", "instances")) == (
        200,
        {"instances": [instance], "nextPageToken": None},
    )
    status, running = await api("GET", "running")
    assert status == 200
    assert [i["id"] for i in running["instances"]] == ["lab"]

    status, stopping = await api("POST", "instances", "lab", "stop")
    assert (status, stopping["kind"], stopping["target"]) == (202, "stopInstance", "lab")
    assert (await finished(api, stopping))["error"] is None
    status, stopped = await api("GET", "instances", "lab")
    assert (stopped["state"], stopped["proxyUri"], stopped["openUrl"]) == ("STOPPED", None, None)
    assert await answers(f"http://{host}/api/status") is None
    assert (await api("GET", "running"))[1]["instances"] == []

    status, refused = await api("POST", "instances", "lab", "stop")
    assert status == 409
    assert refused == {
        "message": f"Instance {instance['name']} is STOPPED; it can be stopped only when ACTIVE.",
        "reason": "FAILED_PRECONDITION",
        "hint": refused["hint"],
    }

    status, starting = await api("POST", "instances", "lab", "start")
    assert (status, starting["kind"]) == (202, "startInstance")
    await finished(api, starting)
    status, resetting = await api("POST", "instances", "lab", "reset")
    assert (status, resetting["kind"]) == (202, "resetInstance")
    await finished(api, resetting)
    status, again = await api("GET", "instances", "lab")
    assert (again["state"], again["openUrl"]) == ("ACTIVE", f"http://{proxy}")

    status, deleting = await api("DELETE", "instances", "lab")
    assert (status, deleting["kind"], deleting["target"]) == (202, "deleteInstance", "lab")
    await finished(api, deleting)
    status, missing = await api("GET", "instances", "lab")
    assert status == 404
    assert missing["reason"] == "NOT_FOUND"
    assert missing["message"] == f"Instance {instance['name']} not found."
    assert await answers(f"http://{host}/api/status") is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"instanceId": "Lab"},
            "Field 'instanceId' is invalid: 'Lab' does not match "
            "'^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$'.",
        ),
        (
            {"instanceId": "lab", "bootDiskSizeGb": 100},
            "Field 'bootDiskSizeGb' is out of range: 100 is less than the minimum of 150.",
        ),
        (
            {"instanceId": "lab", "dataDiskSizeGb": 64001},
            "Field 'dataDiskSizeGb' is out of range: 64001 is greater than the maximum of 64000.",
        ),
        (
            {"instanceId": "lab", "acceleratorType": "NVIDIA_TESLA_T4", "acceleratorCount": 1},
            "Field 'acceleratorType': Accelerator \"NVIDIA_TESLA_T4\" is not supported for "
            'machine type "e2-standard-4".',
        ),
        (
            {
                "instanceId": "lab",
                "machineType": "a2-highgpu-1g",
                "acceleratorType": "NVIDIA_TESLA_A100",
                "acceleratorCount": 2,
            },
            "Field 'acceleratorType': Accelerator count 2 is not valid for accelerator "
            '"NVIDIA_TESLA_A100" on machine type "a2-highgpu-1g" (valid: 1).',
        ),
        (
            {"instanceId": "lab", "machineType": "n9-giant-1"},
            "Field 'machineType': Machine type \"n9-giant-1\" is not supported.",
        ),
    ],
)
async def test_bad_create_requests(api: Any, body: dict[str, Any], message: str) -> None:
    status, error = await api("POST", "instances", body=body)
    assert status == 400
    assert (error["reason"], error["message"]) == ("INVALID_ARGUMENT", message)
    assert (await api("GET", "instances")) == (200, {"instances": [], "nextPageToken": None})


async def test_duplicate_and_unknown_instances(api: Any) -> None:
    status, operation = await api("POST", "instances", body={"instanceId": "twice"})
    assert status == 202
    await finished(api, operation)
    try:
        status, conflict = await api("POST", "instances", body={"instanceId": "twice"})
        assert (status, conflict["reason"]) == (409, "ALREADY_EXISTS")
        assert conflict["message"].endswith(f"/locations/{ZONE}/instances/twice already exists.")
    finally:
        await finished(api, (await api("DELETE", "instances", "twice"))[1])
    for method, path in (("GET", ()), ("DELETE", ()), ("POST", ("start",))):
        status, missing = await api(method, "instances", "nobody", *path)
        assert (status, missing["reason"]) == (404, "NOT_FOUND")


async def test_running_now_lists_endpoints_with_deployed_models(
    api: Any, seeder: Seeder, emulator: Any, fake_deployment: Any
) -> None:
    empty = await seeder_call(seeder.create_endpoint, "idle")
    busy = await seeder_call(seeder.create_endpoint, "busy")
    model = await seeder_call(seeder.upload_model, "digits")
    fake_deployment(emulator, busy.name, model.name)
    status, running = await api("GET", "running")
    assert status == 200
    assert [e["displayName"] for e in running["endpoints"]] == ["busy"]
    assert empty.name not in [e["name"] for e in running["endpoints"]]
    assert running["endpoints"][0]["deployedModels"][0]["id"] == "1111"
    assert (running["instances"], running["jobs"], running["bulkPredictions"]) == ([], [], [])


async def seeder_call(method: Any, *args: Any) -> Any:
    return await asyncio.to_thread(method, *args)


def _sdist(folder: Path, code: str) -> Path:
    """A tiny sdist whose module ``trainer.task`` runs ``code``."""
    target = folder / "trainer-0.1.tar.gz"
    files = {
        "trainer-0.1/setup.py": "from setuptools import setup\nsetup(name='trainer')\n",
        "trainer-0.1/trainer/__init__.py": "",
        "trainer-0.1/trainer/task.py": code,
    }
    with tarfile.open(target, "w:gz") as archive:
        for path, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(path)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return target


async def test_running_now_lists_unfinished_jobs(
    api: Any, seeder: Seeder, emulator: Any, tmp_path: Path
) -> None:
    from google.api_core.client_options import ClientOptions
    from google.cloud import aiplatform_v1
    from google.oauth2.credentials import Credentials

    jobs = aiplatform_v1.JobServiceClient(
        transport="rest",
        client_options=ClientOptions(api_endpoint=emulator.url),
        credentials=Credentials(token=emulator.token),
    )
    package = _sdist(tmp_path, "import time\ntime.sleep(120)\n")
    job = aiplatform_v1.CustomJob(
        display_name="sleeper",
        job_spec=aiplatform_v1.CustomJobSpec(
            worker_pool_specs=[
                aiplatform_v1.WorkerPoolSpec(
                    machine_spec=aiplatform_v1.MachineSpec(machine_type="n1-standard-4"),
                    replica_count=1,
                    python_package_spec=aiplatform_v1.PythonPackageSpec(
                        executor_image_uri=TRAINING_IMAGE,
                        package_uris=[str(package)],
                        python_module="trainer.task",
                    ),
                )
            ]
        ),
    )
    created = await asyncio.to_thread(jobs.create_custom_job, parent=seeder.parent, custom_job=job)
    job_id = created.name.rsplit("/", 1)[1]
    try:
        status, running = await api("GET", "running")
        assert status == 200
        assert [(j["id"], j["displayName"]) for j in running["jobs"]] == [(job_id, "sleeper")]
        assert running["jobs"][0]["state"] in ("QUEUED", "PENDING", "RUNNING")
    finally:
        await api("POST", "jobs", "customJob", job_id, "cancel")
    ended = await until(
        lambda: _job_ended(api, job_id),
    )
    assert ended == "CANCELLED"
    assert (await api("GET", "running"))[1]["jobs"] == []


async def _job_ended(api: Any, job_id: str) -> str | None:
    status, job = await api("GET", "jobs", "customJob", job_id)
    return job["state"] if job["state"] in ("CANCELLED", "FAILED", "SUCCEEDED") else None


def test_a_failed_instance_and_the_open_url_on_vertex() -> None:
    from google.cloud import notebooks_v2

    failed = notebooks_v2.Instance(
        name="projects/1/locations/us-central1-a/instances/broken",
        state=notebooks_v2.State.STOPPED,
        health_state=notebooks_v2.HealthState.UNHEALTHY,
        health_info={"failure_reason": "No free port."},
    )
    shown = instance_to_json(failed)
    assert (shown["state"], shown["stateReason"], shown["openUrl"]) == (
        "FAILED",
        "No free port.",
        None,
    )
    stopped = notebooks_v2.Instance(name="x/instances/idle", state=notebooks_v2.State.STOPPED)
    assert (instance_to_json(stopped)["state"], instance_to_json(stopped)["stateReason"]) == (
        "STOPPED",
        None,
    )
    on_vertex = notebooks_v2.Instance(
        name="x/instances/lab",
        state=notebooks_v2.State.ACTIVE,
        proxy_uri="abc123-dot-us-central1.notebooks.googleusercontent.com",
    )
    assert instance_to_json(on_vertex)["openUrl"] == (
        "https://abc123-dot-us-central1.notebooks.googleusercontent.com"
    )
