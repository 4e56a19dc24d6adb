"""Benchmark (issue 14): a batch prediction job over N digits rows (jsonl, 2 replicas) against
the extension's bulk online path and an in-process floor; peak RSS growth of the embedded
Vertex while the job runs.

    python benchmarks/bench_batch.py                 # 1,000,000 rows (the issue's run)
    python benchmarks/bench_batch.py --rows 20000    # a quick check that it works

Goals (issue 14): the batch job at least 2x the bulk online path's rows/s and within 3x of
the in-process floor; RSS growth of the embedded Vertex under 100 MB. The floor does the
job's own work in one process: read the jsonl, predict in batches, write jsonl lines
(``predict only`` is shown beside it). The bulk path's request body holds every instance,
so it runs over ``--bulk-rows`` (default: at most 100,000) and is compared by rows/s.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402


class RssSampler:
    """Peak resident memory of a process, sampled every 0.1 s in a thread (from /proc)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.start = self.read()
        self.peak = self.start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def cpu(self) -> float:
        """CPU seconds (user + system) the process has used (/proc/PID/stat)."""
        import os

        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def read(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return 0

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, self.read())

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def floor_seconds(model: Any, path: Path, out: Path, batch: int) -> float:
    """Read the jsonl, predict each batch, write ``{"instance", "prediction"}`` lines."""
    import numpy as np

    start = time.perf_counter()
    with open(path, encoding="utf-8") as source, open(out, "w", encoding="utf-8") as sink:
        while True:
            lines = [line for _, line in zip(range(batch), source, strict=False)]
            if not lines:
                break
            rows = [json.loads(line) for line in lines]
            for row, p in zip(rows, model.predict(np.asarray(rows)).tolist(), strict=True):
                sink.write(json.dumps({"instance": row, "prediction": p}) + "\n")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--bulk-rows", type=int, default=0, help="default: min(rows, 100000)")
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=1_000)
    parser.add_argument("--chunk", type=int, default=2_000, help="bulk: instances per request")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    import numpy as np
    from google.cloud import aiplatform, storage  # type: ignore[attr-defined]

    features, _ = harness.digits()
    reps = -(-args.rows // len(features))
    rows = np.tile(features, (reps, 1))[: args.rows]
    bulk_rows = args.bulk_rows or min(args.rows, 100_000)
    with tempfile.TemporaryDirectory(prefix="jv-bench-batch-") as tmp:
        work = Path(tmp)
        source = work / "rows.jsonl"
        with open(source, "w", encoding="utf-8") as handle:
            for row in rows.tolist():
                handle.write(json.dumps(row) + "\n")
        with harness.embedded_vertex(work, replicas=args.replicas) as deployed:
            model = deployed.model
            start = time.perf_counter()
            model.predict(rows)
            predict_only = time.perf_counter() - start
            floor = floor_seconds(model, source, work / "floor.jsonl", args.batch_size)

            bucket_name = f"{harness.PROJECT}-batch-bench"
            client = storage.Client(project=harness.PROJECT)
            bucket = client.lookup_bucket(bucket_name) or client.create_bucket(bucket_name)
            bucket.blob("in/rows.jsonl").upload_from_filename(str(source))
            registered = aiplatform.Model.list(filter='display_name="bench-digits"')[0]
            assert deployed.pid is not None
            with RssSampler(deployed.pid) as rss:
                cpu_before = rss.cpu()
                start = time.perf_counter()
                job = registered.batch_predict(
                    job_display_name="bench-batch",
                    gcs_source=f"gs://{bucket_name}/in/rows.jsonl",
                    gcs_destination_prefix=f"gs://{bucket_name}/out",
                    instances_format="jsonl",
                    machine_type="n1-standard-2",
                    starting_replica_count=args.replicas,
                    max_replica_count=args.replicas,
                    batch_size=args.batch_size,
                    sync=False,
                )
                job.wait_for_resource_creation()
                while job.state not in (
                    aiplatform.gapic.JobState.JOB_STATE_SUCCEEDED,
                    aiplatform.gapic.JobState.JOB_STATE_FAILED,
                    aiplatform.gapic.JobState.JOB_STATE_CANCELLED,
                ):
                    time.sleep(0.2)
                    job._sync_gca_resource()
                batch_seconds = time.perf_counter() - start
                vertex_cpu = rss.cpu() - cpu_before
            assert job.state == aiplatform.gapic.JobState.JOB_STATE_SUCCEEDED, job.error
            stats, output = job.completion_stats, job.output_info
            resource = job.gca_resource
            # the job's own times: its servers start (create -> RUNNING), then it scores
            starting = (resource.start_time - resource.create_time).total_seconds()
            scoring = (resource.end_time - resource.start_time).total_seconds()
            assert stats is not None and output is not None
            assert stats.successful_count == args.rows, stats
            directory = output.gcs_output_directory
            first = storage.Blob.from_uri(f"{directory}/predictions_00001.jsonl", client=client)
            with first.open("r") as handle:
                head = [json.loads(next(handle))["prediction"] for _ in range(min(1000, args.rows))]
            assert head == model.predict(rows[: len(head)]).tolist()

            with harness.jupyter_server(deployed, work) as server:
                instances = rows[:bulk_rows].tolist()
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
            assert bulk["state"] == "SUCCEEDED", bulk.get("error")

    batch_rate = args.rows / batch_seconds
    bulk_rate = bulk_rows / bulk_seconds
    floor_rate = args.rows / floor
    growth_mb = (rss.peak - rss.start) / 2**20
    vs_bulk = batch_rate / bulk_rate
    vs_floor = floor_rate / batch_rate
    print(
        harness.table(
            f"batch prediction, {args.rows:,} digits rows (jsonl), {args.replicas} replicas, "
            f"batch size {args.batch_size:,}",
            ["way", "rows", "seconds", "rows/s"],
            [
                ["in-process predict only", args.rows, predict_only, args.rows / predict_only],
                ["in-process floor (read, predict, write)", args.rows, floor, floor_rate],
                ["batch prediction job", args.rows, batch_seconds, batch_rate],
                ["  of which servers starting (create -> RUNNING)", "", starting, ""],
                ["  of which scoring (RUNNING -> end)", args.rows, scoring, args.rows / scoring],
                [
                    f"extension bulk online (concurrency {args.concurrency})",
                    bulk_rows,
                    bulk_seconds,
                    bulk_rate,
                ],
                ["job / bulk", "", "", f"{vs_bulk:.2f} (goal >= 2: {_met(vs_bulk >= 2)})"],
                ["floor / job", "", "", f"{vs_floor:.2f} (goal <= 3: {_met(vs_floor <= 3)})"],
            ],
        )
    )
    print(
        harness.table(
            "embedded Vertex RSS during the job",
            ["start MB", "peak MB", "growth MB", "goal < 100 MB", "its CPU seconds"],
            [
                [
                    rss.start / 2**20,
                    rss.peak / 2**20,
                    growth_mb,
                    _met(growth_mb < 100),
                    vertex_cpu,
                ]
            ],
        )
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "rows": args.rows,
                    "batch_seconds": batch_seconds,
                    "batch_starting_seconds": starting,
                    "batch_scoring_seconds": scoring,
                    "bulk_rows": bulk_rows,
                    "bulk_seconds": bulk_seconds,
                    "floor_seconds": floor,
                    "predict_only_seconds": predict_only,
                    "rss_start": rss.start,
                    "rss_peak": rss.peak,
                    "vertex_cpu_seconds": vertex_cpu,
                },
                indent=2,
            )
        )


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


if __name__ == "__main__":
    main()
