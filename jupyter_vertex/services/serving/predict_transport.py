"""Send a prediction request's JSON text to ``{api host}/v1/{endpoint}:predict``.

The extension already holds the request as JSON text (the user's own bytes, or slices of
them for bulk). ``PredictionServiceClient.predict`` would turn every number into a protobuf
``Value`` and back, then write the request as indented JSON: seconds of CPU per 10,000 rows
in the Jupyter server, a request twice the size (over Vertex's 1.5 MB sooner), and integer
predictions turned into floats. So requests go as the SDK's own ``Endpoint.raw_predict``
sends them: the JSON as it is, to the host and with the credentials of the
``PredictionServiceClient`` the client factory built (so this knows no backend either).
Vertex's answer comes back exactly.

Requests are asynchronous, on the event loop over kept-alive connections
(:mod:`jupyter_vertex.http_client`, an asyncio protocol on httptools), rather than blocking
calls in worker threads: eight threads running requests/urllib3 for a bulk prediction held
the GIL often enough to delay the loop (p99 lag 12 ms). CPU per online prediction: requests
plus the thread hop 1.5 ms, httpx 0.9 ms, aiohttp 0.35–0.55 ms, this client ~0.09 ms
(issue 17: the extension's own cost per prediction ≤ 0.2 ms).
google-auth decides the ``Authorization`` header; when the token must be refreshed (or on
first use) that runs in a worker thread, since a refresh is a blocking network call.
"""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace
from typing import Any

from ...backend.blocking import run_blocking
from ...errors import InvalidArgument, Unavailable, VertexError, to_vertex_error
from ...http_client import HttpClient, HttpError

__all__ = ["PredictTransport"]


def _host_of(transport: Any) -> str:
    host = str(transport._host)  # every GAPIC transport keeps its API host here
    if host.startswith(("http://", "https://")):
        return host.rstrip("/")
    return "https://" + host.removesuffix(":443")


class AuthHeaders:
    """The credentials' request headers, worked out by google-auth off the event loop and
    reused while the token they carry stays fresh."""

    def __init__(self, credentials: Any) -> None:
        self.credentials = credentials
        self._headers: dict[str, str] | None = None
        self._token: Any = None
        self._lock = asyncio.Lock()

    def _current(self) -> dict[str, str] | None:
        from google.auth.credentials import TokenState

        credentials = self.credentials
        if (
            self._headers is not None
            and credentials.token == self._token
            and credentials.token_state == TokenState.FRESH
        ):
            return self._headers
        return None

    def _work_out(self, url: str) -> tuple[dict[str, str], Any]:
        from google.auth.transport.requests import Request

        headers: dict[str, str] = {}
        self.credentials.before_request(Request(), "POST", url, headers)  # refreshes if due
        return headers, self.credentials.token

    async def get(self, url: str) -> dict[str, str]:
        found = self._current()
        if found is not None:
            return found
        async with self._lock:  # one refresh for all the requests waiting on it
            again = self._current()
            if again is not None:
                return again
            headers, self._token = await run_blocking(self._work_out, url)
            self._headers = headers
            return headers


# The hint of an UNAVAILABLE that Vertex answered (e.g. a model server still starting), as
# opposed to a host that could not be reached at all.
UNAVAILABLE_ANSWER_HINT = "The endpoint is not ready to answer yet; retry in a moment."


class PredictTransport:
    """An authorized, pooled HTTP client to one Vertex API host (the factory's: never a
    proxy from the environment). Use it on one event loop."""

    def __init__(self, client: Any, connections: int, timeout: float) -> None:
        transport = client.transport
        self.host = _host_of(transport)
        self.auth = AuthHeaders(transport._credentials)
        self.http = HttpClient(timeout=timeout, max_idle=connections)

    async def predict(self, endpoint: str, body: bytes) -> dict[str, Any]:
        """POST a PredictRequest (JSON); Vertex's PredictResponse (JSON) or an error."""
        url = f"{self.host}/v1/{endpoint}:predict"
        headers = {**await self.auth.get(url), "Content-Type": "application/json"}
        try:
            response = await self.http.post(url, content=body, headers=headers)
        except HttpError as error:
            raise Unavailable(f"Could not reach {self.host}: {error}") from None
        status, content = response.status_code, response.content
        if status != 200:
            raise _error_of(status, content, url)
        try:
            answer = json.loads(content)
        except ValueError:
            answer = None
        if not isinstance(answer, dict) or not isinstance(answer.get("predictions"), list):
            raise InvalidArgument("Vertex AI's answer has no list of predictions.")
        return answer

    async def close(self) -> None:
        await self.http.aclose()


def _error_of(status: int, content: bytes, url: str) -> VertexError:
    """Google's error body decides (the same translation as every other client call)."""
    from google.api_core import exceptions

    try:
        payload = json.loads(content)
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        text = content.decode("utf-8", "replace").strip()
        payload = {"error": {"message": text or f"HTTP {status}"}}
    # what an error reads from a response: its status, and its body for Google's own status
    response = SimpleNamespace(status_code=status, json=lambda: payload)
    error = to_vertex_error(exceptions.format_http_response_error(response, "POST", url, payload))
    if isinstance(error, Unavailable):
        # Vertex answered: it was reached, and its message says what is not ready yet.
        error.hint = UNAVAILABLE_ANSWER_HINT
    return error
