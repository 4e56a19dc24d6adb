"""Online prediction (the console's "test your model"): Vertex's ``:predict``.

The request is the user's own JSON text (checked by :mod:`.predict_input`) and the answer is
Vertex AI's PredictResponse exactly (``predictions``, ``deployedModelId``, ``model``,
``modelDisplayName``, ``modelVersionId``); see :mod:`.predict_transport` for why it is sent
with Google's authorized session rather than ``PredictionServiceClient.predict``. The
model's own error for bad instances (wrong number of features, ...) comes back from Vertex
as INVALID_ARGUMENT with the model's message: a 400.
"""

from __future__ import annotations

from typing import Any

from ...backend.clients import ClientFactory
from .bulk_chunks import Chunk, request_body
from .predict_input import ParsedBody
from .predict_transport import PredictTransport

__all__ = ["PREDICTION_FIELDS", "PredictService", "TransportCache"]

AIPLATFORM = "google.cloud.aiplatform_v1"
PREDICTION_FIELDS = ("deployedModelId", "model", "modelDisplayName", "modelVersionId")
#: Connections kept to the Vertex API host: one per request a bulk prediction may have in
#: flight (its ``concurrency``, at most 32 by the API spec).
CONNECTIONS = 32


class TransportCache:
    """One :class:`PredictTransport` per prediction client the factory hands out."""

    def __init__(self, clients: ClientFactory) -> None:
        self.clients = clients
        self._cached: tuple[Any, PredictTransport] | None = None

    async def get(self) -> PredictTransport:
        client = await self.clients.client(AIPLATFORM, "PredictionServiceClient")
        if self._cached is None or self._cached[0] is not client:
            transport = PredictTransport(client, CONNECTIONS, self.clients.call_timeout)
            if self._cached is not None:
                await self._cached[1].close()
            self._cached = (client, transport)
        return self._cached[1]

    async def close(self) -> None:
        if self._cached is not None:
            await self._cached[1].close()
            self._cached = None


def prediction_json(answer: dict[str, Any]) -> dict[str, Any]:
    """Vertex's PredictResponse JSON → the API's ``Prediction`` (absent strings are "")."""
    out: dict[str, Any] = {"predictions": answer["predictions"]}
    for key in PREDICTION_FIELDS:
        out[key] = str(answer.get(key, ""))
    return out


class PredictService:
    def __init__(self, clients: ClientFactory, transports: TransportCache) -> None:
        self.clients = clients
        self.transports = transports

    async def predict(self, endpoint_id: str, body: ParsedBody) -> dict[str, Any]:
        location = await self.clients.location()
        transport = await self.transports.get()
        endpoint = f"{location.parent}/endpoints/{endpoint_id}"
        if body.as_sent and body.raw is not None:
            data = body.raw
        else:
            data = request_body(body, Chunk(0, body.count), body.fields.get("parameters"))
        return prediction_json(await transport.predict(endpoint, data))
