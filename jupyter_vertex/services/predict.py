"""Online prediction (the console's "test your model"): ``PredictionServiceClient.predict``.

The answer is Vertex AI's PredictResponse in its REST JSON form. The model's own error for
bad instances (wrong number of features, ...) comes back from Vertex as INVALID_ARGUMENT
with the model's message, which the error family passes on as a 400.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .predict_input import ParsedBody

if TYPE_CHECKING:
    from ..clients import ClientFactory

__all__ = ["PREDICTION_FIELDS", "PredictService"]

AIPLATFORM = "google.cloud.aiplatform_v1"
PREDICTION_FIELDS = ("deployedModelId", "model", "modelDisplayName", "modelVersionId")


def _response_to_json(response: Any) -> dict[str, Any]:
    """PredictResponse → ``{predictions, deployedModelId, model, modelDisplayName,
    modelVersionId}`` as Vertex's REST API writes it (run off the loop: it walks the
    predictions)."""
    from google.protobuf import json_format

    data = json_format.MessageToDict(type(response).pb(response))
    out: dict[str, Any] = {"predictions": data.get("predictions", [])}
    for key in PREDICTION_FIELDS:
        out[key] = str(data.get(key, ""))
    return out


class PredictService:
    def __init__(self, clients: ClientFactory) -> None:
        self.clients = clients

    async def predict(self, endpoint_id: str, body: ParsedBody) -> dict[str, Any]:
        location = await self.clients.location()
        client = await self.clients.client(AIPLATFORM, "PredictionServiceClient")
        kwargs: dict[str, Any] = {
            "endpoint": f"{location.parent}/endpoints/{endpoint_id}",
            "instances": body.instances,
        }
        if body.fields.get("parameters") is not None:
            kwargs["parameters"] = body.fields["parameters"]

        def call(**arguments: Any) -> dict[str, Any]:
            # Converting the instances to protobuf Values and back is CPU work: all of it
            # happens in the worker thread.
            return _response_to_json(client.predict(**arguments))

        result: dict[str, Any] = await self.clients.call(call, **kwargs)
        return result
