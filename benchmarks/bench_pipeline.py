"""Benchmark (issue 13): the example pipeline (examples/pipeline_train_deploy.py) end to end
on the embedded Vertex, against the same compiled pipeline run by ``kfp.local`` directly (the
floor). Goal: at most 1.2x the floor.

    python benchmarks/bench_pipeline.py                # 3 rounds of both scenarios
    python benchmarks/bench_pipeline.py --rounds 1 --scenario keep

Both runners do the same work against the same embedded Vertex: the floor runs
``kfp.local`` with the ``SubprocessRunner`` in this process (kfp already imported, nothing
recorded), its tasks in this process's environment, which holds the embedded Vertex's
address (as the embedded Vertex gives its tasks), so their SDK calls (endpoint look-up,
upload, deploy) reach the same embedded Vertex. The embedded side is the plain SDK:
``aiplatform.PipelineJob(template_path=...).submit()`` then ``wait()``, with the SDK's
5-second poll of the job lowered to 0.1 s (the SDK's poll is the SDK's, not the embedded
Vertex's; it is shown on its own line). Caching is off in both.

Scenarios (interleaved, the order alternating each round):

- ``deploy``: a new endpoint name per run: train, evaluate, read the deployed accuracy (none),
  deploy (starts a model server). The endpoint is undeployed and deleted after each run,
  outside the timing.
- ``keep``: a worse model (``train_fraction=0.02``) against an endpoint that holds a better
  one: the deploy task is not triggered.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

EXAMPLE = harness.ROOT / "examples" / "pipeline_train_deploy.py"
WORSE = 0.02


def _example() -> Any:
    spec = importlib.util.spec_from_file_location("pipeline_train_deploy", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def embedded(template: str, values: dict[str, Any]) -> tuple[float, Any, float, float]:
    """Seconds, the job, and the wall-clock times of its submit and of its end seen."""
    from google.cloud import aiplatform

    start = time.perf_counter()
    job = aiplatform.PipelineJob(
        display_name="bench-pipeline",
        template_path=template,
        parameter_values=values,
        enable_caching=False,
    )
    submitted = time.time()
    job.submit()
    job.wait()
    return time.perf_counter() - start, job, submitted, time.time()


def floor(template: str, values: dict[str, Any], work: Path) -> float:
    from kfp import components, local

    start = time.perf_counter()
    local.init(
        runner=local.SubprocessRunner(use_venv=False),
        pipeline_root=str(work / f"root-{uuid.uuid4().hex[:8]}"),
        enable_caching=False,
        raise_on_error=True,
    )
    pipeline = components.load_component_from_file(template)
    pipeline(**values)
    return time.perf_counter() - start


def drop_endpoint(name: str) -> None:
    from google.cloud import aiplatform

    for endpoint in aiplatform.Endpoint.list(filter=f'display_name="{name}"'):
        endpoint.undeploy_all()
        endpoint.delete()


def task_seconds(job: Any, submitted: float, ended: float) -> dict[str, float]:
    """Each executor task's own time on the embedded Vertex (start to end, as recorded), and
    where the rest goes: from submit to the first task's start (the SDK's create call, the
    driver's process start and kfp's import) and from the last task's end to the SDK seeing
    the run end (the engine's and the SDK's polls, the run's record)."""
    found: dict[str, float] = {}
    tasks = [t for t in job.task_details if t.parent_task_id and t.start_time and t.end_time]
    for task in tasks:
        if not task.task_name.startswith("condition"):
            found[task.task_name] = (task.end_time - task.start_time).total_seconds()
    if tasks:
        found["(submit → first task start)"] = (
            min(t.start_time.timestamp() for t in tasks) - submitted
        )
        found["(last task end → seen ended)"] = ended - max(t.end_time.timestamp() for t in tasks)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--scenario", choices=["deploy", "keep", "both"], default="both")
    args = parser.parse_args()

    from google.cloud.aiplatform import pipeline_jobs as sdk_pipeline_jobs
    from kfp import compiler

    import jupyter_vertex.emulator as emulator
    from jupyter_vertex.emulator.testing import EmulatorProcess

    sdk_pipeline_jobs._JOB_WAIT_TIME = 0.1  # type: ignore[assignment] # the SDK's poll (5 s)
    example = _example()
    scenarios = ["deploy", "keep"] if args.scenario == "both" else [args.scenario]
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="jv-bench-pipeline-") as folder:
        work = Path(folder)
        template = str(work / "pipeline.yaml")
        compiler.Compiler().compile(example.train_deploy_digits, template)
        with EmulatorProcess(work / "emulator") as emu:
            connection = emu.connection(harness.PROJECT, harness.LOCATION)
            os.environ.update(connection.to_env())  # the floor's tasks reach it too
            emulator.init(project=harness.PROJECT, location=harness.LOCATION)
            keep_endpoint = "bench-keep"
            if "keep" in scenarios:  # a good model on the endpoint the worse ones lose to
                embedded(template, {"endpoint_name": keep_endpoint})
            results: dict[tuple[str, str], list[float]] = {}
            tasks: dict[str, list[float]] = {}
            for round_ in range(args.rounds):
                for scenario in scenarios:
                    order = ["embedded", "kfp.local"]
                    if round_ % 2:
                        order.reverse()
                    for runner in order:
                        if scenario == "deploy":
                            name = f"bench-{uuid.uuid4().hex[:8]}"
                            values: dict[str, Any] = {"endpoint_name": name}
                        else:
                            name = keep_endpoint
                            values = {"endpoint_name": name, "train_fraction": WORSE}
                        if runner == "embedded":
                            seconds, job, submitted, ended = embedded(template, values)
                            for task, took in task_seconds(job, submitted, ended).items():
                                tasks.setdefault(f"{scenario}: {task}", []).append(took)
                        else:
                            seconds = floor(template, values, work)
                        results.setdefault((scenario, runner), []).append(seconds)
                        print(f"round {round_ + 1} {scenario:<6} {runner:<9} {seconds:6.2f} s")
                        if scenario == "deploy":
                            drop_endpoint(name)
            drop_endpoint(keep_endpoint)
    rows = []
    for scenario in scenarios:
        ours = statistics.median(results[(scenario, "embedded")])
        base = statistics.median(results[(scenario, "kfp.local")])
        rows.append([scenario, ours, base, f"{ours / base:.2f}x"])
    print(
        harness.table(
            f"Example pipeline, median of {args.rounds} rounds (seconds; load avg "
            f"{load:.1f} at start, {os.getloadavg()[0]:.1f} at end, {os.cpu_count()} CPUs)",
            ["scenario", "embedded Vertex (SDK)", "kfp.local (floor)", "ratio"],
            rows,
        )
    )
    print(
        harness.table(
            "Tasks on the embedded Vertex, median (seconds, start to end as recorded)",
            ["task", "seconds"],
            [[name, statistics.median(values)] for name, values in sorted(tasks.items())],
        )
    )


if __name__ == "__main__":
    main()
