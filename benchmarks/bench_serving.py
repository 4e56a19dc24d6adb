"""Benchmarks (a), (b) and (d): the embedded endpoint against `mlflow models serve` on the same
scikit-learn model; predict through the extension against straight at the endpoint; the
Jupyter server's event-loop lag meanwhile.

    benchmarks/run.sh serving        # or: python benchmarks/bench_serving.py

Goals (issues 4 and 17): (a) at least 2x MLflow's req/s at 1 connection and 3x at 8, and a
p50 within 1 ms of an in-process ``predict``; (b) the extension's own cost, its p50 less the
direct p50 and less Jupyter's authenticated no-op p50 (Jupyter's own floor is not this
project's to remove), at most 0.2 ms at one row; (d) the Jupyter server's event-loop lag
p99 at most 10 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

MLFLOW_VENV = Path(os.environ.get("MLFLOW_VENV", harness.ROOT / ".cache" / "bench" / "mlflow"))


def save_mlflow(model_dir: Path, saved: Path) -> None:
    """The digits model (model.joblib) saved in MLflow's format, by MLflow's own venv."""
    code = (
        "import joblib, mlflow.sklearn, sys; "
        "mlflow.sklearn.save_model(joblib.load(sys.argv[1]), sys.argv[2])"
    )
    python = MLFLOW_VENV / "bin" / "python"
    subprocess.run(
        [str(python), "-c", code, str(model_dir / "model.joblib"), str(saved)], check=True
    )


def start_mlflow(saved: Path, port: int, output: Any) -> subprocess.Popen[bytes]:
    """`mlflow models serve` of a saved MLflow model on 127.0.0.1:port, in its own session."""
    return subprocess.Popen(
        [
            str(MLFLOW_VENV / "bin" / "mlflow"),
            "models",
            "serve",
            "-m",
            str(saved),
            "-p",
            str(port),
            "-h",
            "127.0.0.1",
            "--env-manager",
            "local",
        ],
        stdout=output,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PATH": f"{MLFLOW_VENV / 'bin'}:{os.environ['PATH']}"},
        start_new_session=True,
    )


def mlflow_serve(model_dir: Path, work: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Save the same model in MLflow's format (in MLflow's own venv) and serve it."""
    python = MLFLOW_VENV / "bin" / "python"
    if not python.exists():
        raise SystemExit(f"MLflow's venv is missing at {MLFLOW_VENV}: run benchmarks/run.sh")
    saved = work / "mlflow-model"
    save_mlflow(model_dir, saved)
    port = harness.free_port()
    process = start_mlflow(saved, port, (work / "mlflow.log").open("wb"))
    url = f"http://127.0.0.1:{port}"
    harness.wait_http(f"{url}/ping", timeout=120)
    return process, f"{url}/invocations"


def stop(process: subprocess.Popen[bytes]) -> None:
    import signal

    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


SIZES = ((1, 1000), (100, 300), (1000, 60))  # digits rows per request, requests per round


def by_size(
    deployed: Any, server: Any, extension_url: str, features: Any, rounds: int
) -> list[dict[str, Any]]:
    """(b) at more than one row: the extension's fixed cost against what grows with the body
    (reading it, checking every instance, JSON on both sides)."""
    out = []
    json_headers = {"Content-Type": "application/json"}
    for rows, n in SIZES:
        data = json.dumps({"instances": features[:rows].tolist()}).encode()
        found = harness.interleaved(
            {
                "direct": lambda d=data, n=n: harness.sequential(  # type: ignore[misc]
                    deployed.predict_url, d, {**deployed.auth, **json_headers}, n, warm=5
                ),
                "extension": lambda d=data, n=n: harness.sequential(  # type: ignore[misc]
                    extension_url, d, {**server.auth, **json_headers}, n, warm=5
                ),
            },
            rounds,
        )
        direct_ms, extension_ms = found["direct"].p50_ms, found["extension"].p50_ms
        out.append(
            {
                "rows": rows,
                "bytes": len(data),
                "direct_ms": direct_ms,
                "extension_ms": extension_ms,
                "ratio": extension_ms / direct_ms,
            }
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=5, help="per wrk run")
    parser.add_argument(
        "--rounds", type=int, default=3, help="interleaved runs per side (medians reported)"
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    features, _ = harness.digits()
    row = [float(x) for x in features[0]]
    body = {"instances": [row]}
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="jv-bench-") as tmp:
        work = Path(tmp)
        with harness.embedded_vertex(work) as deployed:
            # The same answer from both, or the comparison means nothing.
            expected = int(deployed.model.predict([features[0]])[0])
            answer = harness.post_json(deployed.predict_url, body, deployed.auth)
            assert int(float(answer["predictions"][0])) == expected, answer
            mlflow, mlflow_url = mlflow_serve(work / "model", work)
            try:
                answer = harness.post_json(mlflow_url, body, {})
                assert int(float(answer["predictions"][0])) == expected, answer
                in_process = harness.in_process_p50_ms(deployed.model, features[0])
                with harness.jupyter_server(deployed, work) as server:
                    extension_url = server.api(f"endpoints/{deployed.endpoint_id}/predict")
                    answer = harness.post_json(extension_url, body, server.auth)
                    assert int(float(answer["predictions"][0])) == expected, answer
                    rows = []
                    server.lag(reset=True)
                    for connections in (1, 8):
                        pair = harness.interleaved(
                            {
                                "ours": lambda c=connections: harness.wrk(  # type: ignore[misc]
                                    deployed.predict_url, body, deployed.auth, c, args.seconds
                                ),
                                "theirs": lambda c=connections: harness.wrk(  # type: ignore[misc]
                                    mlflow_url, body, {}, c, args.seconds
                                ),
                            },
                            args.rounds,
                        )
                        ours, theirs = pair["ours"], pair["theirs"]
                        results[f"c{connections}"] = {
                            "embedded": vars(ours),
                            "mlflow": vars(theirs),
                        }
                        rows.append(
                            [
                                connections,
                                "embedded Vertex",
                                ours.requests_per_second,
                                ours.p50_ms,
                                ours.p99_ms,
                            ]
                        )
                        rows.append(
                            [
                                connections,
                                "mlflow models serve",
                                theirs.requests_per_second,
                                theirs.p50_ms,
                                theirs.p99_ms,
                            ]
                        )
                    lag_a = server.lag(reset=True)
                    found = harness.interleaved(
                        {
                            "direct": lambda: harness.wrk(
                                deployed.predict_url, body, deployed.auth, 1, args.seconds
                            ),
                            "through": lambda: harness.wrk(
                                extension_url, body, server.auth, 1, args.seconds
                            ),
                            # What any authenticated Jupyter API request costs, doing nothing.
                            "floor": lambda: harness.wrk(
                                f"{server.url}/bench-noop", body, server.auth, 1, args.seconds
                            ),
                        },
                        args.rounds,
                    )
                    direct, through, floor = found["direct"], found["through"], found["floor"]
                    sized = by_size(deployed, server, extension_url, features, args.rounds)
                    lag_b = server.lag(reset=True)
            finally:
                stop(mlflow)
    results.update(
        by_size=sized,
        in_process_p50_ms=in_process,
        direct=vars(direct),
        extension=vars(through),
        jupyter_noop=vars(floor),
        lag_a=lag_a,
        lag_b=lag_b,
    )

    print(
        harness.table(
            "(a) embedded endpoint vs mlflow models serve (one digits row; medians of "
            f"{args.rounds} interleaved {args.seconds} s wrk runs per side)",
            ["connections", "server", "req/s", "p50 ms", "p99 ms"],
            rows,
        )
    )
    c1, c8 = results["c1"], results["c8"]
    ratio1 = c1["embedded"]["requests_per_second"] / c1["mlflow"]["requests_per_second"]
    ratio8 = c8["embedded"]["requests_per_second"] / c8["mlflow"]["requests_per_second"]
    gap = c1["embedded"]["p50_ms"] - in_process
    print(
        harness.table(
            "(a) ratios",
            ["measure", "value", "goal", "met"],
            [
                ["req/s ratio, 1 connection", ratio1, ">= 2", ratio1 >= 2],
                ["req/s ratio, 8 connections", ratio8, ">= 3", ratio8 >= 3],
                ["in-process predict p50 ms", in_process, "", ""],
                ["endpoint p50 - in-process p50, ms", gap, "<= 1", gap <= 1],
            ],
        )
    )
    own = through.p50_ms - direct.p50_ms - floor.p50_ms
    print(
        harness.table(
            "(b) predict through the extension vs directly (1 connection; medians of "
            f"{args.rounds} interleaved {args.seconds} s wrk runs)",
            ["path", "req/s", "p50 ms", "p99 ms"],
            [
                ["embedded endpoint", direct.requests_per_second, direct.p50_ms, direct.p99_ms],
                ["extension API", through.requests_per_second, through.p50_ms, through.p99_ms],
                [
                    "Jupyter no-op API POST (floor)",
                    floor.requests_per_second,
                    floor.p50_ms,
                    floor.p99_ms,
                ],
                [
                    "extension's own cost: its p50 - direct - floor, ms",
                    "",
                    own,
                    f"goal <= 0.2: {'met' if own <= 0.2 else 'NOT met'}",
                ],
            ],
        )
    )
    print(
        harness.table(
            "(b) by request size (p50 of sequential requests over one connection; medians of "
            f"{args.rounds} interleaved rounds)",
            ["rows", "bytes", "direct p50 ms", "extension p50 ms", "ratio"],
            [[r["rows"], r["bytes"], r["direct_ms"], r["extension_ms"], r["ratio"]] for r in sized],
        )
    )
    print(
        harness.table(
            "(d) Jupyter server event-loop lag",
            ["while", "samples", "p50 ms", "p99 ms", "max ms"],
            [
                ["(a) runs", lag_a["samples"], lag_a["p50_ms"], lag_a["p99_ms"], lag_a["max_ms"]],
                ["(b) runs", lag_b["samples"], lag_b["p50_ms"], lag_b["p99_ms"], lag_b["max_ms"]],
            ],
        )
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
