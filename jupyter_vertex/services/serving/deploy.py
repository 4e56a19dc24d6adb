"""Deploy a model to an endpoint, undeploy it, change an endpoint's traffic split.

Through ``EndpointServiceClient.deploy_model`` / ``undeploy_model`` / ``update_endpoint``.
Deploy and undeploy answer the long-running operation at once (the panel polls it); only
creating a new endpoint for a deploy waits, since DeployModel needs it to exist.
Everything Vertex AI would refuse is checked before anything is created.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...backend.clients import ClientFactory
from ...errors import FailedPrecondition, InvalidArgument, NotFound
from ..convert import endpoint_to_json
from ..operations import operation_to_json
from ..training.options import check_machine
from .deploy_traffic import split_with_new_model, split_without_model

__all__ = ["DEFAULT_SERVING_MACHINE", "DeployOptions", "DeployService", "parse_deploy"]

DEFAULT_SERVING_MACHINE = "n1-standard-2"


@dataclass(frozen=True)
class DeployOptions:
    """A checked ``DeployRequest``."""

    endpoint_id: str | None
    endpoint_display_name: str | None
    deployed_model_display_name: str | None
    machine_type: str
    min_replica_count: int
    max_replica_count: int
    accelerator_type: str | None
    accelerator_count: int | None
    traffic_percentage: int


def parse_deploy(body: Mapping[str, Any]) -> DeployOptions:
    """The request body (already valid for the spec's schema) as :class:`DeployOptions`."""
    if body.get("endpointId") and body.get("endpointDisplayName"):
        raise InvalidArgument(
            "Field 'endpointDisplayName': give either endpointId (deploy to that endpoint) or "
            "endpointDisplayName (deploy to a new endpoint), not both."
        )
    low = int(body.get("minReplicaCount", 1))
    high = int(body.get("maxReplicaCount", low))
    if high < low:
        raise InvalidArgument(
            f"Field 'maxReplicaCount': {high} is less than minReplicaCount ({low})."
        )
    options = DeployOptions(
        endpoint_id=body.get("endpointId"),
        endpoint_display_name=body.get("endpointDisplayName"),
        deployed_model_display_name=body.get("deployedModelDisplayName"),
        machine_type=body.get("machineType") or DEFAULT_SERVING_MACHINE,
        min_replica_count=low,
        max_replica_count=high,
        accelerator_type=body.get("acceleratorType"),
        accelerator_count=body.get("acceleratorCount"),
        traffic_percentage=int(body.get("trafficPercentage", 100)),
    )
    check_machine(options.machine_type, options.accelerator_type, options.accelerator_count)
    if options.endpoint_id is None and options.traffic_percentage != 100:
        raise InvalidArgument(
            f"Field 'trafficPercentage': a new endpoint sends all its traffic (100) to its "
            f"first model, not {options.traffic_percentage}."
        )
    return options


def _first_model_check(options: DeployOptions, endpoint: Any) -> None:
    if not endpoint.deployed_models and options.traffic_percentage != 100:
        raise InvalidArgument(
            f"Field 'trafficPercentage': endpoint {options.endpoint_id} has no deployed model, "
            f"so the first one receives all its traffic (100), not {options.traffic_percentage}."
        )


class DeployService:
    def __init__(self, clients: ClientFactory) -> None:
        self.clients = clients

    async def _endpoint_name(self, endpoint_id: str) -> str:
        location = await self.clients.location()
        return f"{location.parent}/endpoints/{endpoint_id}"

    async def _get_endpoint(self, endpoint_id: str) -> Any:
        client = await self.clients.endpoint_service()
        name = await self._endpoint_name(endpoint_id)
        return await self.clients.call(client.get_endpoint, name=name)

    async def deploy(self, model_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """Start DeployModel; answer its operation (not waited for)."""
        options = parse_deploy(body)
        location = await self.clients.location()
        models = await self.clients.model_service()
        endpoints = await self.clients.endpoint_service()
        model_name = f"{location.parent}/models/{model_id}"
        model = await self.clients.call(models.get_model, name=model_name)
        created: str | None = None
        if options.endpoint_id is not None:
            endpoint = await self._get_endpoint(options.endpoint_id)
            _first_model_check(options, endpoint)
            current = {str(k): int(v) for k, v in endpoint.traffic_split.items()}
            split = split_with_new_model(current, options.traffic_percentage)
        else:
            from google.cloud.aiplatform_v1 import Endpoint

            display = options.endpoint_display_name or f"{model.display_name}-endpoint"
            pending = await self.clients.call(
                endpoints.create_endpoint,
                parent=location.parent,
                endpoint=Endpoint(display_name=display[:128]),
            )
            endpoint = await self.clients.wait_operation(pending)
            created = endpoint.name
            split = split_with_new_model({}, 100)
        try:
            operation = await self.clients.call(
                endpoints.deploy_model,
                endpoint=endpoint.name,
                deployed_model=self._deployed_model(model_name, options),
                traffic_split=split,
            )
        except BaseException:
            if created is not None:  # leave nothing behind for a refused deploy
                await self._delete_quietly(created)
            raise
        return operation_to_json(operation.operation)

    def _deployed_model(self, model_name: str, options: DeployOptions) -> Any:
        from google.cloud.aiplatform_v1 import DedicatedResources, DeployedModel, MachineSpec

        machine = MachineSpec(machine_type=options.machine_type)
        if options.accelerator_type:
            machine = MachineSpec(
                machine_type=options.machine_type,
                accelerator_type=options.accelerator_type,
                accelerator_count=options.accelerator_count or 0,
            )
        deployed = DeployedModel(
            model=model_name,
            dedicated_resources=DedicatedResources(
                machine_spec=machine,
                min_replica_count=options.min_replica_count,
                max_replica_count=options.max_replica_count,
            ),
        )
        if options.deployed_model_display_name:
            deployed.display_name = options.deployed_model_display_name
        return deployed

    async def _delete_quietly(self, endpoint_name: str) -> None:
        client = await self.clients.endpoint_service()
        try:
            pending = await self.clients.call(client.delete_endpoint, name=endpoint_name)
            await self.clients.wait_operation(pending)
        except Exception as exc:  # the deploy's own error is the one to report
            self.clients.log.warning(
                "jupyter_vertex: could not delete endpoint %s: %s", endpoint_name, exc
            )

    async def undeploy(self, endpoint_id: str, deployed_model_id: str) -> dict[str, Any]:
        """Start UndeployModel, its traffic going to the others; answer the operation."""
        endpoint = await self._get_endpoint(endpoint_id)
        ids = [str(d.id) for d in endpoint.deployed_models]
        if deployed_model_id not in ids:
            raise NotFound(
                f"Deployed model {deployed_model_id} is not deployed to endpoint {endpoint_id}"
                + (f" (deployed: {', '.join(ids)})." if ids else " (nothing is deployed).")
            )
        current = {str(k): int(v) for k, v in endpoint.traffic_split.items()}
        if len(ids) > 1 and current.get(deployed_model_id, 0) == 100:
            raise FailedPrecondition(
                f"Deployed model {deployed_model_id} receives 100% of endpoint {endpoint_id}'s "
                "traffic; undeploying it would leave the other models none.",
                hint="Give some traffic to the other models first (PUT trafficSplit).",
            )
        client = await self.clients.endpoint_service()
        operation = await self.clients.call(
            client.undeploy_model,
            endpoint=endpoint.name,
            deployed_model_id=deployed_model_id,
            traffic_split=split_without_model(current, deployed_model_id),
        )
        return operation_to_json(operation.operation)

    async def set_traffic(self, endpoint_id: str, split: Mapping[str, int]) -> dict[str, Any]:
        """Replace the endpoint's traffic split (models left out get 0%)."""
        endpoint = await self._get_endpoint(endpoint_id)
        ids = [str(d.id) for d in endpoint.deployed_models]
        if not ids:
            raise FailedPrecondition(
                f"Endpoint {endpoint_id} has no deployed model to send traffic to."
            )
        unknown = sorted(set(split) - set(ids))
        if unknown:
            raise InvalidArgument(
                f"Field 'trafficSplit': {', '.join(unknown)} "
                f"{'is not a model' if len(unknown) == 1 else 'are not models'} deployed to "
                f"endpoint {endpoint_id} (deployed: {', '.join(ids)})."
            )
        total = sum(split.values())
        if total != 100:
            raise InvalidArgument(
                f"Field 'trafficSplit': the percentages add up to {total}, not 100."
            )
        from google.cloud.aiplatform_v1 import Endpoint
        from google.protobuf.field_mask_pb2 import FieldMask

        full = {key: int(split.get(key, 0)) for key in ids}
        client = await self.clients.endpoint_service()
        updated = await self.clients.call(
            client.update_endpoint,
            endpoint=Endpoint(name=endpoint.name, traffic_split=full),
            update_mask=FieldMask(paths=["traffic_split"]),
        )
        return endpoint_to_json(updated)
