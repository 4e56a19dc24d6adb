"""Google Cloud machine types and the GPUs each one takes, as Vertex AI accepts them.

A neutral module (no imports from the extension or the emulator) so that both the
extension's checks and the embedded Vertex (Workbench instances) use the same facts.
Messages are in Vertex AI's words, without a field prefix; callers add theirs.
"""

from __future__ import annotations

import re

_N1 = re.compile(r"n1-(?:standard|highmem|highcpu)-(?:1|2|4|8|16|32|64|96)")
_CPU_ONLY = re.compile(
    r"(?:n2-(?:standard|highmem|highcpu)-\d+|n2d-(?:standard|highmem|highcpu)-\d+"
    r"|e2-(?:standard|highmem|highcpu)-\d+|c2-standard-\d+|m1-(?:ultramem|megamem)-\d+)"
)
_A2 = re.compile(r"a2-(?P<kind>highgpu|megagpu|ultragpu)-(?P<count>\d+)g")
_G2 = re.compile(r"g2-standard-(?P<cpus>\d+)")
_A3 = re.compile(r"a3-highgpu-(?P<count>\d+)g")

N1_ACCELERATORS = ("NVIDIA_TESLA_T4", "NVIDIA_TESLA_V100", "NVIDIA_TESLA_P100", "NVIDIA_TESLA_P4")
_A2_COUNTS = {"highgpu": (1, 2, 4, 8), "megagpu": (16,), "ultragpu": (1, 2, 4, 8)}
_G2_COUNTS = {4: 1, 8: 1, 12: 1, 16: 1, 32: 1, 24: 2, 48: 4, 96: 8}


def accelerators_for(machine_type: str) -> tuple[tuple[str, ...], tuple[int, ...]] | None:
    """``(accelerator types, allowed counts)`` a machine type takes; ``()`` types: none;
    ``None``: no such machine type."""
    if _N1.fullmatch(machine_type):
        return N1_ACCELERATORS, (1, 2, 4, 8)
    if _CPU_ONLY.fullmatch(machine_type):
        return (), ()
    if m := _A2.fullmatch(machine_type):
        counts = _A2_COUNTS[m["kind"]]
        if int(m["count"]) not in counts:
            return None
        kind = "NVIDIA_A100_80GB" if m["kind"] == "ultragpu" else "NVIDIA_TESLA_A100"
        return (kind,), (int(m["count"]),)
    if (m := _G2.fullmatch(machine_type)) and int(m["cpus"]) in _G2_COUNTS:
        return ("NVIDIA_L4",), (_G2_COUNTS[int(m["cpus"])],)
    if (m := _A3.fullmatch(machine_type)) and m["count"] == "8":
        return ("NVIDIA_H100_80GB",), (8,)
    return None


def machine_problem(
    machine_type: str, accelerator_type: str | None, accelerator_count: int | None
) -> str | None:
    """What Vertex AI says against a machine/accelerator combination, or None if it is fine.

    ``accelerator_type`` None means no accelerator (``accelerator_count`` is then ignored).
    """
    allowed = accelerators_for(machine_type)
    if allowed is None:
        return f'Machine type "{machine_type}" is not supported.'
    types, counts = allowed
    if accelerator_type is None:
        if types and machine_type.split("-", 1)[0] in ("a2", "a3", "g2"):
            return (
                f'Machine type "{machine_type}" requires accelerator "{types[0]}" with '
                f"accelerator_count {counts[0]}."
            )
        return None
    if accelerator_type not in types:
        return (
            f'Accelerator "{accelerator_type}" is not supported for machine type "{machine_type}".'
        )
    if accelerator_count not in counts:
        valid = ", ".join(str(c) for c in counts)
        return (
            f"Accelerator count {accelerator_count} is not valid for accelerator "
            f'"{accelerator_type}" on machine type "{machine_type}" (valid: {valid}).'
        )
    return None
