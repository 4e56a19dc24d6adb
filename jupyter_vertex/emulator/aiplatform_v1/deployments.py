"""Which model versions are deployed where, read from the endpoints' ``deployedModels``.

Endpoints own the deployment records (``Endpoint.deployedModels[]`` with ``id``, ``model``
and ``modelVersionId``, as Vertex answers them; the serving slice writes them). Models show
them as ``Model.deployedModels[]`` references, and a deployed model or version cannot be
deleted. ``model`` may name a version (``…/models/ID@2``); ``modelVersionId`` is the
resolved version. Endpoints may be in another location than the model, so all are read.
"""

from __future__ import annotations

from typing import Any

from ..core.store import Tx

ENDPOINT_KIND = "endpoint"

DeploymentIndex = dict[tuple[str, str], list[dict[str, str]]]


def index(tx: Tx) -> DeploymentIndex:
    """(model name without version, version id) → [DeployedModelRef JSON, ...]."""
    result: DeploymentIndex = {}
    for endpoint in tx.all_of_kind(ENDPOINT_KIND):
        for deployed in endpoint.get("deployedModels") or []:
            model = str(deployed.get("model", ""))
            base, _, version = model.partition("@")
            version_id = str(deployed.get("modelVersionId") or version or "")
            ref = {"endpoint": endpoint["name"], "deployedModelId": str(deployed.get("id", ""))}
            result.setdefault((base, version_id), []).append(ref)
    return result


def refs_for_model(deployments: DeploymentIndex, model_name: str) -> list[dict[str, Any]]:
    """Every deployment of any version of a model."""
    return [ref for (base, _), refs in deployments.items() if base == model_name for ref in refs]
