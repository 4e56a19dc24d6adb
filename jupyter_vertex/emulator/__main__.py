"""``jupyter-vertex-emulator``: run the embedded Vertex AI as a standalone process.

    jupyter-vertex-emulator --data-dir D [--port N] [--host 127.0.0.1] [--storage-port M]
    jupyter-vertex-emulator env [--data-dir D]    # eval "$(...)": the shell exports to reach it

See docs/emulator.md.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shlex
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

# Before grpc is imported (by .server): this process forks its children with a preexec_fn
# while its gRPC port holds connections, and gRPC's fork handlers, on unless this says "0"
# when grpc starts, then run in each child and break those connections (TLS records
# corrupted, sockets shut: grpc/grpc#28557). Seen here in 5 of 1,800 calls; none with "0".
os.environ["GRPC_ENABLE_FORK_SUPPORT"] = "0"

from .core.connection import EmulatorConnection  # noqa: E402
from .server import ConfigurationError, Settings, serve  # noqa: E402

#: The default of --warm-model-servers (a test suite starting many short-lived embedded
#: Vertexes sets it to 0: each would import a model server's libraries for nothing).
WARM_ENV = "JUPYTER_VERTEX_WARM_MODEL_SERVERS"


def run_loop(main: Coroutine[Any, Any, None]) -> None:
    """Run on uvloop where it exists (it comes with uvicorn[standard], the SDK's model server's
    own dependency): measured, the predict hot path costs ~15% less CPU per request there
    (0.52 vs 0.63 ms) than on asyncio's default loop."""
    if sys.platform == "win32":
        asyncio.run(main)
        return
    import uvloop

    uvloop.run(main)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="jupyter-vertex-emulator",
        description="A local Vertex AI (REST API v1) for the Google Cloud client libraries.",
    )
    parser.add_argument("--data-dir", required=True, type=Path, help="state folder")
    parser.add_argument("--port", type=int, default=0, help="API port (0: pick a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    parser.add_argument(
        "--storage-port", type=int, default=0, help="local Cloud Storage port (0: pick one)"
    )
    parser.add_argument(
        "--grpc-port", type=int, default=0, help="the API's gRPC port, TLS (0: pick one)"
    )
    parser.add_argument(
        "--log-level",
        default="WARNING",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="log level on stderr (DEBUG logs every request)",
    )
    parser.add_argument(
        "--operation-delay",
        type=float,
        default=0.0,
        help="finish long-running operations after this many seconds instead of at once "
        "(to exercise clients' polling)",
    )
    parser.add_argument(
        "--parent-pid",
        type=int,
        default=None,
        help="exit when this process (the supervisor) is no longer the parent",
    )
    parser.add_argument(
        "--training-python",
        default=sys.executable,
        help="the Python interpreter that runs Vertex's prebuilt training images "
        "(default: this interpreter)",
    )
    parser.add_argument(
        "--image-python",
        action="append",
        default=[],
        metavar="PREFIX=PATH",
        help="run training images whose URI starts with PREFIX with the interpreter PATH "
        "(repeatable; the longest matching prefix wins)",
    )
    parser.add_argument(
        "--max-concurrent-jobs",
        type=int,
        default=2,
        help="training jobs that run at once; the others stay QUEUED (default 2)",
    )
    parser.add_argument(
        "--max-replicas-per-model",
        type=int,
        default=2,
        help="model server processes per deployed model at most; min_replica_count is "
        "capped to it (default 2)",
    )
    parser.add_argument(
        "--warm-model-servers",
        type=int,
        default=os.environ.get(WARM_ENV, "1"),
        metavar="N",
        help="model server processes kept started ahead of need, their imports done, so "
        f"that a deploy answers in about a second (default: ${WARM_ENV} or 1; 0: start each "
        "one on deploy)",
    )
    parser.add_argument(
        "--autoscale-window",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="autoscaling measures the requests in flight per model server over windows of "
        "this length (default 60)",
    )
    parser.add_argument(
        "--scale-in-delay",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="stop a model server only after the load has stayed low this long (default 300)",
    )
    parser.add_argument(
        "--batch-shard-bytes",
        type=int,
        default=4 * 2**20,
        metavar="BYTES",
        help="batch prediction jobs over jsonl: the most input bytes one model server scores "
        "at a time (default 4 MiB)",
    )
    parser.add_argument(
        "--instance-python",
        default=sys.executable,
        help="the Python interpreter that runs Workbench instances' Jupyter servers (it needs "
        "jupyter_server; jupyterlab for /lab; default: this interpreter)",
    )
    parser.add_argument(
        "--instance-ports",
        default=None,
        metavar="LOW-HIGH",
        help="ports Workbench instances' Jupyter servers may listen on (default: any free one)",
    )
    return parser.parse_args(argv)


def image_pythons(values: list[str]) -> tuple[tuple[str, str], ...]:
    pairs = []
    for value in values:
        prefix, sep, path = value.partition("=")
        if not sep or not prefix or not path:
            raise ConfigurationError(f"--image-python {value!r}: expected PREFIX=PATH")
        pairs.append((prefix, path))
    return tuple(pairs)


def port_range(value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    low, sep, high = value.partition("-")
    try:
        return (int(low), int(high if sep else low))
    except ValueError:
        raise ConfigurationError(f"--instance-ports {value!r}: expected LOW-HIGH") from None


def env_main(argv: list[str]) -> int:
    """Print the shell exports that point clients at a running embedded Vertex (like
    ``gcloud beta emulators … env-init``): ``eval "$(jupyter-vertex-emulator env --data-dir D)"``.
    """
    parser = argparse.ArgumentParser(
        prog="jupyter-vertex-emulator env",
        description="Print the exports (JUPYTER_VERTEX_EMULATOR_URL, "
        "JUPYTER_VERTEX_EMULATOR_TOKEN, STORAGE_EMULATOR_HOST) of a running embedded Vertex.",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="the data dir of a standalone jupyter-vertex-emulator (default: the one "
        "JupyterLab runs, from the Jupyter runtime dir)",
    )
    args = parser.parse_args(argv)
    try:
        if args.data_dir is not None:
            connection = EmulatorConnection.in_data_dir(args.data_dir)
        elif EmulatorConnection.runtime_file().is_file():
            connection = EmulatorConnection.read(EmulatorConnection.runtime_file())
        else:
            raise FileNotFoundError(
                f"No embedded Vertex found in the Jupyter runtime dir "
                f"({EmulatorConnection.runtime_file()}): pass --data-dir."
            )
    except (OSError, ValueError) as error:
        print(f"jupyter-vertex-emulator env: {error}", file=sys.stderr)
        return 1
    for key, value in connection.to_env().items():
        print(f"export {key}={shlex.quote(value)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["env"]:
        return env_main(argv[1:])
    # Only this user reads what the embedded Vertex writes (SQLite files, stored objects,
    # job logs, serving copies), and so do its children (replicas, model servers), which
    # inherit the umask. Set before anything is written.
    os.umask(0o077)
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        images = image_pythons(args.image_python)
        instance_ports = port_range(args.instance_ports)
    except ConfigurationError as error:
        print(f"jupyter-vertex-emulator: {error}", file=sys.stderr)
        return 2
    settings = Settings(
        data_dir=args.data_dir,
        host=args.host,
        port=args.port,
        storage_port=args.storage_port,
        grpc_port=args.grpc_port,
        operation_delay=max(0.0, args.operation_delay),
        parent_pid=args.parent_pid,
        training_python=args.training_python,
        image_python=images,
        max_concurrent_jobs=args.max_concurrent_jobs,
        max_replicas_per_model=args.max_replicas_per_model,
        warm_model_servers=args.warm_model_servers,
        autoscale_window=args.autoscale_window,
        scale_in_delay=args.scale_in_delay,
        batch_shard_bytes=args.batch_shard_bytes,
        instance_python=args.instance_python,
        instance_ports=instance_ports,
    )
    try:
        settings.check()
        run_loop(serve(settings))
    except ConfigurationError as error:
        print(f"jupyter-vertex-emulator: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"jupyter-vertex-emulator: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
