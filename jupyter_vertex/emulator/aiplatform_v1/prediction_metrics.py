"""The endpoints' prediction metrics: the serving engine's :class:`Metrics`, measuring what
the predict route counts and sampling the model servers of every deployed model."""

from __future__ import annotations

from ..core.routing import Context
from ..core.store import Tx
from ..serving.measurements import Metrics
from ..serving.serving import Serving
from .deployments import ENDPOINT_KIND


def deployed_models(tx: Tx) -> list[tuple[str, str]]:
    """(endpoint name, deployed model id) of every deployed model."""
    return [
        (endpoint["name"], str(deployed["id"]))
        for endpoint in tx.all_of_kind(ENDPOINT_KIND)
        for deployed in endpoint.get("deployedModels") or []
    ]


def attach(ctx: Context, **options: float) -> Metrics:
    """Create and start the metrics of an emulator's context (once the loop runs)."""

    async def read_deployed() -> list[tuple[str, str]]:
        return await ctx.store.read(deployed_models)

    metrics = Metrics(ctx.store.path.parent, ctx.get(Serving), read_deployed, **options)
    ctx.add(metrics)
    metrics.start()
    return metrics
