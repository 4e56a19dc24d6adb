"""Shared pieces of the benchmarks: the digits model, the embedded Vertex with that model
deployed, a Jupyter server with the extension, wrk runs and the results table.

Benchmarks compare two things side by side in one run on one machine and report the ratio;
absolute numbers depend on the machine, ratios much less.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
SKLEARN_IMAGE = "us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest"
PROJECT = "bench-project"
LOCATION = "us-central1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def digits() -> tuple[Any, Any]:
    from sklearn.datasets import load_digits

    features, target = load_digits(return_X_y=True)
    return features, target


def train_digits(folder: Path) -> Any:
    """The model every benchmark serves: the tests' digits classifier, as model.joblib."""
    import joblib
    from sklearn.linear_model import LogisticRegression

    features, target = digits()
    model = LogisticRegression(max_iter=300).fit(features[:500], target[:500])
    folder.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, folder / "model.joblib")
    return model


def wait_http(url: str, timeout: float = 60.0, headers: dict[str, str] | None = None) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(url, headers=headers or {})
            with urllib.request.urlopen(request, timeout=2) as answer:
                if answer.status < 500:
                    return
        except Exception as exc:  # not up yet
            last = exc
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout:g} s: {last}")


def post_json(url: str, body: Any, headers: dict[str, str]) -> Any:
    data = json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": "application/json", **headers}
    )
    with urllib.request.urlopen(request, timeout=600) as answer:
        return json.loads(answer.read() or b"null")


def get_json(url: str, headers: dict[str, str]) -> Any:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.loads(answer.read())


@dataclass
class Deployed:
    """The embedded Vertex with the digits model deployed to one endpoint."""

    url: str
    token: str
    storage_url: str
    endpoint_name: str
    model: Any
    env: dict[str, str] = field(default_factory=dict)
    pid: int | None = None  # the embedded Vertex's process (its RSS is measured)

    @property
    def endpoint_id(self) -> str:
        return self.endpoint_name.rsplit("/", 1)[1]

    @property
    def predict_url(self) -> str:
        return f"{self.url}/v1/{self.endpoint_name}:predict"

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@contextlib.contextmanager
def embedded_vertex(work: Path, replicas: int = 1) -> Iterator[Deployed]:
    """Start the embedded Vertex, upload and deploy the digits model through the SDK."""
    from google.cloud import aiplatform

    import jupyter_vertex.emulator as emulator
    from jupyter_vertex.emulator.testing import EmulatorProcess

    model_dir = work / "model"
    model = train_digits(model_dir)
    extra = ["--max-replicas-per-model", str(max(replicas, 2))]
    with EmulatorProcess(work / "emulator", extra_args=extra) as emu:
        connection = emu.connection(PROJECT, LOCATION)
        env = connection.to_env()
        os.environ.update(env)
        emulator.init(project=PROJECT, location=LOCATION)
        uploaded = aiplatform.Model.upload(
            display_name="bench-digits",
            artifact_uri=str(model_dir),
            serving_container_image_uri=SKLEARN_IMAGE,
        )
        endpoint = aiplatform.Endpoint.create(display_name="bench")
        uploaded.deploy(
            endpoint=endpoint,
            machine_type="n1-standard-2",
            min_replica_count=replicas,
            max_replica_count=replicas,
        )
        yield Deployed(
            url=emu.url,
            token=emu.token,
            storage_url=emu.storage_url,
            endpoint_name=endpoint.resource_name,
            model=model,
            env=env,
            pid=emu.pid,
        )
        endpoint.undeploy_all()


@dataclass
class JupyterServer:
    url: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"}

    def api(self, path: str) -> str:
        return f"{self.url}/jupyter-vertex/api/{path}"

    def lag(self, reset: bool = False) -> dict[str, float]:
        answer: dict[str, float] = get_json(
            f"{self.url}/bench-lag" + ("?reset=1" if reset else ""), self.auth
        )
        return answer


@contextlib.contextmanager
def jupyter_server(deployed: Deployed, work: Path) -> Iterator[JupyterServer]:
    """A Jupyter server with the extension, on the benchmark's embedded Vertex, plus the
    event-loop lag probe (benchmarks/lag_probe.py)."""
    port = free_port()
    token = secrets.token_hex(16)
    root = work / "root"
    root.mkdir(parents=True, exist_ok=True)
    config = {
        "ServerApp": {
            "jpserver_extensions": {"jupyter_vertex": True, "lag_probe": True},
            "token": token,
            "port": port,
            "ip": "127.0.0.1",
            "open_browser": False,
            "root_dir": str(root),
            "allow_root": True,
        },
        "VertexApp": {
            "emulator_url": deployed.url,
            "emulator_token": deployed.token,
            "emulator_storage_url": deployed.storage_url,
            "project": PROJECT,
            "region": LOCATION,
        },
    }
    config_dir = work / "jupyter-config"
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "jupyter_server_config.json").write_text(json.dumps(config))
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(config_dir),
        "JUPYTER_CONFIG_PATH": str(config_dir),
        "JUPYTER_RUNTIME_DIR": str(work / "runtime"),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "benchmarks"), os.environ.get("PYTHONPATH", "")]),
    }
    log = (work / "jupyter.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter_server",
            "--config",
            str(config_dir / "jupyter_server_config.json"),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = JupyterServer(url=f"http://127.0.0.1:{port}", token=token)
    try:
        wait_http(server.api("status"), headers=server.auth)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@dataclass
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip()).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def wrk(url: str, body: Any, headers: dict[str, str], connections: int, seconds: int) -> WrkResult:
    """Load ``url`` with wrk (POST ``body``); refuse a run with any non-2xx answer."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk (benchmarks/run.sh does)")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        lines = ['wrk.method = "POST"', f"wrk.body = {json.dumps(json.dumps(body))}"]
        lines.append('wrk.headers["Content-Type"] = "application/json"')
        for key, value in headers.items():
            lines.append(f"wrk.headers[{json.dumps(key)}] = {json.dumps(value)}")
        script.write("\n".join(lines) + "\n")
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t",
                "1",
                "-c",
                str(connections),
                "-d",
                f"{seconds}s",
                "--latency",
                "-s",
                script.name,
                url,
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        os.unlink(script.name)
    if "Non-2xx" in out:
        raise RuntimeError(f"wrk saw failed requests at {url}:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    return WrkResult(rps, p50, p99, total)


def interleaved(runs: dict[str, Callable[[], WrkResult]], rounds: int) -> dict[str, WrkResult]:
    """Run each side ``rounds`` times, interleaved (the order rotates and flips each round so
    a change in the machine's load hits every side alike); per side the median req/s, p50
    and p99 of its rounds and the total of requests."""
    names = list(runs)
    results: dict[str, list[WrkResult]] = {name: [] for name in names}
    for index in range(rounds):
        order = names[index % len(names) :] + names[: index % len(names)]
        for name in reversed(order) if index % 2 else order:
            results[name].append(runs[name]())
    return {
        name: WrkResult(
            statistics.median(r.requests_per_second for r in found),
            statistics.median(r.p50_ms for r in found),
            statistics.median(r.p99_ms for r in found),
            sum(r.requests for r in found),
        )
        for name, found in results.items()
    }


def in_process_p50_ms(model: Any, row: Any, runs: int = 3000) -> float:
    import numpy as np

    array = np.asarray([row])
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        model.predict(array)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def table(title: str, header: list[str], rows: list[list[Any]]) -> str:
    cells = [header] + [
        [f"{c:.2f}" if isinstance(c, float) else str(c) for c in row] for row in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

    def line(row: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"

    out = [f"\n### {title}\n", line(cells[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(row) for row in cells[1:]]
    return "\n".join(out)


class _UnixConnection(http.client.HTTPConnection):
    """HTTP over a unix socket (a model server's only address)."""

    def __init__(self, path: str) -> None:
        super().__init__("localhost")
        self.socket_path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.socket_path)


def sequential_ms(
    url: str,
    body: bytes,
    headers: dict[str, str],
    n: int,
    warm: int = 200,
    unix_socket: str = "",
) -> list[float]:
    """Latencies (ms) of ``n`` POSTs of ``body`` to ``url`` (over ``unix_socket`` if given)
    one after the other over one kept-alive connection, after ``warm`` not counted; any
    answer but 200 fails."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    conn = (
        _UnixConnection(unix_socket)
        if unix_socket
        else http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port)
    )
    out = []
    for index in range(n + warm):
        start = time.perf_counter()
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        elapsed = (time.perf_counter() - start) * 1000
        if response.status != 200:
            raise RuntimeError(payload.decode(errors="replace")[:500])
        if index >= warm:
            out.append(elapsed)
    conn.close()
    return out


def sequential(url: str, body: bytes, headers: dict[str, str], n: int, warm: int) -> WrkResult:
    """:func:`sequential_ms` summed up like a wrk run (for :func:`interleaved`)."""
    found = sorted(sequential_ms(url, body, headers, n, warm))
    return WrkResult(
        requests_per_second=1000 * len(found) / sum(found),
        p50_ms=statistics.median(found),
        p99_ms=found[max(0, int(len(found) * 0.99) - 1)],
        requests=len(found),
    )
