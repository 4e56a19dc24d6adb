"""Send a prediction request's JSON text to ``{api host}/v1/{endpoint}:predict``.

The extension already holds the request as JSON text (the user's own bytes, or slices of
them for bulk). ``PredictionServiceClient.predict`` would turn every number into a protobuf
``Value`` and back, then write the request as indented JSON: seconds of CPU per 10,000 rows
in the Jupyter server, a request twice the size (over Vertex's 1.5 MB sooner), and integer
predictions turned into floats. So requests go, as the SDK's own ``Endpoint.raw_predict``
sends them, through ``google.auth``'s ``AuthorizedSession``, to the host and with the
credentials of the ``PredictionServiceClient`` the client factory built (so this knows no
backend either). Vertex's answer comes back exactly. Every call blocks: run it in a thread.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import InvalidArgument, VertexError, to_vertex_error

__all__ = ["PredictTransport"]


def _host_of(transport: Any) -> str:
    host = str(transport._host)  # every GAPIC transport keeps its API host here
    if host.startswith(("http://", "https://")):
        return host.rstrip("/")
    return "https://" + host.removesuffix(":443")


class PredictTransport:
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

    def predict(self, endpoint: str, body: bytes) -> dict[str, Any]:
        """POST a PredictRequest (JSON); Vertex's PredictResponse (JSON) or an error."""
        response = self.session.post(
            f"{self.host}/v1/{endpoint}:predict",
            data=body,
            headers={"Content-Type": "application/json"},
            timeout=self.timeout,
        )
        if response.status_code != 200:
            raise _error_of(response)
        try:
            answer = json.loads(response.content)
        except ValueError:
            answer = None
        if not isinstance(answer, dict) or not isinstance(answer.get("predictions"), list):
            raise InvalidArgument("Vertex AI's answer has no list of predictions.")
        return answer

    def close(self) -> None:
        self.session.close()


def _error_of(response: Any) -> VertexError:
    """Google's error body decides (the same translation as every other client call)."""
    from google.api_core import exceptions

    return to_vertex_error(exceptions.from_http_response(response))
