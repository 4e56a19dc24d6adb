"""One training replica: ``python -m jupyter_vertex.emulator.training.replica_process DIR``.

A small wrapper the runner starts in its own session (so its process group is the
replica's whole process tree). It reads ``DIR/steps.json`` (argv lists, an environment,
and an optional ``notice``, logged first: e.g. that the accelerators asked for run on CPU),
runs the steps one after the other without a shell, stops at the first that fails, and
writes everything to files, never to pipes back to the emulator, so a replica outlives a
restart of the embedded Vertex and is followed again by the next one:

- ``DIR/replica.json``: ``{"pid": P}`` once started (``P`` is also the process group id);
- ``DIR/log.jsonl``: one JSON object per output line: ``t`` (RFC 3339), ``s`` (``INFO`` for
  stdout, ``ERROR`` for stderr), ``m`` (the line), ``n`` (a sequence number);
- ``DIR/exit.json``: ``{"exitCode": C, "endTime": T}`` when done (``C`` is 128+N for a step
  killed by signal N, as containers report it).

SIGTERM (the runner's cancel, sent to the whole group) reaches the running step directly;
the wrapper itself keeps going until the step ends, then records how it ended.

With ``relays`` in ``steps.json``, the steps reach the embedded Vertex through loopback
relays the wrapper runs (:mod:`.relay`), which follow it to its current address when a
restart gives it other ports.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from .relay import start_relays

STEPS = "steps.json"
PID = "replica.json"
LOG = "log.jsonl"
EXIT = "exit.json"


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def write_atomic(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)


class LogWriter:
    def __init__(self, path: Path) -> None:
        self._file = open(path, "a", encoding="utf-8")  # noqa: SIM115
        self._lock = threading.Lock()
        self._count = sum(1 for _ in open(path, encoding="utf-8"))

    def line(self, severity: str, text: str) -> None:
        with self._lock:
            self._count += 1
            record = {"t": _now(), "s": severity, "m": text, "n": self._count}
            self._file.write(json.dumps(record, ensure_ascii=False) + "\n")
            self._file.flush()

    def pump(self, stream: IO[bytes], severity: str) -> None:
        for raw in iter(stream.readline, b""):
            self.line(severity, raw.decode("utf-8", "replace").rstrip("\r\n"))
        stream.close()


def run(folder: Path) -> int:
    spec = json.loads((folder / STEPS).read_text(encoding="utf-8"))
    write_atomic(folder / PID, {"pid": os.getpid()})
    signal.signal(signal.SIGTERM, lambda *_: None)  # the step got it too; record its end
    log = LogWriter(folder / LOG)
    if spec.get("notice"):  # e.g. the accelerators asked for run on CPU here
        log.line("INFO", str(spec["notice"]))
    workdir = folder / "work"
    workdir.mkdir(exist_ok=True)
    env = dict(spec["env"])
    try:
        relays = start_relays(spec.get("relays"), env)
    except OSError as error:  # the steps keep the addresses they were given
        print(f"no relay to the embedded Vertex: {error}", file=sys.stderr, flush=True)
        env, relays = dict(spec["env"]), []
    code = 0
    for argv in spec["steps"]:
        try:
            child = subprocess.Popen(  # noqa: S603 - argv lists, never a shell
                argv,
                cwd=workdir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except OSError as error:
            log.line("ERROR", f"could not start {argv[0]}: {error}")
            code = 127
            break
        assert child.stdout is not None and child.stderr is not None
        pumps = [
            threading.Thread(target=log.pump, args=(child.stdout, "INFO"), daemon=True),
            threading.Thread(target=log.pump, args=(child.stderr, "ERROR"), daemon=True),
        ]
        for pump in pumps:
            pump.start()
        status = child.wait()
        for pump in pumps:
            pump.join(timeout=5)
        code = 128 - status if status < 0 else status
        if code != 0:
            break
    for relay in relays:
        relay.close()
    write_atomic(folder / EXIT, {"exitCode": code, "endTime": _now()})
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(
            "usage: python -m jupyter_vertex.emulator.training.replica_process DIR", file=sys.stderr
        )
        return 2
    return run(Path(args[0]))


if __name__ == "__main__":
    sys.exit(main())
