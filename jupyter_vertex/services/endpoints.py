"""Vertex AI endpoints: list, create, get, update, delete."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .convert import endpoint_to_json
from .paging import list_request, page

if TYPE_CHECKING:
    from ..clients import ClientFactory

# API field (camelCase) -> google.cloud.aiplatform_v1.Endpoint field
WRITABLE = {"displayName": "display_name", "description": "description", "labels": "labels"}


class EndpointsService:
    def __init__(self, clients: ClientFactory) -> None:
        self.clients = clients

    async def _name(self, endpoint_id: str) -> str:
        location = await self.clients.location()
        return f"{location.parent}/endpoints/{endpoint_id}"

    async def list(
        self,
        *,
        page_size: int | None = None,
        page_token: str | None = None,
        filter: str | None = None,
        order_by: str | None = None,
    ) -> dict[str, Any]:
        location = await self.clients.location()
        client = await self.clients.endpoint_service()
        request = list_request(
            parent=location.parent,
            page_size=page_size,
            page_token=page_token,
            filter=filter,
            order_by=order_by,
        )
        pager = await self.clients.call(client.list_endpoints, request=request)
        return page("endpoints", pager.endpoints, endpoint_to_json, pager.next_page_token)

    async def create(self, body: dict[str, Any]) -> dict[str, Any]:
        location = await self.clients.location()
        client = await self.clients.endpoint_service()
        from google.cloud.aiplatform_v1 import Endpoint

        endpoint = Endpoint(**{WRITABLE[key]: value for key, value in body.items()})
        operation = await self.clients.call(
            client.create_endpoint, parent=location.parent, endpoint=endpoint
        )
        created = await self.clients.wait_operation(operation)
        return endpoint_to_json(created)

    async def get(self, endpoint_id: str) -> dict[str, Any]:
        client = await self.clients.endpoint_service()
        endpoint = await self.clients.call(client.get_endpoint, name=await self._name(endpoint_id))
        return endpoint_to_json(endpoint)

    async def update(self, endpoint_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        client = await self.clients.endpoint_service()
        # Imported once the client exists: the module is loaded by then (off the loop).
        from google.cloud.aiplatform_v1 import Endpoint
        from google.protobuf.field_mask_pb2 import FieldMask

        fields = {WRITABLE[key]: value for key, value in changes.items()}
        endpoint = Endpoint(name=await self._name(endpoint_id), **fields)
        mask = FieldMask(paths=sorted(fields))
        updated = await self.clients.call(
            client.update_endpoint, endpoint=endpoint, update_mask=mask
        )
        return endpoint_to_json(updated)

    async def delete(self, endpoint_id: str) -> None:
        client = await self.clients.endpoint_service()
        operation = await self.clients.call(
            client.delete_endpoint, name=await self._name(endpoint_id)
        )
        await self.clients.wait_operation(operation)
