"""A model's versions and aliases, by Vertex's rules.

Version ids count up from 1 and are never reused; aliases match
``[a-z][a-zA-Z0-9-]{0,126}[a-z0-9]`` and are unique within a model (adding one that another
version holds moves it); exactly one version holds ``default``: the first version gets it,
a new version takes it only when its ``versionAliases`` include it, and it can be moved but
never removed.
"""

from __future__ import annotations

from typing import Any

from ..core.errors import internal, invalid_argument, not_found
from ..core.resources import VERSION_ALIAS, VERSION_ID
from ..core.store import Tx
from .resource_handlers import existing

KIND_MODEL = "model"
KIND_VERSION = "modelVersion"
DEFAULT = "default"


def get_model_record(tx: Tx, path: str) -> dict[str, Any]:
    """The stored model (what its versions share); NOT_FOUND if none."""
    return existing(tx, path, KIND_MODEL, "Model")


def versions_of(tx: Tx, path: str) -> list[dict[str, Any]]:
    """The stored versions of the model at ``path``."""
    return tx.children(KIND_VERSION, path)


def resolve_version(tx: Tx, model: dict[str, Any], version: str | None) -> dict[str, Any]:
    """A version by id or alias; the default version for None or ``-``."""
    path = model["name"]
    if version in (None, "-"):
        found = tx.get(f"{path}@{model['defaultVersionId']}", KIND_VERSION)
        if found is None:  # pragma: no cover - the default version always exists
            raise internal(f"Model {path} has no default version.")
        return found
    assert version is not None
    if VERSION_ID.match(version):
        found = tx.get(f"{path}@{version}", KIND_VERSION)
    else:
        found = next(
            (v for v in versions_of(tx, path) if version in (v.get("versionAliases") or [])), None
        )
    if found is None:
        raise not_found(f"Model {path}@{version} not found.")
    return found


# aliases -------------------------------------------------------------------------------


def check_aliases(aliases: list[str], field: str, *, allow_removal: bool) -> None:
    """INVALID_ARGUMENT unless ``aliases`` are well formed (``-alias`` removes, if allowed)."""
    seen: set[str] = set()
    for raw in aliases:
        alias = raw[1:] if allow_removal and raw.startswith("-") else raw
        if not VERSION_ALIAS.match(alias):
            raise invalid_argument(
                f"Invalid {field}: {raw!r} does not match [a-z][a-zA-Z0-9-]{{0,126}}[a-z0-9]."
            )
        if alias in seen:
            raise invalid_argument(f"Invalid {field}: {alias!r} is given more than once.")
        seen.add(alias)
        if raw == f"-{DEFAULT}":
            raise invalid_argument(
                f"Invalid {field}: the default alias cannot be removed; add it to another "
                "version to move it."
            )


def apply_aliases(
    tx: Tx, model: dict[str, Any], target: dict[str, Any], add: list[str], remove: list[str]
) -> None:
    """Add (moving from other versions) and remove aliases on ``target``; write changes."""
    changed: dict[str, dict[str, Any]] = {}
    versions = {v["versionId"]: v for v in versions_of(tx, model["name"])}
    versions[target["versionId"]] = target
    own = target.setdefault("versionAliases", [])
    for alias in remove:
        if alias in own:
            own.remove(alias)
            changed[target["versionId"]] = target
    for alias in add:
        for other in versions.values():
            if other is not target and alias in (other.get("versionAliases") or []):
                other["versionAliases"].remove(alias)
                changed[other["versionId"]] = other
        if alias not in own:
            own.append(alias)
            changed[target["versionId"]] = target
        if alias == DEFAULT and model["defaultVersionId"] != target["versionId"]:
            model["defaultVersionId"] = target["versionId"]
            model["updateTime"] = tx.now
            tx.update(model["name"], model)
    for version in changed.values():
        if not version["versionAliases"]:
            del version["versionAliases"]
        version["versionUpdateTime"] = tx.now
        if tx.exists(f"{model['name']}@{version['versionId']}"):
            tx.update(f"{model['name']}@{version['versionId']}", version)
