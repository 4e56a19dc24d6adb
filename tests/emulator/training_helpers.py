"""Helpers of the training tests: tiny packages, job bodies, polling with deadlines."""

from __future__ import annotations

import io
import tarfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .emulator_api import Api

TRAINING_IMAGE = "us-docker.pkg.dev/vertex-ai/training/sklearn-cpu.1-0:latest"
TERMINAL = {"JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED"}


def make_package(folder: Path, code: str, name: str = "trainer") -> Path:
    """An sdist (``trainer-0.1.tar.gz``) whose module ``trainer.task`` runs ``code``."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}-0.1.tar.gz"
    files = {
        f"{name}-0.1/setup.py": "from setuptools import setup\nsetup(name='trainer')\n",
        f"{name}-0.1/{name}/__init__.py": "",
        f"{name}-0.1/{name}/task.py": code,
    }
    with tarfile.open(target, "w:gz") as archive:
        for path, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(path)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return target


def pool(
    package: Path | str,
    *,
    args: list[str] | None = None,
    env: dict[str, str] | None = None,
    replicas: int = 1,
    image: str = TRAINING_IMAGE,
    module: str = "trainer.task",
) -> dict[str, Any]:
    return {
        "machineSpec": {"machineType": "n1-standard-4"},
        "replicaCount": str(replicas),
        "pythonPackageSpec": {
            "executorImageUri": image,
            "packageUris": [str(package)],
            "pythonModule": module,
            "args": args or [],
            "env": [{"name": k, "value": v} for k, v in (env or {}).items()],
        },
    }


def job_body(*pools: dict[str, Any], name: str = "job", **extra: Any) -> dict[str, Any]:
    return {"displayName": name, "jobSpec": {"workerPoolSpecs": list(pools)}, **extra}


def create_job(api: Api, body: dict[str, Any]) -> dict[str, Any]:
    return api.ok("POST", f"v1/{api.parent}/customJobs", body)


def wait_for(
    probe: Callable[[], Any], what: str, timeout: float = 60.0, interval: float = 0.1
) -> Any:
    """Poll ``probe`` until it answers something truthy, or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def wait_state(api: Api, name: str, states: set[str], timeout: float = 60.0) -> dict[str, Any]:
    def probe() -> dict[str, Any] | None:
        job = api.ok("GET", f"v1/{name}")
        return job if job.get("state") in states else None

    result: dict[str, Any] = wait_for(probe, f"{name} in {sorted(states)}", timeout)
    return result


def wait_done(api: Api, name: str, timeout: float = 60.0) -> dict[str, Any]:
    return wait_state(api, name, TERMINAL, timeout)


def logs(api: Api, job_id: str, **extra: Any) -> list[dict[str, Any]]:
    body = {
        "resourceNames": [f"projects/{api.project}"],
        "filter": f'resource.type="ml_job" AND resource.labels.job_id="{job_id}"',
        **extra,
    }
    entries: list[dict[str, Any]] = api.ok("POST", "v2/entries:list", body).get("entries", [])
    return entries


def pid_alive(pid: int) -> bool:
    """A process that exists and is not a zombie (killed orphans may wait for init)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
