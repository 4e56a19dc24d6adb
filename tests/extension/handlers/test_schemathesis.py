"""Property-based run of the whole API (schemathesis) against the live server.

The Jupyter server runs on this test's event loop, so schemathesis runs as its own
process (its CLI) and the test awaits it. All of schemathesis' checks run (no 5xx,
statuses/content types/bodies conform to the document, invalid input is rejected, valid
input accepted, auth enforced, stateful use-after-free ...), except:

- ``missing_required_header``: it insists on 401 for a missing ``Authorization`` header;
  Jupyter (and so the extension) answers 403, which ``ignored_auth`` accepts as refusal;
- ``object_level_authorization``: needs a second identity; Jupyter has one user.

Positive data acceptance allows 400 for list filters, orders and page tokens, which
only Vertex AI can judge (see schemathesis.toml). Operations whose valid input starts real
processes (Workbench instances, deploys, bulk predictions) get only invalid input, and the
test checks that nothing was left running.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from jupyter_vertex.api.validation import SPEC_PATH

from ..seed import Seeder
from ..spec import spec_operations


@pytest.fixture
def vertex_config(emulated: dict[str, Any]) -> dict[str, Any]:
    return emulated


async def test_schemathesis(
    api: Any,
    vertex_app: Any,
    jp_serverapp: Any,
    http_server_client: Any,  # the server listens only once this fixture exists
    emulator: Any,
    project_id: str,
    jp_http_port: int,
    jp_base_url: str,
    tmp_path: Path,
) -> None:
    # Something to find: a model with two versions and an endpoint.
    seeder = Seeder(emulator, project_id)
    first = await asyncio.to_thread(seeder.upload_model, "seed-model")
    await asyncio.to_thread(seeder.upload_model, "seed-model", parent_model=first.name)
    await asyncio.to_thread(seeder.create_endpoint, "seed-endpoint")

    token = jp_serverapp.identity_provider.token
    url = f"http://127.0.0.1:{jp_http_port}{jp_base_url}jupyter-vertex/api"
    report = tmp_path / "report"
    argv = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(Path(__file__).with_name("schemathesis.toml")),
        "run",
        str(SPEC_PATH),
        "--url",
        url,
        "--header",
        f"Authorization: token {token}",
        "--checks",
        "all",
        "--exclude-checks",
        "missing_required_header,object_level_authorization",
        "--max-examples",
        "10",
        "--max-time",
        "60",  # all phases together: the coverage phase alone took ~28 s of 47 operations
        "--seed",
        "20240501",
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--suppress-health-check",
        "too_slow,filter_too_much",
        "--report",
        "junit",
        "--report-dir",
        str(report),
        "--no-color",
    ]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "", "NO_COLOR": "1"}
    proc = await asyncio.create_subprocess_exec(
        *argv,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=env,
        cwd=tmp_path,
    )
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), 180)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise
    text = out.decode("utf-8", "replace")
    (tmp_path / "schemathesis.txt").write_text(text)
    # Nothing real was started, whatever schemathesis found: no instance, deployed model,
    # job or bulk prediction.
    status, running = await api("GET", "running")
    assert status == 200, running
    assert running == {"instances": [], "endpoints": [], "jobs": [], "bulkPredictions": []}
    status, instances = await api("GET", "instances")
    assert (status, instances["instances"]) == (200, []), instances
    status, endpoints = await api("GET", "endpoints")
    assert status == 200, endpoints
    assert [e["deployedModels"] for e in endpoints["endpoints"] if e["deployedModels"]] == []
    assert proc.returncode == 0, text[-12000:]
    # It really ran: every operation of the document tested, test cases generated.
    count = len(spec_operations())
    assert f"Selected: {count}/{count}" in text, text[-4000:]
    assert f"Tested: {count}\n" in text, text[-4000:]
    assert "No test cases were generated" not in text, text[-4000:]
