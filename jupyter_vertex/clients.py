"""The client factory: the only place that knows the embedded Vertex from real Vertex AI.

Everything above it (services, routes) gets Google's own GAPIC clients
(``google.cloud.aiplatform_v1.ModelServiceClient`` ...) and a :class:`Location`
(project, region, account) and never asks which backend it talks to.

- ``vertex``: Application Default Credentials and ``{region}-aiplatform.googleapis.com``;
  project/region/account come from :mod:`jupyter_vertex.discovery`.
- ``local``: the embedded Vertex at ``http://127.0.0.1:PORT``, REST transport, the
  emulator's bearer token as OAuth2 credentials.

Google libraries are imported lazily, in a worker thread (``import
google.cloud.aiplatform_v1`` costs over a second), and clients are cached.
"""

from __future__ import annotations

import asyncio
import importlib
import re
from dataclasses import dataclass
from typing import Any, Protocol

from traitlets import Float, Unicode
from traitlets.config import LoggingConfigurable

from .discovery import Discovery
from .errors import ConfigurationError, Unavailable
from .services.blocking import run_blocking

__all__ = ["ClientFactory", "EmulatorEndpoint", "EmulatorLink", "Location"]

AIPLATFORM = "google.cloud.aiplatform_v1"
# Vertex AI locations: us-central1, europe-west4, northamerica-northeast1, me-central2 ...
_REGION = re.compile(r"[a-z]+(?:-[a-z]+)*[0-9]+")


@dataclass(frozen=True)
class Location:
    """Where the resources live: ``projects/{project}/locations/{region}``."""

    backend: str
    project: str
    region: str
    account: str | None = None

    @property
    def parent(self) -> str:
        return f"projects/{self.project}/locations/{self.region}"


@dataclass(frozen=True)
class EmulatorEndpoint:
    """How to reach a running embedded Vertex."""

    url: str
    token: str
    storage_url: str | None = None
    pid: int | None = None


class EmulatorLink(Protocol):
    """What the factory needs from an embedded Vertex, supervised or external."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def wait_ready(self, timeout: float) -> EmulatorEndpoint: ...

    def status(self) -> dict[str, Any]: ...


def _import_client_class(module: str, name: str) -> type:
    klass: type = getattr(importlib.import_module(module), name)
    return klass


class ClientFactory(LoggingConfigurable):
    """Builds (off the loop) and caches Google API clients for the configured backend.

    Swap it with ``c.VertexApp.client_factory_class``.
    """

    vertex_transport = Unicode(
        "rest",
        config=True,
        help=(
            "Transport of the Google clients for the 'vertex' backend ('rest' or 'grpc'). "
            "REST is the default so that real Vertex AI and the embedded Vertex go "
            "through the same transport code."
        ),
    )
    emulator_wait_timeout = Float(
        30.0,
        config=True,
        help="Seconds a request waits for the embedded Vertex to become ready.",
    )
    call_timeout = Float(60.0, config=True, help="Timeout of one Google API call, in seconds.")
    operation_timeout = Float(
        600.0, config=True, help="Seconds to wait for a long-running operation to finish."
    )

    def __init__(
        self,
        *,
        backend: str,
        project: str | None = None,
        region: str | None = None,
        discovery: Discovery | None = None,
        emulator: EmulatorLink | None = None,
        user_agent: str = "jupyter-vertex",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if backend not in ("local", "vertex"):
            raise ValueError(f"unknown backend {backend!r}")
        if backend == "local" and emulator is None:
            raise ValueError("the local backend needs an embedded Vertex (emulator)")
        self.backend = backend
        self._project = project
        self._region = region
        self.discovery = (
            discovery if discovery is not None else Discovery(project=project, region=region)
        )
        self.emulator = emulator
        self.user_agent = user_agent
        self._clients: dict[tuple[str, ...], Any] = {}
        self._lock = asyncio.Lock()

    # -- where ------------------------------------------------------------------

    async def location(self) -> Location:
        """Backend, project, region and account. Raises CONFIGURATION when unknown."""
        if self.backend == "local":
            return Location(
                backend="local",
                project=self._project or "local-project",
                region=self._region or "us-central1",
                account=None,
            )
        found = await run_blocking(self.discovery.discover)
        if not _REGION.fullmatch(found.region):
            raise ConfigurationError(
                f"{found.region!r} is not a Vertex AI region (from {found.region_source}).",
                hint="Set a region such as us-central1 or europe-west4: "
                "`c.VertexApp.region = 'us-central1'` or `gcloud config set ai/region ...`.",
            )
        return Location(
            backend="vertex", project=found.project, region=found.region, account=found.account
        )

    def emulator_status(self) -> dict[str, Any] | None:
        return self.emulator.status() if self.emulator is not None else None

    # -- clients ----------------------------------------------------------------

    async def model_service(self) -> Any:
        """A ``google.cloud.aiplatform_v1.ModelServiceClient``."""
        return await self.client(AIPLATFORM, "ModelServiceClient")

    async def endpoint_service(self) -> Any:
        """A ``google.cloud.aiplatform_v1.EndpointServiceClient``."""
        return await self.client(AIPLATFORM, "EndpointServiceClient")

    async def client(self, module: str, name: str) -> Any:
        """A cached GAPIC client ``module.name`` for the current backend."""
        if self.backend == "local":
            endpoint = await self._emulator_endpoint()
            key = (module, name, endpoint.url, endpoint.token)
            build: Any = (self._build_local, module, name, endpoint)
        else:
            location = await self.location()
            host = self.api_host(module, location.region)
            key = (module, name, host or "", location.project)
            build = (self._build_vertex, module, name, host)
        cached = self._clients.get(key)
        if cached is not None:
            return cached
        async with self._lock:
            cached = self._clients.get(key)
            if cached is None:
                cached = await run_blocking(*build)
                self._clients[key] = cached
        return cached

    def api_host(self, module: str, region: str) -> str | None:
        """The real Google API host for a client module (``None``: library default)."""
        if module.startswith("google.cloud.aiplatform"):
            return f"{region}-aiplatform.googleapis.com"
        return None

    async def _emulator_endpoint(self) -> EmulatorEndpoint:
        assert self.emulator is not None
        return await self.emulator.wait_ready(self.emulator_wait_timeout)

    def _client_info(self) -> Any:
        from google.api_core.gapic_v1.client_info import ClientInfo

        from . import __version__

        return ClientInfo(user_agent=f"{self.user_agent}/{__version__}")

    def _build_local(self, module: str, name: str, endpoint: EmulatorEndpoint) -> Any:
        from google.api_core.client_options import ClientOptions
        from google.oauth2.credentials import Credentials

        klass = _import_client_class(module, name)
        return klass(
            transport="rest",
            client_options=ClientOptions(api_endpoint=endpoint.url),
            credentials=Credentials(token=endpoint.token),
            client_info=self._client_info(),
        )

    def _build_vertex(self, module: str, name: str, host: str | None) -> Any:
        from google.api_core.client_options import ClientOptions

        found = self.discovery.discover()
        if found.credentials is None:
            raise ConfigurationError(
                "No Google Cloud credentials were found.",
                hint="Run `gcloud auth application-default login` in a terminal.",
            )
        klass = _import_client_class(module, name)
        options = ClientOptions(api_endpoint=host) if host else None
        return klass(
            transport=self.vertex_transport,
            client_options=options,
            credentials=found.credentials,
            client_info=self._client_info(),
        )

    # -- calls ------------------------------------------------------------------

    async def call(self, method: Any, /, **kwargs: Any) -> Any:
        """Call a blocking client method off the loop, with the call timeout."""
        kwargs.setdefault("timeout", self.call_timeout)
        return await run_blocking(method, **kwargs)

    async def wait_operation(self, operation: Any) -> Any:
        """Wait for a long-running operation (off the loop) and return its result."""
        try:
            return await run_blocking(operation.result, timeout=self.operation_timeout)
        except TimeoutError as exc:
            raise Unavailable(
                f"The operation did not finish within {self.operation_timeout:g} s.",
                hint="It may still complete; refresh the list in a moment.",
            ) from exc

    async def warm_up(self) -> None:
        """Import the client library (and discover, for 'vertex') in a worker thread."""
        try:
            await run_blocking(importlib.import_module, AIPLATFORM)
            if self.backend == "vertex":
                await run_blocking(self.discovery.discover)
        except Exception as exc:  # reported again, properly, on first real use
            self.log.debug("jupyter_vertex: warm-up: %s", exc)
