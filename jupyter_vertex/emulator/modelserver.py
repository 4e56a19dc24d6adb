"""Run the SDK's own model server (``google.cloud.aiplatform.prediction.model_server``) on
loopback only.

The SDK's ``__main__`` binds ``0.0.0.0``; the embedded Vertex wants its model servers
reachable only through itself, so this starts the same uvicorn app on ``127.0.0.1``.
Driven by the same environment (``AIP_HTTP_PORT``, ``AIP_HEALTH_ROUTE``, ``AIP_PREDICT_ROUTE``,
``AIP_STORAGE_URI``, ``HANDLER_*``, ``PREDICTOR_*``, ``VERTEX_CPR_WEB_CONCURRENCY``).
"""

from __future__ import annotations

import os


def main() -> None:
    import uvicorn
    from google.cloud.aiplatform.prediction import model_server

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
