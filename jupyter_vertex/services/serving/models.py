"""Models in the Vertex AI Model Registry: list, get, update, delete, versions."""

from __future__ import annotations

from typing import Any

from ..convert import model_to_json
from ..paging import list_request, page
from .resource import ResourceService


class ModelsService(ResourceService):
    kind = "model"
    collection = "models"
    message = "Model"
    to_json = model_to_json

    async def client(self) -> Any:
        return await self.clients.model_service()

    def _delete_method(self, client: Any, model_id: str) -> Any:
        # "123@2" names one version: Vertex deletes it with DeleteModelVersion.
        return client.delete_model_version if "@" in model_id else client.delete_model

    async def versions(
        self, model_id: str, *, page_size: int | None = None, page_token: str | None = None
    ) -> dict[str, Any]:
        client = await self.client()
        request = list_request(
            name=await self._name(model_id), page_size=page_size, page_token=page_token
        )
        pager = await self.clients.call(client.list_model_versions, request=request)
        return page("models", pager.models, model_to_json, pager.next_page_token)
