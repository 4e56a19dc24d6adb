"""Pipeline schedules through the extension's HTTP API on the embedded Vertex: a schedule
made as the SDK makes one (``create_schedule``; the extension does not create them) is
listed, paused, refused a second pause (409), resumed with catch-up and deleted; an unknown one is
a 404."""

from __future__ import annotations

from typing import Any

import pytest
import requests

SPEC = {
    "pipelineInfo": {"name": "tiny"},
    "root": {"dag": {"tasks": {}}},
    "components": {"comp-a": {}},
    "deploymentSpec": {"executors": {}},
}


@pytest.fixture
def vertex_config(emulated: dict[str, Any]) -> dict[str, Any]:
    return emulated


def _create(emulator: Any, parent: str) -> dict[str, Any]:
    body = {
        "displayName": "nightly",
        "cron": "TZ=Europe/Paris 0 2 * * *",
        "maxConcurrentRunCount": "1",
        "createPipelineJobRequest": {
            "parent": parent,
            "pipelineJob": {
                "pipelineSpec": SPEC,
                "runtimeConfig": {"gcsOutputDirectory": "gs://b/root"},
            },
        },
    }
    answer = requests.post(
        f"{emulator.url}/v1/{parent}/schedules",
        json=body,
        headers={"Authorization": f"Bearer {emulator.token}"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    created: dict[str, Any] = answer.json()
    return created


async def test_schedules_listed_paused_resumed_deleted(
    api: Any, emulator: Any, project_id: str
) -> None:
    created = _create(emulator, f"projects/{project_id}/locations/us-central1")
    schedule_id = created["name"].rsplit("/", 1)[-1]
    status, listed = await api("GET", "pipelineSchedules")
    assert status == 200, listed
    (found,) = listed["schedules"]
    assert found["id"] == schedule_id
    assert (found["displayName"], found["pipelineName"], found["state"]) == (
        "nightly",
        "tiny",
        "ACTIVE",
    )
    assert found["cron"] == "TZ=Europe/Paris 0 2 * * *"
    assert found["nextRunTime"].endswith(("T00:00:00Z", "T01:00:00Z"))  # 02:00 in Paris
    assert (found["startedRunCount"], found["maxRunCount"], found["lastRun"]) == (0, None, None)

    status, paused = await api("POST", "pipelineSchedules", schedule_id, "pause")
    assert (status, paused["state"]) == (200, "PAUSED")
    assert paused["lastPauseTime"]
    status, refused = await api("POST", "pipelineSchedules", schedule_id, "pause")
    assert (status, refused["reason"]) == (409, "FAILED_PRECONDITION"), refused
    assert "only an ACTIVE schedule can be paused" in refused["message"]
    status, resumed = await api(
        "POST", "pipelineSchedules", schedule_id, "resume", body={"catchUp": True}
    )
    assert (status, resumed["state"]) == (200, "ACTIVE")
    assert resumed["lastResumeTime"]

    status, _ = await api("DELETE", "pipelineSchedules", schedule_id)
    assert status == 204
    status, listed = await api("GET", "pipelineSchedules")
    assert listed["schedules"] == []
    status, missing = await api("DELETE", "pipelineSchedules", schedule_id)
    assert status == 404, missing
