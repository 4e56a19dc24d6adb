"""Helpers of the batch prediction tests: input files in local storage, output files read
back, jobs created and awaited over REST."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import requests

from jupyter_vertex.emulator import ensure_bucket

from .emulator_api import Api

TERMINAL = {"JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED"}


def bucket(api: Api) -> str:
    name = f"b-{uuid.uuid4().hex[:10]}"
    ensure_bucket(api.emu.storage_url, name, api.project, token=api.emu.token)
    return name


def put(api: Api, bucket_name: str, name: str, content: str | bytes) -> str:
    response = requests.post(
        f"{api.emu.storage_url}/upload/storage/v1/b/{bucket_name}/o",
        params={"uploadType": "media", "name": name},
        data=content.encode() if isinstance(content, str) else content,
        headers=api.emu.storage_headers,
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return f"gs://{bucket_name}/{name}"


def names(api: Api, uri: str) -> list[str]:
    """The object names under a gs:// prefix, relative to it."""
    bucket_name, _, prefix = uri[len("gs://") :].partition("/")
    response = requests.get(
        f"{api.emu.storage_url}/storage/v1/b/{bucket_name}/o",
        params={"prefix": prefix},
        headers=api.emu.storage_headers,
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return sorted(
        item["name"][len(prefix) :].lstrip("/") for item in response.json().get("items") or []
    )


def lines(api: Api, uri: str) -> list[Any]:
    bucket_name, _, name = uri[len("gs://") :].partition("/")
    response = requests.get(
        f"{api.emu.storage_url}/download/storage/v1/b/{bucket_name}/o/"
        + requests.utils.quote(name, safe=""),
        params={"alt": "media"},
        headers=api.emu.storage_headers,
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return [json.loads(line) for line in response.text.splitlines()]


def job_body(
    model: str, source: str, prefix: str, fmt: str = "jsonl", **extra: Any
) -> dict[str, Any]:
    return {
        "displayName": "batch",
        "model": model,
        "inputConfig": {"instancesFormat": fmt, "gcsSource": {"uris": [source]}},
        "outputConfig": {
            "predictionsFormat": "jsonl",
            "gcsDestination": {"outputUriPrefix": prefix},
        },
        "dedicatedResources": {
            "machineSpec": {"machineType": "n1-standard-2"},
            "startingReplicaCount": 2,
        },
        **extra,
    }


def create(api: Api, body: dict[str, Any]) -> dict[str, Any]:
    return api.ok("POST", f"v1/{api.parent}/batchPredictionJobs", body)


def wait_state(api: Api, name: str, states: set[str], timeout: float = 120.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        job = api.ok("GET", f"v1/{name}")
        if job["state"] in states:
            return job
        assert time.monotonic() < deadline, f"{name} still {job['state']}: {job}"
        time.sleep(0.1)


def wait_done(api: Api, name: str, timeout: float = 120.0) -> dict[str, Any]:
    return wait_state(api, name, TERMINAL, timeout)
