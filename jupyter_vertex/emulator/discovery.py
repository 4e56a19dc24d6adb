"""Google's own descriptions of the APIs the embedded Vertex serves: the discovery documents
that ``google-api-python-client`` ships (``googleapiclient/discovery_cache/documents/``).

They list every REST method of each API with its HTTP verb, path and request schema, offline.
The coverage page (:mod:`.coverage`) and the fuzz tests (``tests/emulator/fuzz``) read them
through this module. ``google-api-python-client`` is a test dependency only: nothing here
imports it (its documents are found on disk), and the emulator never imports this module.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

DISTRIBUTION = "google-api-python-client"


@dataclass(frozen=True)
class Family:
    document: str  # the document's file name without ".json", e.g. "aiplatform.v1"
    title: str


# The APIs the embedded Vertex serves (some of), in the order the coverage page lists them.
# Resource Manager twice: the SDK's project lookup is v1's projects.get, Cloud's console v3's.
FAMILIES: tuple[Family, ...] = (
    Family("aiplatform.v1", "Vertex AI"),
    Family("notebooks.v2", "Notebooks (Workbench instances)"),
    Family("monitoring.v3", "Cloud Monitoring"),
    Family("logging.v2", "Cloud Logging"),
    Family("cloudresourcemanager.v3", "Resource Manager"),
    Family("cloudresourcemanager.v1", "Resource Manager"),
)

# Path values for probes: a project of its own and the default region, "1" for the rest.
PROBE_PROJECT = "discovery-probe"
PROBE_LOCATION = "us-central1"
_PROBE_VALUES = {"projectsId": PROBE_PROJECT, "projectId": PROBE_PROJECT}
_PROBE_VALUES["locationsId"] = PROBE_LOCATION
_VARIABLE = re.compile(r"\{([^}]+)\}")


@dataclass(frozen=True)
class Method:
    """One REST method of a discovery document."""

    family: str  # the document, e.g. "aiplatform.v1"
    id: str  # e.g. "aiplatform.projects.locations.models.upload"
    http_method: str
    path: str  # the URI template, e.g. "v1/{+parent}/models:upload"
    flat_path: str  # one variable per segment: "v1/projects/{projectsId}/locations/..."
    parameters: dict[str, Any]  # name -> discovery parameter (location "path" or "query")
    request: str | None  # the request body's schema name, if any

    @property
    def path_variables(self) -> list[str]:
        """The flat path's variables, in order."""
        return _VARIABLE.findall(self.flat_path)

    @property
    def query_parameters(self) -> dict[str, Any]:
        return {k: v for k, v in self.parameters.items() if v.get("location") == "query"}

    def url_path(self, values: dict[str, str]) -> str:
        """The flat path with each variable's value percent-encoded (a missing value is
        "1"), with the leading "/"."""

        def value(match: re.Match[str]) -> str:
            return quote(values.get(match.group(1), "1"), safe="")

        return "/" + _VARIABLE.sub(value, self.flat_path)

    def probe_path(self) -> str:
        """The path a probe sends: placeholder values for every variable."""
        return self.url_path(_PROBE_VALUES)


def documents_dir() -> Path:
    """Where ``google-api-python-client`` keeps its documents (without importing it)."""
    spec = importlib.util.find_spec("googleapiclient")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            f"{DISTRIBUTION} is not installed: pip install -e '.[test]' (it ships Google's "
            "discovery documents)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "discovery_cache" / "documents"


@functools.cache
def document(name: str) -> dict[str, Any]:
    """A discovery document by name, e.g. ``"aiplatform.v1"``."""
    loaded: dict[str, Any] = json.loads((documents_dir() / f"{name}.json").read_text("utf-8"))
    return loaded


def methods(name: str) -> list[Method]:
    """Every method of a document, sorted by id."""
    found: list[Method] = []
    _collect(name, document(name), found)
    return sorted(found, key=lambda m: m.id)


def _collect(family: str, resource: dict[str, Any], out: list[Method]) -> None:
    for raw in resource.get("methods", {}).values():
        out.append(
            Method(
                family=family,
                id=raw["id"],
                http_method=raw["httpMethod"],
                path=raw["path"],
                flat_path=raw.get("flatPath", raw["path"]),
                parameters=raw.get("parameters", {}),
                request=raw.get("request", {}).get("$ref"),
            )
        )
    for child in resource.get("resources", {}).values():
        _collect(family, child, out)


def schema(family: str, name: str) -> dict[str, Any]:
    """A named schema of a document."""
    found: dict[str, Any] = document(family)["schemas"][name]
    return found


def installed_version() -> str:
    """The version of ``google-api-python-client`` whose documents are read."""
    from importlib.metadata import version

    return version(DISTRIBUTION)
