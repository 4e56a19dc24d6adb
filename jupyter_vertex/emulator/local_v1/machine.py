"""``GET /local/v1/machine``: the machine's GPUs, as found once at start-up.

Vertex provisions the accelerators a job or a deployment asks for; the embedded Vertex has
only this machine's. Clients (the server extension) read this to say honestly where work
runs: ``{"gpus": [{"index", "name", "uuid"}]}``, empty when the machine has none (work that
asks for accelerators then runs on CPU).
"""

from __future__ import annotations

from ..core.gpus import GpuPool
from ..core.routing import Call, Reply, Route


async def get_machine(call: Call) -> Reply:
    pool = call.ctx.get(GpuPool)
    return Reply("", {"gpus": pool.describe() if pool is not None else []})


def routes() -> list[Route]:
    return [Route("GET", "/local/v1/machine", "", get_machine)]
