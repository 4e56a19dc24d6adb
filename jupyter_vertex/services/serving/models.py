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

    async def get(self, resource_id: str) -> dict[str, Any]:
        """The model; the job that registered it is named as the job is named now (the
        ``training-job`` label holds that name lowercased, as label values must be)."""
        model = await super().get(resource_id)
        job = (model.get("provenance") or {}).get("job")
        if job:
            client = await self.clients.pipeline_service()
            location = await self.clients.location()
            try:
                pipeline = await self.clients.call(
                    client.get_training_pipeline,
                    name=f"{location.parent}/trainingPipelines/{job['id']}",
                )
            except Exception as exc:  # deleted since: the label still names it
                self.clients.log.debug("jupyter_vertex: job of model %s: %s", resource_id, exc)
            else:
                job["displayName"] = pipeline.display_name or job["displayName"]
        return model

    async def versions(
        self, model_id: str, *, page_size: int | None = None, page_token: str | None = None
    ) -> dict[str, Any]:
        client = await self.client()
        request = list_request(
            name=await self._name(model_id), page_size=page_size, page_token=page_token
        )
        pager = await self.clients.call(client.list_model_versions, request=request)
        return page("models", pager.models, model_to_json, pager.next_page_token)
