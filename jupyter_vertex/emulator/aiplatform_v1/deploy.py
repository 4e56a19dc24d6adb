"""DeployModel, UndeployModel and MutateDeployedModel (long-running operations).

DeployModel checks at once what Vertex checks at once (endpoint, model version, a serving
container the embedded Vertex can run, resources, traffic split), writes a pending
operation, starts the model servers and, once they answer their health route, records the
deployed model and its traffic in the endpoint and completes the operation in one
transaction. If the servers do not come up the operation fails with their last output and
nothing is left behind. UndeployModel removes the record, then stops the processes.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from ..core.errors import ApiError, failed_precondition, invalid_argument, not_found
from ..core.masks import update_paths
from ..core.resources import new_numeric_id, parse_resource_name
from ..core.routing import Call, Context, Reply, Route
from ..core.store import Tx
from ..serving.autoscale import Scaling, target_of
from ..serving.containers import ServerSpec, server_for
from ..serving.serving import Serving
from . import V1
from .deployments import ENDPOINT_KIND
from .model_versions import KIND_MODEL, KIND_VERSION, resolve_version

log = logging.getLogger(__name__)

OPERATION = "google.longrunning.Operation"
UNBOUNDED = 1_000_000  # replicas; capped by --max-replicas-per-model
_tasks: set[asyncio.Task[Any]] = set()


def _endpoint(tx: Tx, path: str) -> dict[str, Any]:
    found = tx.get(path, ENDPOINT_KIND)
    if found is None:
        raise not_found(f"Endpoint {path} not found.")
    return found


def serving_of(ctx: Context) -> Serving:
    serving = ctx.get(Serving)
    if serving is None:  # pragma: no cover - always set by the server
        raise failed_precondition("Serving is not available in this embedded Vertex.")
    return serving


def model_source(tx: Tx, model_name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(model, version) for ``projects/…/models/ID[@version]``."""
    name = parse_resource_name(model_name, "models", "deployed_model.model", allow_version=True)
    model = tx.get(name.path, KIND_MODEL)
    if model is None:
        raise not_found(f"Model {model_name} not found.")
    return model, resolve_version(tx, model, name.version)


def _percent(value: Any, key: str) -> int:
    try:
        percent = int(value)
    except (TypeError, ValueError):
        raise invalid_argument(f"Invalid traffic_split: {value!r} for {key!r}.") from None
    if not 0 <= percent <= 100:
        raise invalid_argument(f"Invalid traffic_split: {percent} for {key!r} is not in 0..100.")
    return percent


def check_split(split: dict[str, Any], ids: set[str]) -> dict[str, int]:
    out = {}
    for key, value in split.items():
        if key not in ids:
            raise invalid_argument(
                f"Invalid traffic_split: {key!r} is not the id of a model deployed to this "
                'endpoint (use "0" for the model being deployed).'
            )
        out[key] = _percent(value, key)
    if out and sum(out.values()) != 100:
        raise invalid_argument(
            f"Invalid traffic_split: the percentages add up to {sum(out.values())}, not 100."
        )
    return out


def scaling_of(deployed: dict[str, Any]) -> Scaling:
    """Check dedicated/automatic resources; answer the replica bounds asked for."""
    dedicated = deployed.get("dedicatedResources")
    automatic = deployed.get("automaticResources")
    if dedicated and automatic:
        raise invalid_argument(
            "deployed_model: set only one of dedicated_resources and automatic_resources."
        )
    spec = dedicated or automatic
    if spec is None:
        raise invalid_argument(
            "deployed_model.dedicated_resources is required: this model supports "
            "DEDICATED_RESOURCES."
        )
    if dedicated and not (dedicated.get("machineSpec") or {}).get("machineType"):
        raise invalid_argument(
            "deployed_model.dedicated_resources.machine_spec.machine_type is required."
        )
    low = int(spec.get("minReplicaCount") or 0)
    high = int(spec.get("maxReplicaCount") or 0)
    if dedicated and low < 1:
        raise invalid_argument(
            "deployed_model.dedicated_resources.min_replica_count must be at least 1."
        )
    if high and high < low:
        raise invalid_argument(
            f"deployed_model: max_replica_count ({high}) is less than min_replica_count ({low})."
        )
    low = max(1, low)
    if not high:
        # unset: dedicated resources keep min (no autoscaling); automatic ones have no upper
        # bound on Vertex, here --max-replicas-per-model
        high = low if dedicated else UNBOUNDED
    machine = (dedicated or {}).get("machineSpec") or {}
    asked = machine.get("acceleratorType")
    accelerators = int(machine.get("acceleratorCount") or 1) if asked else 0
    return Scaling(low, max(low, high), target_of(spec), accelerators)


class DeployPlan:
    def __init__(self, request: dict[str, Any]) -> None:
        self.endpoint = parse_resource_name(request.get("endpoint", ""), "endpoints", "endpoint")
        self.body = dict(request.get("deployedModel") or {})
        if not self.body.get("model"):
            raise invalid_argument("deployed_model.model is required.")
        self.scaling = scaling_of(self.body)
        self.split = dict(request.get("trafficSplit") or {})
        self.deployed_id = str(self.body.get("id") or new_numeric_id())
        self.server = ServerSpec()
        self.artifact = ""

    def check(self, tx: Tx) -> None:
        endpoint = _endpoint(tx, self.endpoint.path)
        model, version = model_source(tx, self.body["model"])
        self.model_name = model["name"]
        self.model_display_name = model["displayName"]
        self.version_id = version["versionId"]
        self.server = server_for(version.get("containerSpec") or {})
        self.artifact = version.get("artifactUri", "")
        if not self.artifact:
            raise failed_precondition(
                f"Model {self.model_name}@{self.version_id} has no artifact_uri: the SDK's "
                "model server loads the model from its artifacts."
            )
        self.new_split(endpoint)

    def new_split(self, endpoint: dict[str, Any]) -> dict[str, int]:
        deployed = endpoint.get("deployedModels") or []
        ids = {str(d["id"]) for d in deployed}
        if self.deployed_id in ids:
            raise invalid_argument(
                f"deployed_model.id {self.deployed_id} is already deployed to this endpoint."
            )
        split = check_split(self.split, ids | {"0"})
        if split:
            return {(self.deployed_id if k == "0" else k): v for k, v in split.items()}
        current = {k: int(v) for k, v in (endpoint.get("trafficSplit") or {}).items()}
        return current if deployed else {self.deployed_id: 100}

    def work(self, tx: Tx) -> dict[str, Any]:
        endpoint = _endpoint(tx, self.endpoint.path)
        split = self.new_split(endpoint)
        record = {
            **{k: v for k, v in self.body.items() if k not in ("status", "createTime")},
            "id": self.deployed_id,
            "model": self.model_name,
            "modelVersionId": self.version_id,
            "displayName": self.body.get("displayName") or self.model_display_name,
            "createTime": tx.now,
        }
        endpoint.setdefault("deployedModels", []).append(record)
        endpoint["trafficSplit"] = {k: v for k, v in split.items() if v or k == self.deployed_id}
        endpoint["updateTime"] = tx.now
        tx.update(endpoint["name"], endpoint)
        return {"deployedModel": record}


async def _deploy(call: Call) -> Reply:
    plan = DeployPlan(call.request)
    serving = serving_of(call.ctx)
    operations = call.ctx.operations
    operation = await operations.begin(
        parent=plan.endpoint.path,
        metadata_type=f"{V1}.DeployModelOperationMetadata",
        check=plan.check,
    )
    name = operation["name"]
    operations.on_cancel(name, lambda: serving.undeploy(plan.deployed_id))

    async def run() -> None:
        try:
            await serving.deploy(plan.deployed_id, plan.server, plan.artifact, plan.scaling)
        except ApiError as error:
            await operations.fail(name, error)
            return
        except Exception as error:  # noqa: BLE001
            log.exception("deploying %s failed", plan.deployed_id)
            await operations.fail(name, ApiError("INTERNAL", f"Deploying failed: {error}"))
            return
        done = await operations.finish(name, f"{V1}.DeployModelResponse", plan.work)
        if done is None or "error" in done:
            await serving.undeploy(plan.deployed_id)

    task = asyncio.ensure_future(run())
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
    return Reply(OPERATION, operation)


class UndeployPlan:
    def __init__(self, request: dict[str, Any]) -> None:
        self.endpoint = parse_resource_name(request.get("endpoint", ""), "endpoints", "endpoint")
        self.deployed_id = str(request.get("deployedModelId") or "")
        if not self.deployed_id:
            raise invalid_argument("deployed_model_id is required.")
        self.split = dict(request.get("trafficSplit") or {})

    def work(self, tx: Tx) -> dict[str, Any]:
        endpoint = _endpoint(tx, self.endpoint.path)
        deployed = endpoint.get("deployedModels") or []
        if not any(str(d["id"]) == self.deployed_id for d in deployed):
            raise not_found(
                f"Deployed model {self.deployed_id} not found in endpoint {endpoint['name']}."
            )
        rest = [d for d in deployed if str(d["id"]) != self.deployed_id]
        ids = {str(d["id"]) for d in rest}
        if self.split:
            split = check_split(self.split, ids)
        else:
            current = {k: int(v) for k, v in (endpoint.get("trafficSplit") or {}).items()}
            if rest and current.get(self.deployed_id, 0) > 0:
                raise failed_precondition(
                    f"Deployed model {self.deployed_id} receives "
                    f"{current[self.deployed_id]}% of the traffic; give it 0% (traffic_split) "
                    "before undeploying it."
                )
            split = {k: v for k, v in current.items() if k in ids}
        endpoint["deployedModels"] = rest
        if rest and split:
            endpoint["trafficSplit"] = split
        else:
            endpoint.pop("trafficSplit", None)
        if not rest:
            endpoint.pop("deployedModels", None)
        endpoint["updateTime"] = tx.now
        tx.update(endpoint["name"], endpoint)
        return {}


async def _undeploy(call: Call) -> Reply:
    plan = UndeployPlan(call.request)
    operation = await call.ctx.operations.run(
        parent=plan.endpoint.path,
        metadata_type=f"{V1}.UndeployModelOperationMetadata",
        response_type=f"{V1}.UndeployModelResponse",
        check=lambda tx: _check_undeploy(tx, plan),
        work=plan.work,
    )
    await serving_of(call.ctx).undeploy(plan.deployed_id)
    return Reply(OPERATION, operation)


def _check_undeploy(tx: Tx, plan: UndeployPlan) -> None:
    try:
        with tx.savepoint():
            plan.work(tx)
            raise _Rollback
    except _Rollback:
        pass


class _Rollback(Exception):
    pass


_MUTABLE = {
    "dedicated_resources.min_replica_count",
    "dedicated_resources.max_replica_count",
    "dedicated_resources.autoscaling_metric_specs",
    "automatic_resources.min_replica_count",
    "automatic_resources.max_replica_count",
    "disable_container_logging",
    "enable_access_logging",
}


def mutate(tx: Tx, request: dict[str, Any]) -> dict[str, Any]:
    name = parse_resource_name(request.get("endpoint", ""), "endpoints", "endpoint")
    body = request.get("deployedModel") or {}
    paths = update_paths(request.get("updateMask", ""), f"{V1}.DeployedModel", _MUTABLE)
    endpoint = _endpoint(tx, name.path)
    target = next(
        (d for d in endpoint.get("deployedModels") or [] if str(d["id"]) == str(body.get("id"))),
        None,
    )
    if target is None:
        raise not_found(f"Deployed model {body.get('id')!r} not found in endpoint {name.path}.")
    for path in paths:
        head, _, leaf = path.partition(".")
        key = "".join(p.capitalize() if i else p for i, p in enumerate(head.split("_")))
        if not leaf:
            target[key] = body.get(key)
            continue
        if key not in target:
            raise invalid_argument(f"Invalid update_mask: the deployed model has no {head}.")
        sub = "".join(p.capitalize() if i else p for i, p in enumerate(leaf.split("_")))
        value = (body.get(key) or {}).get(sub)
        if value is None:
            target[key].pop(sub, None)
        else:
            target[key][sub] = value
    scaling_of(target)
    endpoint["updateTime"] = tx.now
    tx.update(endpoint["name"], endpoint)
    return {"deployedModel": target}


async def _mutate(call: Call) -> Reply:
    name = parse_resource_name(call.request.get("endpoint", ""), "endpoints", "endpoint")

    def check(tx: Tx) -> None:
        try:
            with tx.savepoint():
                mutate(tx, call.request)
                raise _Rollback
        except _Rollback:
            pass

    operation = await call.ctx.operations.run(
        parent=name.path,
        metadata_type=f"{V1}.MutateDeployedModelOperationMetadata",
        response_type=f"{V1}.MutateDeployedModelResponse",
        check=check,
        work=lambda tx: mutate(tx, call.request),
    )
    deployed = (operation.get("response") or {}).get("deployedModel")
    if deployed:
        await serving_of(call.ctx).rescale(str(deployed["id"]), scaling_of(deployed))
    return Reply(OPERATION, operation)


async def resume_all(ctx: Context) -> int:
    """Start the servers of every recorded deployed model (at start-up); answer how many."""
    serving = serving_of(ctx)

    def read(tx: Tx) -> list[tuple[str, ServerSpec, str, Scaling]]:
        found = []
        for endpoint in tx.all_of_kind(ENDPOINT_KIND):
            for deployed in endpoint.get("deployedModels") or []:
                try:
                    base = str(deployed["model"]).partition("@")[0]
                    model = tx.get(base, KIND_MODEL)
                    version = tx.get(f"{base}@{deployed['modelVersionId']}", KIND_VERSION)
                    if model is None or version is None:
                        continue
                    found.append(
                        (
                            str(deployed["id"]),
                            server_for(version.get("containerSpec") or {}),
                            version.get("artifactUri", ""),
                            scaling_of(deployed),
                        )
                    )
                except (ApiError, KeyError, ValueError):
                    continue
        return found

    items = await ctx.store.read(read)
    for deployed_id, server, artifact, scaling in items:
        serving.resume(deployed_id, server, artifact, scaling)
    return len(items)


def routes() -> list[Route]:
    endpoint = "projects/*/locations/*/endpoints/*"
    request = f"{V1}."
    return [
        Route(
            "POST",
            f"/v1/{{endpoint={endpoint}}}:deployModel",
            request + "DeployModelRequest",
            _deploy,
            "*",
        ),
        Route(
            "POST",
            f"/v1/{{endpoint={endpoint}}}:undeployModel",
            request + "UndeployModelRequest",
            _undeploy,
            "*",
        ),
        Route(
            "POST",
            f"/v1/{{endpoint={endpoint}}}:mutateDeployedModel",
            request + "MutateDeployedModelRequest",
            _mutate,
            "*",
        ),
    ]
