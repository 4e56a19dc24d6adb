"""Run the SDK's own model server (``google.cloud.aiplatform.prediction.model_server``) on
loopback only.

The SDK's ``__main__`` binds ``0.0.0.0``; the embedded Vertex wants its model servers
reachable only through itself, so this starts the same uvicorn app on ``127.0.0.1``.
Driven by the same environment (``AIP_HTTP_PORT``, ``AIP_HEALTH_ROUTE``, ``AIP_PREDICT_ROUTE``,
``AIP_STORAGE_URI``, ``HANDLER_*``, ``PREDICTOR_*``, ``VERTEX_CPR_WEB_CONCURRENCY``).
"""

from __future__ import annotations

import os
import threading
import time

PARENT_CHECK_SECONDS = 1.0


def _exit_with_parent(parent: int) -> None:
    """End this server once the embedded Vertex that started it is gone (even SIGKILLed):
    a server left behind would hold its port and memory, unreachable through any endpoint."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(0)


def main() -> None:
    import uvicorn
    from google.cloud.aiplatform.prediction import model_server

    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    model_server.set_number_of_workers_from_env()
    uvicorn.run(
        "google.cloud.aiplatform.prediction.model_server:CprModelServer",
        host="127.0.0.1",
        port=int(os.environ["AIP_HTTP_PORT"]),
        factory=True,
        log_level="warning",
    )


if __name__ == "__main__":
    main()
