"""Traffic splits when a model joins or leaves an endpoint, computed as the Python SDK does.

``google.cloud.aiplatform.Endpoint`` scales the other deployed models' shares in proportion
(``_allocate_traffic`` / ``_unallocate_traffic``), rounding down and handing the remainder
out one percent at a time in the split's order. Doing the same here means the panel and a
notebook using the SDK end with the same split.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["NEW_MODEL", "split_with_new_model", "split_without_model"]

#: The key of the model being deployed in DeployModel's ``traffic_split``.
NEW_MODEL = "0"


def _hand_out(split: dict[str, int], remainder: int) -> dict[str, int]:
    for key in split:
        if remainder == 0:
            break
        split[key] += 1
        remainder -= 1
    return split


def split_with_new_model(current: Mapping[str, int], percent: int) -> dict[str, int]:
    """DeployModel's ``traffic_split``: ``percent`` to the new model (key ``"0"``), the rest
    shared by the current models in proportion to their current share."""
    split: dict[str, int] = {}
    rest = 100 - percent
    if rest:
        for key, share in current.items():
            split[key] = int(share / 100 * rest)
        _hand_out(split, rest - sum(split.values()))
    split[NEW_MODEL] = percent
    return split


def split_without_model(current: Mapping[str, int], deployed_model_id: str) -> dict[str, int]:
    """UndeployModel's ``traffic_split``: the leaving model's share goes to the others in
    proportion to theirs. The caller refuses a model holding 100% while others remain."""
    left = 100 - current.get(deployed_model_id, 0)
    split = {key: int(share) for key, share in current.items() if key != deployed_model_id}
    if deployed_model_id in current and left:
        split = {key: int(share / left * 100) for key, share in split.items()}
        _hand_out(split, 100 - sum(split.values()))
    return split
