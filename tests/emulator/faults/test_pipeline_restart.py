"""Fault injection for pipelines: SIGKILL the embedded Vertex while a PipelineJob runs, start
it again on the same data dir: the run is FAILED with the restart's reason (not resumed) and
no process of it is left (its driver and tasks are reaped). No ``from __future__ import
annotations`` here: kfp reads the component's annotations as types."""

import os
import time
from pathlib import Path

import yaml
from kfp import compiler, dsl

from jupyter_vertex.emulator.pipelines.engine import PIPELINE_JOB_ENV
from jupyter_vertex.emulator.pipelines.records import RESTART_REASON
from jupyter_vertex.emulator.testing import EmulatorProcess

from ..emulator_api import Api


@dsl.component(base_image="python:3.11", install_kfp_package=False)
def nap(seconds: float) -> None:
    import time

    time.sleep(seconds)


@dsl.pipeline(name="napping")
def napping(seconds: float = 300.0) -> None:
    nap(seconds=seconds)


def _processes(job_name: str) -> list[int]:
    marker = f"{PIPELINE_JOB_ENV}={job_name}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if marker in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_a_running_pipeline_fails_after_a_kill_and_restart(tmp_path: Path) -> None:
    compiler.Compiler().compile(napping, str(tmp_path / "napping.yaml"))
    spec = yaml.safe_load((tmp_path / "napping.yaml").read_text())
    with EmulatorProcess(tmp_path / "data") as emu:
        api = Api(emu, "pipeline-faults")
        body = {
            "displayName": "napping",
            "pipelineSpec": spec,
            "runtimeConfig": {"gcsOutputDirectory": "gs://pipeline-faults/root"},
        }
        job = api.ok("POST", f"v1/{api.parent}/pipelineJobs", body)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            got = api.ok("GET", f"v1/{job['name']}")
            tasks = (got.get("jobDetail") or {}).get("taskDetails") or []
            if any(t["taskName"] == "nap" and t["state"] == "RUNNING" for t in tasks):
                break
            time.sleep(0.1)
        else:
            raise AssertionError("the nap task did not start")
        assert _processes(job["name"])
        emu.kill()
        emu.start()
        failed = api.ok("GET", f"v1/{job['name']}")
        assert failed["state"] == "PIPELINE_STATE_FAILED"
        assert failed["error"] == {"code": 13, "message": RESTART_REASON}
        assert {t["taskName"]: t["state"] for t in failed["jobDetail"]["taskDetails"]} == {
            "napping": "FAILED",
            "nap": "CANCELLED",
        }
        assert _processes(job["name"]) == []
