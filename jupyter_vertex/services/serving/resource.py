"""What the models and endpoints services share: one Vertex resource kind under the location,
listed, read, updated and deleted through its GAPIC client by Vertex's method names."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from ...backend.clients import ClientFactory
from ..paging import list_request, page

# API field (camelCase) -> the resource's protobuf field, for the fields a client may write
WRITABLE = {"displayName": "display_name", "description": "description", "labels": "labels"}


class ResourceService:
    """List/get/update/delete of ``{location}/{collection}/{id}``.

    A subclass names the kind (``kind`` "model" gives ``get_model``, ``update_model(model=…)``,
    ``google.cloud.aiplatform_v1.Model``), its collection, its client and its JSON form.
    """

    kind: ClassVar[str]  # singular, as in the client's method names: "model"
    collection: ClassVar[str]  # plural, as in names and list responses: "models"
    message: ClassVar[str]  # the google.cloud.aiplatform_v1 type: "Model"
    to_json: ClassVar[Callable[[Any], dict[str, Any]]]

    def __init__(self, clients: ClientFactory) -> None:
        self.clients = clients

    async def client(self) -> Any:
        raise NotImplementedError

    async def _name(self, resource_id: str) -> str:
        location = await self.clients.location()
        return f"{location.parent}/{self.collection}/{resource_id}"

    def _json(self, resource: Any) -> dict[str, Any]:
        return type(self).to_json(resource)

    async def list(
        self,
        *,
        page_size: int | None = None,
        page_token: str | None = None,
        filter: str | None = None,
        order_by: str | None = None,
    ) -> dict[str, Any]:
        location = await self.clients.location()
        client = await self.client()
        request = list_request(
            parent=location.parent,
            page_size=page_size,
            page_token=page_token,
            filter=filter,
            order_by=order_by,
        )
        # The pager holds the first page; its attributes are those of the response.
        pager = await self.clients.call(getattr(client, f"list_{self.collection}"), request=request)
        items = getattr(pager, self.collection)
        return page(self.collection, items, self._json, pager.next_page_token)

    async def get(self, resource_id: str) -> dict[str, Any]:
        client = await self.client()
        method = getattr(client, f"get_{self.kind}")
        return self._json(await self.clients.call(method, name=await self._name(resource_id)))

    async def update(self, resource_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        client = await self.client()
        # Imported once the client exists: the module is loaded by then (off the loop).
        from google.cloud import aiplatform_v1
        from google.protobuf.field_mask_pb2 import FieldMask

        fields = {WRITABLE[key]: value for key, value in changes.items()}
        resource = getattr(aiplatform_v1, self.message)(
            name=await self._name(resource_id), **fields
        )
        mask = FieldMask(paths=sorted(fields))
        updated = await self.clients.call(
            getattr(client, f"update_{self.kind}"), **{self.kind: resource}, update_mask=mask
        )
        return self._json(updated)

    async def delete(self, resource_id: str) -> None:
        client = await self.client()
        method = self._delete_method(client, resource_id)
        operation = await self.clients.call(method, name=await self._name(resource_id))
        await self.clients.wait_operation(operation)

    def _delete_method(self, client: Any, resource_id: str) -> Any:
        return getattr(client, f"delete_{self.kind}")
