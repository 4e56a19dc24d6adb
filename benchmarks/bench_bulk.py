"""Benchmarks (c) and (d): bulk predict of 100,000 digits rows through the extension against a
plain loop of SDK ``endpoint.predict`` calls over the same chunks; the Jupyter server's
event-loop lag while the bulk prediction runs.

    benchmarks/run.sh bulk        # or: python benchmarks/bench_bulk.py

Goals (issue 4): (c) at least 3x the rows per second; (d) event-loop lag p99 at most 10 ms.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=2_000, help="instances per request, both ways")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    import numpy as np
    from google.cloud import aiplatform

    features, _ = harness.digits()
    reps = -(-args.rows // len(features))
    rows = np.tile(features, (reps, 1))[: args.rows]
    instances = rows.tolist()
    with tempfile.TemporaryDirectory(prefix="jv-bench-") as tmp:
        work = Path(tmp)
        with harness.embedded_vertex(work, replicas=args.replicas) as deployed:
            expected = [int(x) for x in deployed.model.predict(rows)]
            endpoint = aiplatform.Endpoint(deployed.endpoint_name)

            start = time.perf_counter()
            looped: list[Any] = []
            for first in range(0, len(instances), args.chunk):
                looped.extend(
                    endpoint.predict(instances=instances[first : first + args.chunk]).predictions
                )
            loop_seconds = time.perf_counter() - start
            assert [int(float(x)) for x in looped] == expected

            with harness.jupyter_server(deployed, work) as server:
                # One online predict first: the server's first use imports Google's client
                # libraries and opens the session (a one-off cost, not the bulk's).
                answer = harness.post_json(
                    server.api(f"endpoints/{deployed.endpoint_id}/predict"),
                    {"instances": instances[:1]},
                    server.auth,
                )
                assert [int(float(x)) for x in answer["predictions"]] == expected[:1]
                server.lag(reset=True)
                start = time.perf_counter()
                bulk = harness.post_json(
                    server.api(f"endpoints/{deployed.endpoint_id}/bulkPredictions"),
                    {
                        "instances": instances,
                        "concurrency": args.concurrency,
                        "maxInstancesPerRequest": args.chunk,
                    },
                    server.auth,
                )
                while bulk["state"] == "RUNNING":
                    time.sleep(0.05)
                    bulk = harness.get_json(
                        server.api(f"bulkPredictions/{bulk['id']}"), server.auth
                    )
                bulk_seconds = time.perf_counter() - start
                lag = server.lag(reset=True)
            assert bulk["state"] == "SUCCEEDED", bulk.get("error")
            assert [int(float(x)) for x in bulk["predictions"]] == expected

    loop_rate = len(instances) / loop_seconds
    bulk_rate = len(instances) / bulk_seconds
    ratio = bulk_rate / loop_rate
    print(
        harness.table(
            f"(c) {len(instances):,} digits rows, {args.chunk:,} per request, "
            f"{args.replicas} replicas",
            ["way", "seconds", "rows/s"],
            [
                ["loop of SDK endpoint.predict", loop_seconds, loop_rate],
                [f"extension bulk (concurrency {args.concurrency})", bulk_seconds, bulk_rate],
                ["ratio", "", f"{ratio:.2f} (goal >= 3: {'met' if ratio >= 3 else 'NOT met'})"],
            ],
        )
    )
    print(
        harness.table(
            "(d) Jupyter server event-loop lag during the bulk prediction",
            ["samples", "p50 ms", "p99 ms", "max ms", "goal p99 <= 10 ms"],
            [
                [
                    lag["samples"],
                    lag["p50_ms"],
                    lag["p99_ms"],
                    lag["max_ms"],
                    "met" if lag["p99_ms"] <= 10 else "NOT met",
                ]
            ],
        )
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "loop_seconds": loop_seconds,
                    "bulk_seconds": bulk_seconds,
                    "ratio": ratio,
                    "lag": lag,
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
