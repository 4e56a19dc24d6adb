"""How long a second ``make lab`` takes to a usable JupyterLab, beside plain ``jupyter lab``.

Issue 12's set-up goal: with nothing changed, a second ``make lab`` starts JupyterLab in
under 10 s. Both sides start the same JupyterLab (same venv, same workspace folder, the
extension and its embedded Vertex enabled) and are timed from the command's start until
``/lab`` answers 200 and ``/jupyter-vertex/api/status`` answers with the backend; the difference
is what ``make lab`` itself costs (its install checks and the workspace step).

The first ``make lab`` of a run may install (a new extra, changed inputs): it runs once
before the rounds and is reported apart. Rounds alternate the two sides.

    python benchmarks/bench_lab_start.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import statistics
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from harness import ROOT, free_port

GOAL_SECONDS = 10.0
TIMEOUT_SECONDS = 900.0


def _ready(port: int, token: str) -> bool:
    headers = {"Authorization": f"token {token}"}
    try:
        for path in ("/lab", "/jupyter-vertex/api/status"):
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
            with urllib.request.urlopen(request, timeout=2) as answer:
                if answer.status != 200:
                    return False
                if path.endswith("status") and "backend" not in json.loads(answer.read()):
                    return False
    except Exception:  # not up yet
        return False
    return True


def time_start(command: list[str], workspace: Path, env: dict[str, str]) -> float:
    """Seconds from starting ``command`` until its JupyterLab is usable; then stops it."""
    port, token = free_port(), secrets.token_hex(16)
    args = [
        *command,
        "--no-browser",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
        "--ServerApp.log_level=WARN",
    ]
    started = time.perf_counter()
    process = subprocess.Popen(
        args,
        cwd=ROOT,
        env={**env, "WORKSPACE": str(workspace)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        while not _ready(port, token):
            if process.poll() is not None:
                raise RuntimeError(f"{command[0]} ended with status {process.returncode}")
            if time.perf_counter() - started > TIMEOUT_SECONDS:
                raise TimeoutError(f"{' '.join(command)} was not ready in {TIMEOUT_SECONDS:g} s")
            time.sleep(0.05)
        return time.perf_counter() - started
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    env = dict(os.environ)
    make_lab = ["bash", str(ROOT / "scripts" / "lab.sh")]
    with tempfile.TemporaryDirectory(prefix="bench-lab-") as tmp:
        workspace = Path(tmp) / "workspace"
        plain = [str(Path(env.get("VENV", ROOT / ".venv")) / "bin" / "jupyter"), "lab"]
        plain += [f"--notebook-dir={workspace}"]
        if os.getuid() == 0:
            plain.append("--allow-root")
        first = time_start(make_lab, workspace, env)
        sides: dict[str, list[float]] = {"make lab (second run)": [], "jupyter lab": []}
        for round_ in range(options.rounds):
            order = list(sides) if round_ % 2 == 0 else list(reversed(sides))
            for name in order:
                command = make_lab if name.startswith("make") else plain
                sides[name].append(time_start(command, workspace, env))
    median = {name: statistics.median(values) for name, values in sides.items()}
    print(f"first make lab of this run (may install): {first:.1f} s")
    print(f"{'side':<24}{'median s':>10}{'all rounds s':>28}")
    for name, values in sides.items():
        rounds = ", ".join(f"{value:.1f}" for value in values)
        print(f"{name:<24}{median[name]:>10.1f}{rounds:>28}")
    overhead = median["make lab (second run)"] - median["jupyter lab"]
    verdict = "met" if median["make lab (second run)"] < GOAL_SECONDS else "NOT met"
    print(f"make lab's own cost: {overhead:.1f} s")
    print(f"goal: a second make lab usable in < {GOAL_SECONDS:g} s: {verdict}")


if __name__ == "__main__":
    main()
