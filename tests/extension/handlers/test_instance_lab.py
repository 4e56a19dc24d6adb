"""A Workbench instance's JupyterLab works: its Jupyter server, started by the real embedded
Vertex, has the server extensions its labextensions need (jupyterlab-git, jupyter_vertex),
jupyter_vertex there uses the same embedded Vertex in the same project, and the instance's
Lab writes into the instance's folder, not into the user's Jupyter dirs."""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from tornado.websocket import websocket_connect

from jupyter_vertex.emulator.core.connection import PROJECT_ENV, REGION_ENV, URL_ENV

ZONE = "us-central1-a"


@pytest.fixture
def vertex_config(emulated: dict[str, Any]) -> dict[str, Any]:
    return emulated


async def finished(api: Any, operation: dict[str, Any], timeout: float = 90.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        status, current = await api("GET", "operations", params={"name": operation["name"]})
        assert status == 200, current
        if current["done"]:
            return current
        assert time.monotonic() < deadline, f"operation not done: {current}"
        await asyncio.sleep(0.2)


async def printed_by_kernel(client: httpx.AsyncClient, token: str, code: str) -> str:
    """Start a kernel on the instance's server, run ``code`` there, answer its stdout."""
    auth = {"Authorization": f"token {token}"}
    started = await client.post("/api/kernels", headers=auth, json={})
    assert started.status_code == 201, started.text
    kernel = started.json()["id"]
    url = f"{str(client.base_url).replace('http', 'ws', 1)}/api/kernels/{kernel}/channels"
    socket = await websocket_connect(f"{url}?token={token}")
    msg_id = uuid.uuid4().hex
    header = {"msg_id": msg_id, "msg_type": "execute_request", "username": "", "session": ""}
    header |= {"version": "5.3", "date": ""}
    content = {"code": code, "silent": False, "store_history": False}
    content |= {"user_expressions": {}, "allow_stdin": False, "stop_on_error": True}
    message = {"header": header, "parent_header": {}, "metadata": {}, "content": content}
    await socket.write_message(json.dumps({**message, "channel": "shell"}))
    out = []
    try:
        while True:
            raw = await asyncio.wait_for(socket.read_message(), timeout=60)
            assert raw is not None, "the kernel's channels closed"
            reply = json.loads(raw)
            if reply["parent_header"].get("msg_id") != msg_id:
                continue
            kind = reply["header"]["msg_type"]
            if kind == "stream":
                out.append(reply["content"]["text"])
            elif kind == "error":
                raise AssertionError("\n".join(reply["content"]["traceback"]))
            elif kind == "status" and reply["content"]["execution_state"] == "idle":
                return "".join(out)
    finally:
        socket.close()
        await client.delete(f"/api/kernels/{kernel}", headers=auth)


async def test_an_instances_lab_has_git_and_the_same_embedded_vertex(
    api: Any, emulator: Any, project_id: str
) -> None:
    status, operation = await api("POST", "instances", body={"instanceId": "box"})
    assert status == 202
    assert (await finished(api, operation))["error"] is None
    status, instance = await api("GET", "instances", "box")
    assert (status, instance["state"]) == (200, "ACTIVE")
    host, token = instance["proxyUri"].split("/lab?token=")
    base = f"http://{host}"
    auth = {"Authorization": f"token {token}"}

    number = instance["name"].split("/")[1]
    folder = Path(emulator.data_dir) / "workbench" / number / ZONE / "box"

    async with httpx.AsyncClient(base_url=base, timeout=30.0) as client:
        # jupyter_vertex: the same backend, project, region and embedded Vertex as ours,
        # which it reaches (the instance lists itself), not one of its own.
        status, ours = await api("GET", "status")
        assert status == 200
        answer = await client.get("/jupyter-vertex/api/status", headers=auth)
        assert answer.status_code == 200, answer.text
        theirs = answer.json()
        assert (theirs["backend"], theirs["project"], theirs["region"]) == (
            ours["backend"],
            ours["project"],
            ours["region"],
        )
        assert (ours["backend"], ours["project"], ours["region"]) == (
            "local",
            project_id,
            "us-central1",
        )
        emulator_status = theirs["emulator"]
        assert (emulator_status["state"], emulator_status["managed"]) == ("running", False)
        assert emulator_status["url"] == emulator.url
        listed = await client.get("/jupyter-vertex/api/instances", headers=auth)
        assert listed.status_code == 200, listed.text
        assert [i["id"] for i in listed.json()["instances"]] == ["box"]
        # Its kernels find that embedded Vertex too (what emulator.init() reads).
        printed = await printed_by_kernel(
            client,
            token,
            f"import os\nprint(*(os.environ[n] for n in {(URL_ENV, PROJECT_ENV, REGION_ENV)}))",
        )
        assert printed.split() == [emulator.url, project_id, "us-central1"]

        # jupyterlab-git's server extension answers (its labextension asks this at start).
        git = await client.get("/git/settings", headers=auth, params={"version": "4.0.0"})
        assert git.status_code == 200, git.text
        assert git.json()["serverVersion"]
        # The Git panel's first question: the instance's disk is no repository, even where
        # the emulator's data dir lies inside one (git looks no higher than the instance)...
        top = await client.post("/git/show_top_level", headers=auth, json={})
        assert (top.status_code, top.json()) == (200, {"code": 0, "path": None})
        # ... until one is made there.
        made = await client.post("/git/init", headers=auth, json={})
        assert made.status_code == 200, made.text
        top = await client.post("/git/show_top_level", headers=auth, json={})
        home = folder / "home"
        assert (top.status_code, top.json()) == (200, {"code": 0, "path": str(home)})

        # Lab's workspaces go to the instance's own config dir.
        saved = await client.put(
            "/lab/api/workspaces/probe",
            headers=auth,
            json={"data": {}, "metadata": {"id": "probe"}},
        )
        assert saved.status_code == 204, saved.text

    # Only with the instance's token (a fresh client: the first one keeps the login cookie).
    async with httpx.AsyncClient(base_url=base, timeout=30.0) as anonymous:
        for route in ("/jupyter-vertex/api/status", "/git/settings"):
            assert (await anonymous.get(route)).status_code == 403

    assert [p.name for p in (folder / "config" / "lab" / "workspaces").iterdir()] == [
        "probe-ba9c.jupyterlab-workspace"
    ]
    user_config = Path(os.environ["JUPYTER_CONFIG_DIR"])
    assert not (user_config / "lab" / "workspaces").exists()

    status, deleting = await api("DELETE", "instances", "box")
    assert status == 202
    await finished(api, deleting)
