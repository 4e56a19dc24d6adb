"""Where is real Vertex AI for this user: project, region and account.

Sources, first match wins:

1. explicit configuration (``c.VertexApp.project`` / ``c.VertexApp.region``);
2. environment variables (``GOOGLE_CLOUD_PROJECT``, ``CLOUD_ML_REGION``, ...);
3. the gcloud CLI's configuration files (read as files; gcloud is never run);
4. Application Default Credentials (``google.auth.default()``);
5. the Compute Engine metadata server (Vertex Workbench, GCE, GKE), short timeout.

The region falls back to ``us-central1``, the default of the Vertex AI SDK and of
``gcloud ai``. A missing project is a :class:`~jupyter_vertex.errors.ConfigurationError`
whose hint says how to set one.

Everything here blocks (files, a metadata request, google-auth): call it off the event
loop. Results are cached; failures are not, so a fixed configuration is picked up.
"""

from __future__ import annotations

import configparser
import os
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigurationError

# Vertex AI's own default region (its SDK's and gcloud's), for real Vertex AI. Not
# defaults.LOCAL_REGION: that one is the embedded Vertex's, equal today by choice only.
DEFAULT_REGION = "us-central1"

PROJECT_ENV_VARS = (
    "GOOGLE_CLOUD_PROJECT",
    "GCLOUD_PROJECT",
    "CLOUD_ML_PROJECT_ID",
    "CLOUDSDK_CORE_PROJECT",
)
REGION_ENV_VARS = (
    "CLOUD_ML_REGION",
    "GOOGLE_CLOUD_REGION",
    "GOOGLE_CLOUD_LOCATION",
    "CLOUDSDK_AI_REGION",
    "CLOUDSDK_COMPUTE_REGION",
)
ACCOUNT_ENV_VARS = ("CLOUDSDK_CORE_ACCOUNT",)

METADATA_DEFAULT_HOST = "169.254.169.254"
METADATA_FAILURE_TTL = 60.0
# google.auth.default() may probe the metadata server for seconds when no credentials
# exist; a failure is remembered this long (gcloud files and env are re-read every time).
ADC_FAILURE_TTL = 30.0

PROJECT_HINT = (
    "Set the Google Cloud project in one of these ways, then reload: "
    "`c.VertexApp.project = 'my-project'` in jupyter_server_config.py; "
    "or `gcloud config set project my-project`; "
    "or the GOOGLE_CLOUD_PROJECT environment variable of the Jupyter server. "
    "Sign in with `gcloud auth application-default login` if you have not yet."
)

AdcLoader = Callable[[], tuple[Any, "str | None"]]


@dataclass(frozen=True)
class Discovered:
    """Project, region and account of real Vertex AI, and where each came from."""

    project: str
    region: str
    account: str | None
    project_source: str
    region_source: str
    credentials: Any = None


def _default_adc_loader() -> tuple[Any, str | None]:
    import google.auth

    scopes = ["https://www.googleapis.com/auth/cloud-platform"]
    credentials, project = google.auth.default(scopes=scopes)
    return credentials, project


def gcloud_config_dir(env: Mapping[str, str]) -> Path:
    """The gcloud CLI's configuration folder (``CLOUDSDK_CONFIG`` overrides it)."""
    explicit = env.get("CLOUDSDK_CONFIG")
    if explicit:
        return Path(explicit)
    if sys.platform == "win32" and env.get("APPDATA"):
        return Path(env["APPDATA"]) / "gcloud"
    home = env.get("HOME") or str(Path.home())
    return Path(home) / ".config" / "gcloud"


def read_gcloud_properties(env: Mapping[str, str]) -> dict[str, str]:
    """Properties of the active gcloud configuration as ``{"core/project": ...}``.

    Reads ``active_config`` and ``configurations/config_<name>``; never runs gcloud.
    """
    config_dir = gcloud_config_dir(env)
    name = env.get("CLOUDSDK_ACTIVE_CONFIG_NAME", "").strip()
    if not name:
        try:
            name = (config_dir / "active_config").read_text(encoding="utf-8").strip()
        except OSError:
            name = ""
    name = name or "default"
    if "/" in name or "\\" in name or name.startswith("."):
        return {}
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(config_dir / "configurations" / f"config_{name}", encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return {}
    props: dict[str, str] = {}
    for section in parser.sections():
        for key, value in parser.items(section):
            if value.strip():
                props[f"{section}/{key}"] = value.strip()
    return props


class MetadataClient:
    """A minimal, fast-failing client of the Compute Engine metadata server."""

    def __init__(self, host: str | None = None, timeout: float = 0.5) -> None:
        self.host = host or os.environ.get("GCE_METADATA_HOST") or METADATA_DEFAULT_HOST
        self.timeout = timeout
        self._unreachable_until = 0.0
        self._lock = threading.Lock()

    def get(self, path: str) -> str | None:
        """GET ``/computeMetadata/v1/<path>``; ``None`` when absent or unreachable."""
        with self._lock:
            if time.monotonic() < self._unreachable_until:
                return None
        url = f"http://{self.host}/computeMetadata/v1/{path}"
        request = urllib.request.Request(url, headers={"Metadata-Flavor": "Google"})
        try:
            # The URL is http:// to a fixed host chosen by configuration, never user input.
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                if response.headers.get("Metadata-Flavor") != "Google":
                    return None
                return response.read().decode("utf-8").strip() or None
        except urllib.error.HTTPError:
            return None
        except (OSError, ValueError):
            with self._lock:
                self._unreachable_until = time.monotonic() + METADATA_FAILURE_TTL
            return None


def _region_from_zone(zone: str) -> str | None:
    # "projects/123/zones/us-central1-a" -> "us-central1"
    last = zone.rsplit("/", 1)[-1]
    parts = last.split("-")
    if len(parts) < 3:
        return None
    return "-".join(parts[:-1])


def _account_of(credentials: Any) -> str | None:
    for attribute in ("service_account_email", "account", "signer_email"):
        value = getattr(credentials, attribute, None)
        if isinstance(value, str) and "@" in value:
            return value
    return None


class Discovery:
    """Finds project, region and account for the ``vertex`` backend; caches the answer."""

    def __init__(
        self,
        *,
        project: str | None = None,
        region: str | None = None,
        env: Mapping[str, str] | None = None,
        adc_loader: AdcLoader | None = None,
        metadata: MetadataClient | None = None,
        use_metadata_server: bool = True,
    ) -> None:
        self.project = project or None
        self.region = region or None
        self._env = env
        self._adc_loader = adc_loader or _default_adc_loader
        self._metadata = metadata or MetadataClient()
        self._use_metadata = use_metadata_server
        self._cached: Discovered | None = None
        self._adc_failure: tuple[float, Exception] | None = None
        self._lock = threading.Lock()

    @property
    def env(self) -> Mapping[str, str]:
        return self._env if self._env is not None else os.environ

    def cached(self) -> Discovered | None:
        return self._cached

    def clear(self) -> None:
        with self._lock:
            self._cached = None
            self._adc_failure = None

    def discover(self) -> Discovered:
        """Blocking. Returns the cached answer, or looks it up."""
        with self._lock:
            if self._cached is None:
                self._cached = self._discover()
            return self._cached

    # -- the lookup -------------------------------------------------------------

    def _load_adc(self) -> tuple[Any, str | None, Exception | None]:
        failed = self._adc_failure
        if failed is not None and time.monotonic() - failed[0] < ADC_FAILURE_TTL:
            return None, None, failed[1]
        try:
            credentials, project = self._adc_loader()
        except Exception as exc:  # DefaultCredentialsError and friends
            self._adc_failure = (time.monotonic(), exc)
            return None, None, exc
        self._adc_failure = None
        return credentials, project, None

    def _discover(self) -> Discovered:
        env = self.env
        gcloud = read_gcloud_properties(env)
        credentials, adc_project, adc_error = self._load_adc()

        project, project_source = self._find_project(env, gcloud, adc_project)
        if project is None:
            detail = ""
            if adc_error is not None:
                detail = f" (Application Default Credentials: {adc_error})"
            raise ConfigurationError(
                "No Google Cloud project is configured for Vertex AI." + detail,
                hint=PROJECT_HINT,
            )
        region, region_source = self._find_region(env, gcloud)
        account = self._find_account(env, gcloud, credentials)
        return Discovered(
            project=project,
            region=region,
            account=account,
            project_source=project_source,
            region_source=region_source,
            credentials=credentials,
        )

    def _find_project(
        self, env: Mapping[str, str], gcloud: Mapping[str, str], adc_project: str | None
    ) -> tuple[str | None, str]:
        if self.project:
            return self.project, "config"
        for name in PROJECT_ENV_VARS:
            if env.get(name, "").strip():
                return env[name].strip(), f"env:{name}"
        if gcloud.get("core/project"):
            return gcloud["core/project"], "gcloud"
        if adc_project:
            return adc_project, "adc"
        if self._use_metadata:
            value = self._metadata.get("project/project-id")
            if value:
                return value, "metadata"
        return None, ""

    def _find_region(self, env: Mapping[str, str], gcloud: Mapping[str, str]) -> tuple[str, str]:
        if self.region:
            return self.region, "config"
        for name in REGION_ENV_VARS:
            if env.get(name, "").strip():
                return env[name].strip(), f"env:{name}"
        for key in ("ai/region", "compute/region"):
            if gcloud.get(key):
                return gcloud[key], "gcloud"
        if self._use_metadata:
            zone = self._metadata.get("instance/zone")
            region = _region_from_zone(zone) if zone else None
            if region:
                return region, "metadata"
        return DEFAULT_REGION, "default"

    def _find_account(
        self, env: Mapping[str, str], gcloud: Mapping[str, str], credentials: Any
    ) -> str | None:
        for name in ACCOUNT_ENV_VARS:
            if env.get(name, "").strip():
                return env[name].strip()
        if gcloud.get("core/account"):
            return gcloud["core/account"]
        account = _account_of(credentials) if credentials is not None else None
        if account:
            return account
        if self._use_metadata and credentials is not None:
            if type(credentials).__module__.startswith("google.auth.compute_engine"):
                return self._metadata.get("instance/service-accounts/default/email")
        return None


def describe(discovered: Discovered) -> dict[str, Any]:
    """A JSON-friendly summary (for logs)."""
    return {
        "project": discovered.project,
        "region": discovered.region,
        "account": discovered.account,
        "projectSource": discovered.project_source,
        "regionSource": discovered.region_source,
    }
