"""The embedded Vertex's machine: which GPUs work that asks for accelerators gets there.

The emulator finds them once (``nvidia-smi -L``) and answers ``GET /local/v1/machine``;
this reads that answer (a blocking HTTP call: run it through ``run_blocking``). Vertex AI
provisions what is asked for, so there is nothing to read on the ``vertex`` backend.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

MACHINE_PATH = "/local/v1/machine"
TIMEOUT = 5.0


def read_gpus(url: str, token: str, timeout: float = TIMEOUT) -> list[dict[str, Any]]:
    """``[{index, name}]`` of the embedded Vertex's machine (``[]``: it runs work on CPU).
    Raises ``OSError`` (``urllib.error.URLError``) or ``ValueError`` when it cannot tell."""
    request = urllib.request.Request(  # noqa: S310 - the emulator's own http:// URL
        url.rstrip("/") + MACHINE_PATH, headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        data = json.loads(response.read())
    return [{"index": int(g["index"]), "name": str(g["name"])} for g in data.get("gpus") or []]
