"""Run the SDK's own model server (``google.cloud.aiplatform.prediction.model_server``)
reachable by this user only.

The SDK's ``__main__`` binds ``0.0.0.0``; the embedded Vertex wants its model servers
reachable only through itself, so this serves the same uvicorn app on
``JUPYTER_VERTEX_MODEL_SOCKET``, a unix socket in the embedded Vertex's private (0700) folder,
and on no TCP port: health checks and predictions both go over the socket. There the app also
has the batch shard route (:mod:`.batch_worker`) that batch prediction jobs use. Driven by the same
environment (``AIP_HTTP_PORT``, which the SDK's app requires but which is not listened on;
``AIP_HEALTH_ROUTE``, ``AIP_PREDICT_ROUTE``, ``AIP_STORAGE_URI``, ``HANDLER_*``,
``PREDICTOR_*``, ``VERTEX_CPR_WEB_CONCURRENCY``), plus ``JUPYTER_VERTEX_SOURCE_IN_ARTIFACTS=1``
for Custom Prediction Routine models whose predictor source is in the artifact folder. Without
a socket (run by hand) it serves ``127.0.0.1:AIP_HTTP_PORT``.

Started warm (``JUPYTER_VERTEX_WARM_SERVER=1``, :mod:`.warm_servers`), it imports all that
first and then waits on stdin for its deployment: a JSON line with its working folder and its
whole environment.

Its Cloud Storage clients (the SDK's artifact download, a predictor's own ``storage.Client()``)
send no credentials, and local storage answers only the embedded Vertex's token: given it as
``JUPYTER_VERTEX_EMULATOR_TOKEN``, the server takes it out of its environment and points
``STORAGE_EMULATOR_HOST`` at a relay in this process that adds it (:mod:`..storage.relay`).

It dies with the embedded Vertex: the parent-death signal is armed before this interpreter
starts (:func:`..core.process_groups.dies_with_parent`), and ``JUPYTER_VERTEX_PARENT_PID``,
checked before any slow import, catches a parent that died before it was armed.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import socket
import sys

from ..core.connection import STORAGE_ENV, TOKEN_ENV
from ..core.process_groups import exit_if_orphaned
from ..storage.relay import storage_relay
from .warm_servers import ENVIRON_FILE, WARM_ENV

SOURCE_ENV = "JUPYTER_VERTEX_SOURCE_IN_ARTIFACTS"
#: The unix socket path the server listens on (its only address).
SOCKET_ENV = "JUPYTER_VERTEX_MODEL_SOCKET"


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


def _warm_up() -> None:
    """Import what serving a model needs before there is a model: the SDK's model server,
    uvicorn, Cloud Storage's client (the artifacts' download) and the frameworks of Vertex's
    prebuilt scikit-learn and XGBoost images, where installed. TensorFlow and PyTorch are
    left to their models: each costs seconds and hundreds of MB a warm server would hold
    for nothing when the model is a scikit-learn one."""
    import uvicorn  # noqa: F401
    from google.cloud.aiplatform.prediction import handler, model_server  # noqa: F401
    from google.cloud.aiplatform.utils import prediction_utils  # noqa: F401

    from . import batch_worker  # noqa: F401

    importlib.import_module("google.cloud.storage")
    for name in (
        "google.cloud.aiplatform.prediction.sklearn.predictor",
        "sklearn.linear_model",
        "sklearn.ensemble",
        "sklearn.pipeline",
        "google.cloud.aiplatform.prediction.xgboost.predictor",
    ):
        with contextlib.suppress(ImportError):
            importlib.import_module(name)


def _await_deployment() -> None:
    """Wait for the deployment (one JSON line on stdin), then take its folder and
    environment as if started with them."""
    line = sys.stdin.readline()
    if not line:
        sys.exit(0)  # the embedded Vertex closed the pool
    deployment = json.loads(line)
    os.chdir(deployment["cwd"])
    os.environ.clear()
    os.environ.update(deployment["env"])
    with open(ENVIRON_FILE, "w", encoding="utf-8") as handle:  # in the private data dir
        json.dump(deployment["env"], handle)


def _relay_storage() -> None:
    """Cloud Storage through a relay that adds local storage's token (see above); the token
    leaves the environment the model's code sees."""
    token = os.environ.pop(TOKEN_ENV, "")
    url = os.environ.get(STORAGE_ENV, "")
    if token and url:
        os.environ[STORAGE_ENV] = storage_relay(url, token)


def main() -> None:
    exit_if_orphaned()  # before the slow imports below
    if os.environ.get(WARM_ENV) == "1":
        _warm_up()
        _await_deployment()
    _relay_storage()
    import uvicorn
    from google.cloud.aiplatform.prediction import model_server

    if os.environ.get(SOURCE_ENV) == "1":
        _import_source_from_artifacts()
    model_server.set_number_of_workers_from_env()
    path = os.environ.get(SOCKET_ENV)
    app = "google.cloud.aiplatform.prediction.model_server:CprModelServer"
    if not path:
        port = int(os.environ["AIP_HTTP_PORT"])
        config = uvicorn.Config(app, host="127.0.0.1", port=port, factory=True, log_level="warning")
        uvicorn.Server(config).run()
        return
    # One process (uvicorn.Server runs no workers); our socket, bound with this user's mode.
    # On the socket (the embedded Vertex's only way in) the app has the batch shard route too.
    app = "jupyter_vertex.emulator.serving.batch_worker:model_server"
    config = uvicorn.Config(app, uds=path, factory=True, log_level="warning")
    uvicorn.Server(config).run(sockets=[_unix_socket(path)])


if __name__ == "__main__":
    main()
