"""The embedded Vertex's predict hot path: one digits row, sequential requests over one
kept-alive connection, through the embedded Vertex's ``:predict`` vs straight to the model
server behind it. Prints p50/p99 of both and their difference (the emulator's overhead).

    python benchmarks/predict_hot_path.py [--requests 3000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import digits, embedded_vertex, post_json, sequential_ms  # noqa: E402

from jupyter_vertex.emulator.serving.modelserver import SOCKET_ENV  # noqa: E402
from jupyter_vertex.emulator.testing import model_servers  # noqa: E402


def _cpu_ms(pid: int) -> float:
    """CPU time (user + system, all threads) a process has used so far, in ms."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _server(deployed_id: str) -> tuple[int, str]:
    """(pid, unix socket) of the deployed model's server (its only address)."""
    for pid, environ in model_servers(deployed_id).items():
        return pid, environ[SOCKET_ENV]
    raise RuntimeError(f"no model server for {deployed_id}")


def _summary(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.99) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3000)
    args = parser.parse_args()
    features, _ = digits()
    body = json.dumps({"instances": features[:1].tolist()}).encode()
    with tempfile.TemporaryDirectory() as work, embedded_vertex(Path(work)) as deployed:
        headers = {**deployed.auth, "Content-Type": "application/json"}
        first = post_json(deployed.predict_url, json.loads(body), deployed.auth)["deployedModelId"]
        server_pid, server_socket = _server(first)
        emulator_pid = _parent(server_pid)
        before = _cpu_ms(emulator_pid), _cpu_ms(server_pid)
        via = sequential_ms(deployed.predict_url, body, headers, args.requests)
        after = _cpu_ms(emulator_pid), _cpu_ms(server_pid)
        n = args.requests + 200  # sequential_ms's warm-up requests count for CPU too
        emulator_cpu, server_cpu = (after[0] - before[0]) / n, (after[1] - before[1]) / n
        direct = sequential_ms(
            "http://localhost/predict",
            body,
            {"Content-Type": "application/json"},
            args.requests,
            unix_socket=server_socket,
        )
    (v50, v99), (d50, d99) = _summary(via), _summary(direct)
    print(f"requests: {args.requests} sequential, one digits row, one kept-alive connection")
    print(f"through the embedded Vertex: p50 {v50:.2f} ms  p99 {v99:.2f} ms")
    print(f"straight to the model server: p50 {d50:.2f} ms  p99 {d99:.2f} ms")
    print(f"overhead: p50 +{v50 - d50:.2f} ms")
    print(
        f"CPU per request through the embedded Vertex: emulator {emulator_cpu:.3f} ms, "
        f"model server {server_cpu:.3f} ms (less sensitive to machine load than latency)"
    )


if __name__ == "__main__":
    main()
