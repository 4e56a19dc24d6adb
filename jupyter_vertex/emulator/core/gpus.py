"""The machine's NVIDIA GPUs, found once with ``nvidia-smi -L``, and who holds which.

Vertex gives a replica or a model server the accelerators its ``machineSpec`` asks for;
locally they are this machine's GPUs, handed out through ``CUDA_VISIBLE_DEVICES``. The
pool gives the least-held GPUs first, so that two things share a GPU only when more are
asked for at once than the machine has (a request beyond the machine's count gets all of
them). A process that asks for none while the machine has GPUs gets
``CUDA_VISIBLE_DEVICES=""``, as a Vertex machine without accelerators has none. Without
GPUs nothing is set: the work runs on CPU, and :func:`cpu_notice` says so.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import re
from dataclasses import dataclass

log = logging.getLogger(__name__)

CUDA_ENV = "CUDA_VISIBLE_DEVICES"
DETECT_TIMEOUT = 15.0  # seconds nvidia-smi may take (it loads the driver on first use)
# nvidia-smi -L: "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-5e3c…)"
_LINE = re.compile(r"^GPU (\d+): (.+?) \(UUID: ([^)]+)\)\s*$")


@dataclass(frozen=True)
class Gpu:
    index: int
    name: str
    uuid: str


def parse_list(text: str) -> list[Gpu]:
    """The GPUs of ``nvidia-smi -L``'s output (other lines, e.g. MIG devices, are skipped)."""
    found = []
    for line in text.splitlines():
        match = _LINE.match(line.strip())
        if match:
            found.append(Gpu(int(match[1]), match[2], match[3]))
    return found


async def detect(command: str = "nvidia-smi") -> list[Gpu]:
    """This machine's GPUs; none when nvidia-smi is missing, fails or does not answer."""
    try:
        process = await asyncio.create_subprocess_exec(
            command,
            "-L",
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
    except OSError:
        return []
    try:
        out, _ = await asyncio.wait_for(process.communicate(), DETECT_TIMEOUT)
    except asyncio.TimeoutError:
        process.kill()
        await process.wait()
        log.warning("nvidia-smi -L did not answer within %.0f s: no GPU used", DETECT_TIMEOUT)
        return []
    if process.returncode != 0:
        return []
    return parse_list(out.decode("utf-8", "replace"))


class GpuPool:
    """Hands GPU indexes to owners (a training replica, a model server) and takes them back."""

    def __init__(self, gpus: list[Gpu] | None = None) -> None:
        self.gpus = list(gpus or [])
        self._held: dict[str, list[int]] = {}

    def acquire(self, owner: str, count: int) -> list[int]:
        """``count`` GPU indexes for ``owner`` (replacing what it held), least-held first."""
        self._held.pop(owner, None)
        if not self.gpus or count <= 0:
            return []
        load = collections.Counter(i for held in self._held.values() for i in held)
        ranked = sorted(self.gpus, key=lambda gpu: (load[gpu.index], gpu.index))
        chosen = sorted(gpu.index for gpu in ranked[: min(count, len(self.gpus))])
        self._held[owner] = chosen
        return chosen

    def hold(self, owner: str, indexes: list[int]) -> None:
        """Record what ``owner`` was given before (followed again after a restart)."""
        known = {gpu.index for gpu in self.gpus}
        kept = [i for i in indexes if i in known]
        if kept:
            self._held[owner] = kept

    def release(self, owner: str) -> None:
        self._held.pop(owner, None)

    def release_job(self, job: str) -> None:
        """Take back what every replica of training job ``job`` (owners ``job/task``) held."""
        for owner in [o for o in self._held if o.startswith(job + "/")]:
            del self._held[owner]

    def env(self, indexes: list[int]) -> dict[str, str]:
        """``CUDA_VISIBLE_DEVICES`` for a process holding ``indexes`` ({} without GPUs)."""
        if not self.gpus:
            return {}
        return {CUDA_ENV: ",".join(str(i) for i in indexes)}

    def describe(self) -> list[dict[str, object]]:
        return [{"index": g.index, "name": g.name, "uuid": g.uuid} for g in self.gpus]


def cpu_notice(accelerator: str, count: int, pool: GpuPool, indexes: list[int]) -> str:
    """One log line saying what a request for accelerators got here ("" when none asked)."""
    if not accelerator or count <= 0:
        return ""
    asked = f"{accelerator} × {count}"
    if not pool.gpus:
        return f"jupyter_vertex: runs on CPU here: {asked} requested, this machine has no GPU."
    given = ",".join(str(i) for i in indexes)
    if len(indexes) < count:
        return (
            f"jupyter_vertex: {asked} requested, this machine has {len(pool.gpus)} GPU(s): "
            f"{CUDA_ENV}={given}."
        )
    return f"jupyter_vertex: {asked} requested: {CUDA_ENV}={given}."
