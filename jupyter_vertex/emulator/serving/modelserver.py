"""Run the SDK's own model server (``google.cloud.aiplatform.prediction.model_server``) on
loopback only.

The SDK's ``__main__`` binds ``0.0.0.0``; the embedded Vertex wants its model servers
reachable only through itself, so this starts the same uvicorn app on ``127.0.0.1``.
Driven by the same environment (``AIP_HTTP_PORT``, ``AIP_HEALTH_ROUTE``, ``AIP_PREDICT_ROUTE``,
``AIP_STORAGE_URI``, ``HANDLER_*``, ``PREDICTOR_*``, ``VERTEX_CPR_WEB_CONCURRENCY``), plus
``JUPYTER_VERTEX_SOURCE_IN_ARTIFACTS=1`` for Custom Prediction Routine models whose predictor
source is in the artifact folder, and ``JUPYTER_VERTEX_MODEL_SOCKET``: a unix socket (in the
embedded Vertex's private folder) that serves the same app, for the predict hot path.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import threading
import time

PARENT_CHECK_SECONDS = 1.0
SOURCE_ENV = "JUPYTER_VERTEX_SOURCE_IN_ARTIFACTS"
#: A unix socket path to serve predictions on besides the loopback port.
SOCKET_ENV = "JUPYTER_VERTEX_MODEL_SOCKET"


def _exit_with_parent(parent: int) -> None:
    """End this server once the embedded Vertex that started it is gone (even SIGKILLed):
    a server left behind would hold its port and memory, unreachable through any endpoint."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(0)


def _import_source_from_artifacts() -> None:
    """A Custom Prediction Routine model: its predictor's source came with its artifacts.
    Copy them into this server's working folder (the SDK's own download, as the predictor's
    ``load`` does later) and make that folder importable before the handler and predictor
    modules are imported."""
    from google.cloud.aiplatform.utils import prediction_utils

    prediction_utils.download_model_artifacts(os.environ["AIP_STORAGE_URI"])
    sys.path.insert(0, os.getcwd())


def _unix_socket(path: str) -> socket.socket:
    """A listening unix socket at ``path`` (in the embedded Vertex's private folder), for
    this user only."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    old = os.umask(0o077)
    try:
        sock.bind(path)
    finally:
        os.umask(old)
    sock.listen(128)
    return sock


def main() -> None:
    import uvicorn
    from google.cloud.aiplatform.prediction import model_server

    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    if os.environ.get(SOURCE_ENV) == "1":
        _import_source_from_artifacts()
    model_server.set_number_of_workers_from_env()
    config = uvicorn.Config(
        "google.cloud.aiplatform.prediction.model_server:CprModelServer",
        host="127.0.0.1",
        port=int(os.environ["AIP_HTTP_PORT"]),
        factory=True,
        log_level="warning",
    )
    path = os.environ.get(SOCKET_ENV)
    if not path or config.workers > 1:
        uvicorn.Server(config).run()
        return
    # Predictions come over the unix socket (cheaper than loopback TCP per request); the
    # loopback port serves the health checks, as Vertex's containers do.
    server = uvicorn.Server(config)
    server.run(sockets=[config.bind_socket(), _unix_socket(path)])


if __name__ == "__main__":
    main()
