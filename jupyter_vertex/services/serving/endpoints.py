"""Vertex AI endpoints: list, create, get, update, delete."""

from __future__ import annotations

from typing import Any

from ..convert import endpoint_to_json
from .resource import WRITABLE, ResourceService


class EndpointsService(ResourceService):
    kind = "endpoint"
    collection = "endpoints"
    message = "Endpoint"
    to_json = endpoint_to_json

    async def client(self) -> Any:
        return await self.clients.endpoint_service()

    async def create(self, body: dict[str, Any]) -> dict[str, Any]:
        location = await self.clients.location()
        client = await self.client()
        from google.cloud.aiplatform_v1 import Endpoint

        endpoint = Endpoint(**{WRITABLE[key]: value for key, value in body.items()})
        operation = await self.clients.call(
            client.create_endpoint, parent=location.parent, endpoint=endpoint
        )
        created = await self.clients.wait_operation(operation)
        return endpoint_to_json(created)
