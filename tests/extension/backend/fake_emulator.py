"""A stand-in for the embedded Vertex CLI, following its process contract only.

``python fake_emulator.py --host H --port N --storage-port M --data-dir D``: listens on N,
writes ``D/connection.json`` (token kept in ``D/token``), prints the ready line, runs
until SIGTERM. ``FAKE_EMULATOR_MODE`` makes it misbehave: ``crash`` (exit 3 before ready),
``hang`` (never ready), ``stubborn`` (ignores SIGTERM), ``chatty`` (floods its output).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--storage-port", type=int, default=0)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--parent-pid", type=int, default=None)
    args = parser.parse_args()
    mode = os.environ.get("FAKE_EMULATOR_MODE", "ok")
    data = Path(args.data_dir)
    data.mkdir(parents=True, exist_ok=True)
    with (data / "starts").open("a") as f:
        f.write(
            f"{os.getpid()} {args.port} {os.environ.get('JUPYTER_VERTEX_EMULATOR_TOKEN')}"
            f" {args.parent_pid}\n"
        )
    print("fake emulator starting", flush=True)
    if mode == "crash":
        print("boom: cannot start", flush=True)
        sys.exit(3)
    if mode == "hang":
        time.sleep(3600)
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((args.host, args.port))
    server.listen()
    storage = socket.socket()
    storage.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    storage.bind((args.host, args.storage_port))
    storage.listen()
    token_file = data / "token"
    if not token_file.exists():
        token_file.write_text(secrets.token_urlsafe(16))
        token_file.chmod(0o600)
    info = {
        "url": f"http://{args.host}:{server.getsockname()[1]}",
        "storage_url": f"http://{args.host}:{storage.getsockname()[1]}",
        "pid": os.getpid(),
    }
    (data / "connection.json").write_text(json.dumps({**info, "token": token_file.read_text()}))
    if mode == "stubborn":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    else:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("JUPYTER_VERTEX_EMULATOR_READY " + json.dumps(info), flush=True)
    if mode == "chatty":
        for i in range(20000):
            print(f"log line {i} " + "x" * 100, flush=False)
        sys.stdout.flush()
    while True:
        time.sleep(1)


if __name__ == "__main__":
    main()
