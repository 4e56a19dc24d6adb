"""The embedded Vertex's predict hot path: one digits row, sequential requests over one
kept-alive connection, through the embedded Vertex's ``:predict`` vs straight to the model
server behind it. Prints p50/p99 of both and their difference (the emulator's overhead).

    python benchmarks/predict_hot_path.py [--requests 3000]
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import digits, embedded_vertex  # noqa: E402


def _server_port(deployed_id: str) -> int:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"AIP_DEPLOYED_MODEL_ID={deployed_id}".encode() in environ:
            for item in environ:
                if item.startswith(b"AIP_HTTP_PORT="):
                    return int(item.split(b"=", 1)[1])
    raise RuntimeError(f"no model server for {deployed_id}")


def _latencies(url: str, path: str, body: bytes, headers: dict[str, str], n: int) -> list[float]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port)
    out = []
    for index in range(n + 200):
        start = time.perf_counter()
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        elapsed = (time.perf_counter() - start) * 1000
        if response.status != 200:
            raise RuntimeError(payload.decode())
        if index >= 200:  # warm-up excluded
            out.append(elapsed)
    conn.close()
    return out


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
        path = urlsplit(deployed.predict_url).path
        first = json.loads(
            _latencies_once(deployed.url, path, body, headers)  # the deployed model's id
        )["deployedModelId"]
        port = _server_port(first)
        via = _latencies(deployed.url, path, body, headers, args.requests)
        direct = _latencies(
            f"http://127.0.0.1:{port}",
            "/predict",
            body,
            {"Content-Type": "application/json"},
            args.requests,
        )
    (v50, v99), (d50, d99) = _summary(via), _summary(direct)
    print(f"requests: {args.requests} sequential, one digits row, one kept-alive connection")
    print(f"through the embedded Vertex: p50 {v50:.2f} ms  p99 {v99:.2f} ms")
    print(f"straight to the model server: p50 {d50:.2f} ms  p99 {d99:.2f} ms")
    print(f"overhead: p50 +{v50 - d50:.2f} ms")


def _latencies_once(url: str, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port)
    conn.request("POST", path, body=body, headers=headers)
    payload = conn.getresponse().read()
    conn.close()
    return payload


if __name__ == "__main__":
    main()
