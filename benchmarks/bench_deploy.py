"""Benchmark (e): deploy -> first prediction. The embedded Vertex against the floor (a fresh
Python process that loads the same model with joblib and answers one prediction) and against
`mlflow models serve`'s cold start, same digits model, rounds interleaved.

    benchmarks/run.sh deploy        # or: python benchmarks/bench_deploy.py [--rounds 5]

The embedded Vertex is timed from the ``deployModel`` POST to the first prediction's answer,
the operation polled every 50 ms (as the panel does). It runs twice side by side: as shipped
(a warm model server waits for the deploy) and with ``--warm-model-servers 0`` (each server
started on deploy, as before the warm servers). Before each warm round the benchmark waits
until the pool's replacement server has done its imports, as a user's next deploy would find
it. Goals (issue 17): embedded <= 1.0x the floor; <= 0.2x MLflow.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

MLFLOW_VENV = Path(os.environ.get("MLFLOW_VENV", harness.ROOT / ".cache" / "bench" / "mlflow"))
POLL = 0.05


def floor_seconds(model_dir: Path, row: list[float]) -> float:
    """A fresh Python loads the model with the framework's own loader and predicts one row."""
    code = (
        "import json, sys, joblib; "
        "m = joblib.load(sys.argv[1]); print(m.predict([json.loads(sys.argv[2])]).tolist())"
    )
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", code, str(model_dir / "model.joblib"), json.dumps(row)],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def _wait_operation(url: str, name: str, auth: dict[str, str]) -> dict[str, Any]:
    while True:
        operation: dict[str, Any] = harness.get_json(f"{url}/v1/{name}", auth)
        if operation.get("done"):
            if "error" in operation:
                raise RuntimeError(operation["error"])
            return operation
        time.sleep(POLL)


def embedded_seconds(emu: Any, endpoint: str, model: str, row: list[float]) -> float:
    """deployModel -> operation done (polled every 50 ms) -> first prediction answered;
    then undeploy (not timed)."""
    auth = {"Authorization": f"Bearer {emu.token}"}
    body = {
        "deployedModel": {
            "model": model,
            "dedicatedResources": {
                "machineSpec": {"machineType": "n1-standard-2"},
                "minReplicaCount": 1,
                "maxReplicaCount": 1,
            },
        }
    }
    start = time.perf_counter()
    operation = harness.post_json(f"{emu.url}/v1/{endpoint}:deployModel", body, auth)
    done = _wait_operation(emu.url, operation["name"], auth)
    answer = harness.post_json(f"{emu.url}/v1/{endpoint}:predict", {"instances": [row]}, auth)
    elapsed = time.perf_counter() - start
    assert len(answer["predictions"]) == 1, answer
    deployed_id = done["response"]["deployedModel"]["id"]
    operation = harness.post_json(
        f"{emu.url}/v1/{endpoint}:undeployModel", {"deployedModelId": deployed_id}, auth
    )
    _wait_operation(emu.url, operation["name"], auth)
    return elapsed


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def _warm_servers(emulator_pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = os.readlink(entry / "cwd")
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError):
            continue
        if parent == emulator_pid and cwd.endswith("/serving/warm"):
            found.append(int(entry.name))
    return found


def wait_warm_idle(emulator_pid: int, timeout: float = 60.0) -> None:
    """Until the pool's waiting server has finished its imports (its CPU time stands)."""
    deadline = time.monotonic() + timeout
    before: dict[int, int] = {}
    while time.monotonic() < deadline:
        pids = _warm_servers(emulator_pid)
        try:
            now = {pid: _cpu_ticks(pid) for pid in pids}
        except OSError:
            now = {}
        if pids and now == before:
            return
        before = now
        time.sleep(0.3)
    raise TimeoutError("no idle warm model server")


def mlflow_seconds(saved: Path) -> float:
    """`mlflow models serve` from its start to its first prediction's answer (then stopped)."""
    from bench_serving import start_mlflow, stop

    port = harness.free_port()
    url = f"http://127.0.0.1:{port}/invocations"
    start = time.perf_counter()
    process = start_mlflow(saved, port, subprocess.DEVNULL)
    try:
        while True:
            try:
                harness.post_json(url, {"instances": [[0.0] * 64]}, {})
                return time.perf_counter() - start
            except (urllib.error.URLError, ConnectionError):
                if process.poll() is not None:
                    raise RuntimeError("mlflow models serve exited") from None
                time.sleep(POLL)
    finally:
        stop(process)


def _setup(emu: Any, model_dir: Path) -> tuple[str, str]:
    """The digits model uploaded and an empty endpoint, through the SDK."""
    from google.cloud import aiplatform

    import jupyter_vertex.emulator as emulator

    os.environ.update(emu.connection(harness.PROJECT, harness.LOCATION).to_env())
    emulator.init(project=harness.PROJECT, location=harness.LOCATION)
    model = aiplatform.Model.upload(
        display_name="bench-digits",
        artifact_uri=str(model_dir),
        serving_container_image_uri=harness.SKLEARN_IMAGE,
    )
    endpoint = aiplatform.Endpoint.create(display_name="bench-deploy")
    return endpoint.resource_name, model.resource_name


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-mlflow", action="store_true", help="skip MLflow (not installed)")
    args = parser.parse_args()

    from jupyter_vertex.emulator.testing import EmulatorProcess

    times: dict[str, list[float]] = {"floor": [], "warm": [], "cold": [], "mlflow": []}
    with tempfile.TemporaryDirectory(prefix="jv-bench-deploy-") as tmp:
        work = Path(tmp)
        model = harness.train_digits(work / "model")
        features, _ = harness.digits()
        row = [float(v) for v in features[0]]
        saved = work / "mlflow-model"
        if not args.no_mlflow:
            from bench_serving import save_mlflow

            save_mlflow(work / "model", saved)
        with (
            EmulatorProcess(work / "warm") as warm,
            EmulatorProcess(work / "cold", extra_args=["--warm-model-servers", "0"]) as cold,
        ):
            targets = {
                name: (emu, _setup(emu, work / "model"))
                for name, emu in (("warm", warm), ("cold", cold))
            }
            assert warm.pid is not None
            for _ in range(args.rounds):
                times["floor"].append(floor_seconds(work / "model", row))
                wait_warm_idle(warm.pid)
                for name in ("warm", "cold"):
                    emu, ids = targets[name]
                    times[name].append(embedded_seconds(emu, ids[0], ids[1], row))
                if not args.no_mlflow:
                    times["mlflow"].append(mlflow_seconds(saved))
        del model
    med = {k: statistics.median(v) for k, v in times.items() if v}
    rows = [
        [label, med[key], min(times[key]), max(times[key]), med[key] / med["floor"]]
        for key, label in (
            ("floor", "fresh Python: joblib.load + predict"),
            ("warm", "embedded Vertex (warm server)"),
            ("cold", "embedded Vertex, --warm-model-servers 0"),
            ("mlflow", "mlflow models serve (cold start)"),
        )
        if key in med
    ]
    print(
        harness.table(
            f"(e) deploy -> first prediction, seconds ({args.rounds} rounds interleaved)",
            ["", "median", "min", "max", "x floor"],
            rows,
        )
    )
    if "mlflow" in med:
        print(f"\nembedded (warm) / MLflow: {med['warm'] / med['mlflow']:.2f} (goal <= 0.2)")
    print(f"embedded (warm) / floor: {med['warm'] / med['floor']:.2f} (goal <= 1.0)")


if __name__ == "__main__":
    main()
