"""Models in the Vertex AI Model Registry: list, get, update, delete, versions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .convert import model_to_json
from .paging import list_request, page

if TYPE_CHECKING:
    from ..clients import ClientFactory

# API field (camelCase) -> google.cloud.aiplatform_v1.Model field
UPDATABLE = {"displayName": "display_name", "description": "description", "labels": "labels"}


class ModelsService:
    def __init__(self, clients: ClientFactory) -> None:
        self.clients = clients

    async def _name(self, model_id: str) -> str:
        location = await self.clients.location()
        return f"{location.parent}/models/{model_id}"

    async def list(
        self,
        *,
        page_size: int | None = None,
        page_token: str | None = None,
        filter: str | None = None,
        order_by: str | None = None,
    ) -> dict[str, Any]:
        location = await self.clients.location()
        client = await self.clients.model_service()
        request = list_request(
            parent=location.parent,
            page_size=page_size,
            page_token=page_token,
            filter=filter,
            order_by=order_by,
        )
        # The pager holds the first page; its attributes are those of the response.
        pager = await self.clients.call(client.list_models, request=request)
        return page("models", pager.models, model_to_json, pager.next_page_token)

    async def get(self, model_id: str) -> dict[str, Any]:
        client = await self.clients.model_service()
        model = await self.clients.call(client.get_model, name=await self._name(model_id))
        return model_to_json(model)

    async def update(self, model_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        client = await self.clients.model_service()
        # Imported once the client exists: the module is loaded by then (off the loop).
        from google.cloud.aiplatform_v1 import Model
        from google.protobuf.field_mask_pb2 import FieldMask

        fields = {UPDATABLE[key]: value for key, value in changes.items()}
        model = Model(name=await self._name(model_id), **fields)
        mask = FieldMask(paths=sorted(fields))
        updated = await self.clients.call(client.update_model, model=model, update_mask=mask)
        return model_to_json(updated)

    async def delete(self, model_id: str) -> None:
        client = await self.clients.model_service()
        name = await self._name(model_id)
        # "123@2" names one version: Vertex deletes it with DeleteModelVersion.
        method = client.delete_model_version if "@" in model_id else client.delete_model
        operation = await self.clients.call(method, name=name)
        await self.clients.wait_operation(operation)

    async def versions(
        self, model_id: str, *, page_size: int | None = None, page_token: str | None = None
    ) -> dict[str, Any]:
        client = await self.clients.model_service()
        request = list_request(
            name=await self._name(model_id), page_size=page_size, page_token=page_token
        )
        pager = await self.clients.call(client.list_model_versions, request=request)
        return page("models", pager.models, model_to_json, pager.next_page_token)
