"""What the extension adds to JupyterLab: server start-up and time to an idle page (issue 17, g).

Two JupyterLab servers from the same venv, side by side, differing only in the extension:

- with: the server extension (and its embedded Vertex) enabled, the labextension served;
- without: the server extension disabled and the labextension not on the labextensions path
  (both set in a temporary JUPYTER_CONFIG_DIR; the user's config is not read or changed).

Each round runs both, one at a time (order alternating): start, timing process start ->
``/api/status`` answering, then open ``/lab`` in Chromium in a fresh browser context (a cold
cache) at once, timing navigation start -> idle page (layout restored and the last script or
stylesheet received; benchmarks/lab_idle_page.mjs), then stop. Medians and ratios; goal <= 1.10x.
Every round has fresh workspaces, settings and data (nothing restored from an earlier one).

    JUPYTER_PATH=$PWD/.jupyter-share python benchmarks/bench_lab_idle.py [--rounds 5] [--port 8941]
        [--settled]

(JUPYTER_PATH first: this checkout's labextension build, as the UI tests load it.)
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from harness import ROOT, free_port, table
from jupyter_core.paths import jupyter_path

GOAL_RATIO = 1.10
TIMEOUT_SECONDS = 180.0
LABEXTENSION = "jupyter-vertex"
SIDES = ("with", "without")


def labextensions(folder: Path, *, leave_out: str | None) -> Path:
    """A labextensions folder of links to every installed one (first on the path wins)."""
    folder.mkdir(parents=True)
    for base in map(Path, jupyter_path("labextensions")):
        if not base.is_dir():
            continue
        for entry in sorted(base.iterdir()):
            names = sorted(entry.iterdir()) if entry.name.startswith("@") else [entry]
            for source in names:
                name = str(source.relative_to(base))
                link = folder / name
                if name == leave_out or link.exists():
                    continue
                link.parent.mkdir(parents=True, exist_ok=True)
                link.symlink_to(source.resolve())
    return folder


def _get(port: int, path: str, token: str) -> tuple[int, bytes]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"token {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


class Lab:
    """One JupyterLab server of a side, started in a fresh folder."""

    def __init__(self, side: str, folder: Path, port: int, extensions: Path) -> None:
        self.side, self.port, self.token = side, port, secrets.token_hex(16)
        config = folder / "config"
        config.mkdir(parents=True)
        settings: dict[str, dict[str, object]] = {
            "LabApp": {"labextensions_path": [str(extensions)], "extra_labextensions_path": []},
            # Same for both sides: language-server autodetection is JupyterLab's own cost.
            "LanguageServerManager": {"autodetect": False},
            "VertexApp": {"data_dir": str(folder / "vertex")},
        }
        if side == "without":
            settings["ServerApp"] = {"jpserver_extensions": {"jupyter_vertex": False}}
        (config / "jupyter_server_config.json").write_text(json.dumps(settings))
        (folder / "root").mkdir()
        self.env = {
            **os.environ,
            "JUPYTER_CONFIG_DIR": str(config),
            "JUPYTER_RUNTIME_DIR": str(folder / "runtime"),
            "TMPDIR": str(folder),
        }
        self.args = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            f"--port={port}",
            "--port-retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={folder / 'root'}",
            "--LabApp.expose_app_in_browser=True",
            "--ServerApp.log_level=WARN",
            *(["--allow-root"] if os.getuid() == 0 else []),
        ]
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        """Seconds from process start until ``/api/status`` answers 200."""
        started = time.perf_counter()
        self.process = subprocess.Popen(
            self.args,
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        while True:
            try:
                if _get(self.port, "/api/status", self.token)[0] == 200:
                    return time.perf_counter() - started
            except OSError:  # not listening yet
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.side}: jupyter lab ended ({self.process.returncode})")
            if time.perf_counter() - started > TIMEOUT_SECONDS:
                raise TimeoutError(f"{self.side}: no /api/status in {TIMEOUT_SECONDS:g} s")
            time.sleep(0.02)

    def check(self) -> None:
        """The sides differ as meant: the extension's API and labextension only in `with`."""
        api = _get(self.port, "/jupyter-vertex/api/status", self.token)[0]
        page = _get(self.port, "/lab", self.token)[1].decode()
        served = f'"name": "{LABEXTENSION}"' in page or f'"name":"{LABEXTENSION}"' in page
        expected = self.side == "with"
        if (api == 200) != expected or served != expected:
            raise RuntimeError(f"{self.side}: extension API {api}, labextension served {served}")

    def wait_settled(self) -> None:
        """Until the embedded Vertex reports running (`with`; nothing to wait for `without`)."""
        deadline = time.perf_counter() + TIMEOUT_SECONDS
        while self.side == "with":
            status, body = _get(self.port, "/jupyter-vertex/api/status", self.token)
            if status == 200 and (json.loads(body).get("emulator") or {}).get("state") == "running":
                return
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{self.side}: the embedded Vertex is not running")
            time.sleep(0.1)

    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/lab?token={self.token}"

    def stop(self) -> None:
        if self.process is None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def idle_pages(labs: list[Lab]) -> dict[str, dict[str, float]]:
    targets = [{"name": lab.side, "url": lab.url()} for lab in labs]
    script = Path(__file__).with_name("lab_idle_page.mjs")
    out = subprocess.run(
        ["node", str(script), json.dumps(targets)],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    ).stdout
    result: dict[str, dict[str, float]] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--port", type=int, default=0, help="first of two ports (0: free ones)")
    parser.add_argument(
        "--settled",
        action="store_true",
        help="open the pages once the embedded Vertex runs (its start-up no longer competes "
        "for the CPU with the page's)",
    )
    options = parser.parse_args()
    ports = {
        "with": options.port or free_port(),
        "without": options.port + 1 if options.port else free_port(),
    }
    start: dict[str, list[float]] = {side: [] for side in SIDES}
    idle: dict[str, list[float]] = {side: [] for side in SIDES}
    scripts: dict[str, list[float]] = {side: [] for side in SIDES}
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-lab-idle-") as tmp:
        extensions = {
            "with": labextensions(Path(tmp) / "labext-with", leave_out=None),
            "without": labextensions(Path(tmp) / "labext-without", leave_out=LABEXTENSION),
        }
        for round_ in range(options.rounds):
            order = list(SIDES) if round_ % 2 == 0 else list(reversed(SIDES))
            folder = Path(tmp) / f"round-{round_}"
            # One side at a time: the embedded Vertex's start-up competes for the CPU with
            # its own server and page only, not with the other side's.
            for side in order:
                lab = Lab(side, folder / side, ports[side], extensions[side])
                try:
                    start[side].append(lab.start())
                    lab.check()
                    if options.settled:
                        lab.wait_settled()
                    result = idle_pages([lab])[side]
                    idle[side].append(result["ms"] / 1000)
                    scripts[side].append(result["scripts"])
                finally:
                    lab.stop()
            shutil.rmtree(folder, ignore_errors=True)
            latest = {side: [round(start[side][-1], 2), round(idle[side][-1], 2)] for side in SIDES}
            print(f"round {round_ + 1} (start-up s, idle page s): {latest}", flush=True)
    rows = []
    for name, values in (("server start-up (s)", start), ("time to idle page (s)", idle)):
        with_, without = (statistics.median(values[side]) for side in SIDES)
        # Each round's two sides ran under the same load: their ratio is steadier than
        # the ratio of medians when the machine's load moves between rounds.
        paired = statistics.median(
            w / wo for w, wo in zip(values["with"], values["without"], strict=True)
        )
        rows.append(
            [
                name,
                f"{with_:.2f}",
                f"{without:.2f}",
                f"{with_ / without:.2f}x",
                f"{paired:.2f}x",
                "met" if max(paired, with_ / without) <= GOAL_RATIO else "NOT met",
            ]
        )
    rows.append(
        [
            "scripts fetched by the page",
            f"{statistics.median(scripts['with']):.0f}",
            f"{statistics.median(scripts['without']):.0f}",
            "",
            "",
            "",
        ]
    )
    print(
        table(
            f"JupyterLab with vs without jupyter_vertex, medians of {options.rounds} rounds"
            f"{', pages opened once the embedded Vertex runs' if options.settled else ''} "
            f"(load average {load:.1f} at start, {os.getloadavg()[0]:.1f} at end)",
            ["", "with", "without", "ratio", "per-round ratio", f"goal <= {GOAL_RATIO:.2f}x"],
            rows,
        )
    )
    for name, values in (("start-up s", start), ("idle page s", idle)):
        for side in SIDES:
            print(f"{name} {side}: " + ", ".join(f"{v:.2f}" for v in values[side]))


if __name__ == "__main__":
    main()
