"""Workbench instances (Notebooks API v2) through ``google.cloud.notebooks_v2``.

The same calls go to Google Cloud (``notebooks.googleapis.com``) and to the embedded
Vertex; Workbench locations are zones, so the extension uses ``{region}-a``. Mutations
answer the long-running operation at once (the panel polls ``GET /operations``).
"""

from __future__ import annotations

import builtins
from typing import Any

from .. import machines
from ..backend.clients import ClientFactory
from ..errors import InvalidArgument
from .convert import resource_id, timestamp
from .operations import operation_to_json
from .paging import list_request, page

NOTEBOOKS = "google.cloud.notebooks_v2"
CLIENT = "NotebookServiceClient"
DEFAULT_MACHINE_TYPE = "e2-standard-4"
DEFAULT_IMAGE_PROJECT = "cloud-notebooks-managed"
DEFAULT_IMAGE_FAMILY = "workbench-instances"
SCRIPT_KEY = "post-startup-script"
# States that keep an instance (and its bill) running: everything but these.
IDLE_STATES = ("STOPPED", "SUSPENDED", "DELETED", "FAILED")
_LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


def zone_of(region: str) -> str:
    return f"{region}-a"


def open_url(proxy_uri: str | None) -> str | None:
    """What "Open JupyterLab" opens: Vertex answers a host behind Google's proxy (https);
    the embedded Vertex answers the local server's ``127.0.0.1:PORT/lab?token=…``."""
    if not proxy_uri:
        return None
    scheme = "http" if proxy_uri.startswith(_LOOPBACK) else "https"
    return f"{scheme}://{proxy_uri}"


def _enum_name(value: Any) -> str:
    return str(getattr(value, "name", value))


def instance_to_json(instance: Any) -> dict[str, Any]:
    """A ``notebooks_v2.Instance`` → the API's ``Instance``."""
    gce = instance.gce_setup
    accelerator = gce.accelerator_configs[0] if gce.accelerator_configs else None
    data_disk = gce.data_disks[0] if gce.data_disks else None
    health = _enum_name(instance.health_state)
    info = dict(instance.health_info)
    state = _enum_name(instance.state)
    reason = info.get("failure_reason") or None
    # Notebooks v2 has no FAILED state: an instance that could not start is STOPPED and
    # UNHEALTHY with the reason in its health info (the embedded Vertex says so).
    if state == "STOPPED" and health == "UNHEALTHY" and reason:
        state = "FAILED"
    vm_image = None
    if gce._pb.HasField("vm_image"):
        image = gce.vm_image
        vm_image = {"project": image.project}
        if image.family:
            vm_image["family"] = image.family
        if image.name:
            vm_image["name"] = image.name
    container = None
    if gce._pb.HasField("container_image"):
        container = {"repository": gce.container_image.repository}
        if gce.container_image.tag:
            container["tag"] = gce.container_image.tag
    proxy = instance.proxy_uri or None
    return {
        "name": instance.name,
        "id": resource_id(instance.name),
        "state": state,
        "stateReason": reason,
        "machineType": gce.machine_type,
        "acceleratorType": _enum_name(accelerator.type_) if accelerator else None,
        "acceleratorCount": int(accelerator.core_count) if accelerator else 0,
        "bootDisk": {
            "type": _enum_name(gce.boot_disk.disk_type),
            "sizeGb": int(gce.boot_disk.disk_size_gb),
        },
        "dataDisk": (
            {"type": _enum_name(data_disk.disk_type), "sizeGb": int(data_disk.disk_size_gb)}
            if data_disk
            else None
        ),
        "vmImage": vm_image,
        "containerImage": container,
        "networkTags": list(gce.tags),
        "serviceAccount": gce.service_accounts[0].email if gce.service_accounts else None,
        "labels": dict(instance.labels),
        "metadata": dict(gce.metadata),
        "proxyUri": proxy,
        "openUrl": open_url(proxy) if state == "ACTIVE" else None,
        "createTime": timestamp(instance.create_time),
        "updateTime": timestamp(instance.update_time),
        "creator": instance.creator or None,
        "healthState": None if health == "HEALTH_STATE_UNSPECIFIED" else health,
    }


def check_create(body: dict[str, Any]) -> None:
    """What the spec's schema cannot say about an ``InstanceCreate``, in Vertex's words."""
    machine = body.get("machineType") or DEFAULT_MACHINE_TYPE
    accelerator = body.get("acceleratorType")
    count = body.get("acceleratorCount")
    if count is not None and accelerator is None:
        raise InvalidArgument("Field 'acceleratorCount': it needs acceleratorType.")
    problem = machines.machine_problem(machine, accelerator, count or 1 if accelerator else None)
    if problem is not None:
        field = "machineType" if problem.startswith("Machine type") else "acceleratorType"
        raise InvalidArgument(f"Field '{field}': {problem}")
    if body.get("vmImageFamily") and body.get("containerImage"):
        raise InvalidArgument(
            "Field 'containerImage': give either vmImageFamily or containerImage, not both."
        )


def build_instance(body: dict[str, Any]) -> Any:
    """An ``InstanceCreate`` as a ``notebooks_v2.Instance`` (its ``gce_setup``)."""
    from google.cloud import notebooks_v2 as nb

    gce = nb.GceSetup(machine_type=body.get("machineType") or DEFAULT_MACHINE_TYPE)
    accelerator = body.get("acceleratorType")
    if accelerator:
        gce.accelerator_configs = [
            nb.AcceleratorConfig(type_=accelerator, core_count=body.get("acceleratorCount") or 1)
        ]
        gce.gpu_driver_config = nb.GPUDriverConfig(
            enable_gpu_driver=body.get("installGpuDriver", True)
        )
    gce.boot_disk = nb.BootDisk(
        disk_type=body.get("bootDiskType") or "PD_BALANCED",
        disk_size_gb=body.get("bootDiskSizeGb") or 150,
    )
    gce.data_disks = [
        nb.DataDisk(
            disk_type=body.get("dataDiskType") or "PD_BALANCED",
            disk_size_gb=body.get("dataDiskSizeGb") or 100,
        )
    ]
    container = body.get("containerImage")
    if container:
        gce.container_image = nb.ContainerImage(
            repository=container["repository"], tag=container.get("tag") or ""
        )
    else:
        gce.vm_image = nb.VmImage(
            project=DEFAULT_IMAGE_PROJECT, family=body.get("vmImageFamily") or DEFAULT_IMAGE_FAMILY
        )
    metadata = dict(body.get("metadata") or {})
    if body.get("postStartupScript"):
        metadata[SCRIPT_KEY] = body["postStartupScript"]
    gce.metadata = metadata
    gce.tags = list(body.get("networkTags") or [])
    if body.get("serviceAccount"):
        gce.service_accounts = [nb.ServiceAccount(email=body["serviceAccount"])]
    return nb.Instance(gce_setup=gce, labels=dict(body.get("labels") or {}))


class InstancesService:
    def __init__(self, clients: ClientFactory) -> None:
        self.clients = clients

    async def _client(self) -> Any:
        return await self.clients.client(NOTEBOOKS, CLIENT)

    async def _parent(self) -> str:
        location = await self.clients.location()
        return f"projects/{location.project}/locations/{zone_of(location.region)}"

    async def _name(self, instance_id: str) -> str:
        return f"{await self._parent()}/instances/{instance_id}"

    async def list(
        self, *, page_size: int | None = None, page_token: str | None = None
    ) -> dict[str, Any]:
        client = await self._client()
        request = list_request(
            parent=await self._parent(), page_size=page_size, page_token=page_token
        )
        pager = await self.clients.call(client.list_instances, request=request)
        return page("instances", pager.instances, instance_to_json, pager.next_page_token)

    async def get(self, instance_id: str) -> dict[str, Any]:
        client = await self._client()
        instance = await self.clients.call(client.get_instance, name=await self._name(instance_id))
        return instance_to_json(instance)

    async def create(self, body: dict[str, Any]) -> dict[str, Any]:
        check_create(body)
        client = await self._client()
        parent = await self._parent()
        instance = build_instance(body)
        operation = await self.clients.call(
            client.create_instance,
            parent=parent,
            instance_id=body["instanceId"],
            instance=instance,
        )
        return operation_to_json(operation.operation)

    async def delete(self, instance_id: str) -> dict[str, Any]:
        client = await self._client()
        operation = await self.clients.call(
            client.delete_instance, name=await self._name(instance_id)
        )
        return operation_to_json(operation.operation)

    async def act(self, instance_id: str, action: str) -> dict[str, Any]:
        """``start``, ``stop`` or ``reset``: the operation, at once."""
        client = await self._client()
        method = {
            "start": client.start_instance,
            "stop": client.stop_instance,
            "reset": client.reset_instance,
        }[action]
        operation = await self.clients.call(method, request={"name": await self._name(instance_id)})
        return operation_to_json(operation.operation)

    async def running(self) -> builtins.list[dict[str, Any]]:
        """Every instance that is not stopped (all pages)."""
        found: builtins.list[dict[str, Any]] = []
        token: str | None = None
        while True:
            answer = await self.list(page_size=100, page_token=token)
            found += [i for i in answer["instances"] if i["state"] not in IDLE_STATES]
            token = answer["nextPageToken"]
            if not token:
                return found
