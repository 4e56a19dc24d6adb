"""Send one bulk chunk to an endpoint's ``:rawPredict``, with Google's authorized session.

Bulk prediction sends JSON text it already has (slices of the user's body). The GAPIC
``predict`` would turn every number into a protobuf ``Value`` and back to JSON — seconds of
CPU per 10,000 rows in the server's process — so chunks go, as the SDK's own
``Endpoint.raw_predict`` sends them, through ``google.auth``'s ``AuthorizedSession`` to
``{api host}/v1/{endpoint}:rawPredict``. Host and credentials are those of the
``PredictionServiceClient`` the client factory built, so this knows no backend either.
Every call here blocks: run it in a worker thread.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidArgument, VertexError, to_vertex_error

__all__ = ["ChunkAnswer", "RawPredictor"]

DEPLOYED_MODEL_HEADER = "X-Vertex-AI-Deployed-Model-Id"


@dataclass
class ChunkAnswer:
    predictions: list[Any]
    deployed_model_id: str | None


def _host_of(transport: Any) -> str:
    host = str(transport._host)  # every GAPIC transport keeps its API host here
    if host.startswith(("http://", "https://")):
        return host.rstrip("/")
    return "https://" + host.removesuffix(":443")


class RawPredictor:
    """An authorized HTTP session to one Vertex API host, pooled for ``connections``."""

    def __init__(self, client: Any, connections: int, timeout: float) -> None:
        import requests
        from google.auth.transport.requests import AuthorizedSession

        transport = client.transport
        self.host = _host_of(transport)
        self.timeout = timeout
        self.session = AuthorizedSession(transport._credentials)
        adapter = requests.adapters.HTTPAdapter(
            pool_connections=1, pool_maxsize=connections, max_retries=0
        )
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def send(self, endpoint: str, body: bytes, expected: int) -> ChunkAnswer:
        """POST one request; its predictions (exactly ``expected`` of them) or an error."""
        response = self.session.post(
            f"{self.host}/v1/{endpoint}:rawPredict",
            data=body,
            headers={"Content-Type": "application/json"},
            timeout=self.timeout,
        )
        if response.status_code != 200:
            raise _error_of(response)
        try:
            predictions = json.loads(response.content)["predictions"]
        except (ValueError, KeyError, TypeError):
            raise InvalidArgument("The model's answer has no predictions.") from None
        if not isinstance(predictions, list) or len(predictions) != expected:
            got = len(predictions) if isinstance(predictions, list) else "no list of"
            raise InvalidArgument(f"The model answered {got} predictions for {expected} instances.")
        return ChunkAnswer(predictions, response.headers.get(DEPLOYED_MODEL_HEADER))

    def close(self) -> None:
        self.session.close()


def _error_of(response: Any) -> VertexError:
    """A Google error body keeps its status; so does a gateway's 502/503/504. Anything else
    is the model server's own answer (as the embedded Vertex's ``:predict`` reports it)."""
    try:
        payload = response.json()
    except ValueError:
        payload = None
    google_error = isinstance(payload, dict) and isinstance(payload.get("error"), dict)
    if google_error or response.status_code in (502, 503, 504):
        from google.api_core import exceptions

        return to_vertex_error(exceptions.from_http_response(response))
    detail = payload.get("detail", payload) if isinstance(payload, dict) else None
    if detail is None:
        detail = response.text.strip() or response.reason
    return InvalidArgument(f"The model server answered {response.status_code}: {detail}")
