"""The client factory: the only place that knows the embedded Vertex from real Vertex AI.

Everything above it (services, routes) gets Google's own GAPIC clients
(``google.cloud.aiplatform_v1.ModelServiceClient`` ...) and a :class:`Location`
(project, region, account) and never asks which backend it talks to.

- ``vertex``: Application Default Credentials and ``{region}-aiplatform.googleapis.com``;
  project/region/account come from :mod:`jupyter_vertex.backend.discovery`.
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
from typing import Any

from traitlets import Float, Unicode
from traitlets.config import LoggingConfigurable

from ..defaults import LOCAL_PROJECT, LOCAL_REGION, staging_bucket_name
from ..errors import ConfigurationError, Unavailable
from ..version import __version__
from .blocking import run_blocking
from .discovery import Discovery
from .link import EmulatorEndpoint, EmulatorLink
from .local_machine import read_gpus

__all__ = ["ClientFactory", "Location"]

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


def _import_client_class(module: str, name: str) -> type:
    if module.startswith("google.cloud.monitoring"):
        # The Monitoring library ships gRPC transports only; ours speaks its REST API. Imported
        # on first use: it imports the Monitoring client library.
        from .monitoring_rest import register

        register()
    klass: type = getattr(importlib.import_module(module), name)
    return klass


def _split_gs(uri: str) -> tuple[str, str]:
    if not uri.startswith("gs://") or "/" not in uri[5:]:
        raise ValueError(f"not a gs:// object URI: {uri!r}")
    bucket, _, blob = uri[5:].partition("/")
    return bucket, blob


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
        staging_bucket: str | None = None,
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
        self._staging_bucket = staging_bucket
        self._buckets_made: set[str] = set()
        self._clients: dict[tuple[str, ...], Any] = {}
        self._lock = asyncio.Lock()
        self._gpus: list[dict[str, Any]] | None = None

    # -- where ------------------------------------------------------------------

    async def location(self) -> Location:
        """Backend, project, region and account. Raises CONFIGURATION when unknown."""
        if self.backend == "local":
            return Location(
                backend="local",
                project=self._project or LOCAL_PROJECT,
                region=self._region or LOCAL_REGION,
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

    async def local_gpus(self) -> list[dict[str, Any]] | None:
        """The embedded Vertex machine's GPUs (``[]``: work asking for accelerators runs on
        CPU there); None on the vertex backend, or while the embedded Vertex cannot tell
        (not running, or too old to say). Asked once it answers, then kept: GPUs stay."""
        if self.emulator is None or self.backend != "local":
            return None
        if self._gpus is None and self.emulator.status().get("state") == "running":
            try:
                endpoint = await self.emulator.wait_ready(1.0)
                self._gpus = await run_blocking(read_gpus, endpoint.url, endpoint.token)
            except (OSError, ValueError, KeyError, TypeError, Unavailable) as error:
                self.log.debug("the embedded Vertex's GPUs are unknown: %s", error)
        return self._gpus

    # -- clients ----------------------------------------------------------------

    async def model_service(self) -> Any:
        """A ``google.cloud.aiplatform_v1.ModelServiceClient``."""
        return await self.client(AIPLATFORM, "ModelServiceClient")

    async def endpoint_service(self) -> Any:
        """A ``google.cloud.aiplatform_v1.EndpointServiceClient``."""
        return await self.client(AIPLATFORM, "EndpointServiceClient")

    async def job_service(self) -> Any:
        """A ``google.cloud.aiplatform_v1.JobServiceClient`` (custom jobs)."""
        return await self.client(AIPLATFORM, "JobServiceClient")

    async def pipeline_service(self) -> Any:
        """A ``google.cloud.aiplatform_v1.PipelineServiceClient`` (training pipelines)."""
        return await self.client(AIPLATFORM, "PipelineServiceClient")

    async def schedule_service(self) -> Any:
        """A ``google.cloud.aiplatform_v1.ScheduleServiceClient`` (pipeline schedules)."""
        return await self.client(AIPLATFORM, "ScheduleServiceClient")

    async def storage_client(self) -> Any:
        """A ``google.cloud.storage.Client``: local Cloud Storage or Google's."""
        return await self._special("storage", self._build_local_storage, self._build_storage)

    async def logging_client(self) -> Any:
        """A ``google.cloud.logging.Client`` (HTTP/JSON): the embedded Vertex or Google's.

        The Logging GAPIC client has no REST transport; the handwritten client's HTTP
        mode reads ``entries:list`` from any endpoint.
        """
        return await self._special("logging", self._build_local_logging, self._build_logging)

    async def _cached(self, key: tuple[str, ...], build: tuple[Any, ...]) -> Any:
        """The client cached under ``key``, built once (off the loop) by ``build``."""
        cached = self._clients.get(key)
        if cached is not None:
            return cached
        async with self._lock:
            cached = self._clients.get(key)
            if cached is None:
                cached = await run_blocking(*build)
                self._clients[key] = cached
        return cached

    async def _special(self, kind: str, local: Any, vertex: Any) -> Any:
        location = await self.location()
        if self.backend == "local":
            endpoint = await self._emulator_endpoint()
            key: tuple[str, ...] = (kind, endpoint.url, endpoint.token, location.project)
            build: tuple[Any, ...] = (local, endpoint, location.project)
        else:
            key = (kind, location.project)
            build = (vertex, location.project)
        return await self._cached(key, build)

    def _build_local_storage(self, endpoint: EmulatorEndpoint, project: str) -> Any:
        from google.api_core.client_options import ClientOptions
        from google.cloud import storage  # type: ignore[attr-defined]
        from google.oauth2.credentials import Credentials

        if not endpoint.storage_url:
            raise Unavailable(
                "The embedded Vertex has no local Cloud Storage.",
                hint="Set c.VertexApp.emulator_storage_url for an external embedded Vertex.",
            )
        # local storage answers only the embedded Vertex's token (google-cloud-storage keeps
        # given credentials for an emulator host; it is anonymous only without them)
        return storage.Client(
            project=project,
            credentials=Credentials(token=endpoint.token),
            client_options=ClientOptions(api_endpoint=endpoint.storage_url),
        )

    def _build_storage(self, project: str) -> Any:
        from google.cloud import storage  # type: ignore[attr-defined]

        return storage.Client(project=project, credentials=self._vertex_credentials())

    def _build_local_logging(self, endpoint: EmulatorEndpoint, project: str) -> Any:
        import google.cloud.logging as logging
        from google.oauth2.credentials import Credentials

        return logging.Client(
            project=project,
            credentials=Credentials(token=endpoint.token),
            _use_grpc=False,
            client_options={"api_endpoint": endpoint.url},
        )

    def _build_logging(self, project: str) -> Any:
        import google.cloud.logging as logging

        return logging.Client(
            project=project, credentials=self._vertex_credentials(), _use_grpc=False
        )

    def _vertex_credentials(self) -> Any:
        found = self.discovery.discover()
        if found.credentials is None:
            raise ConfigurationError(
                "No Google Cloud credentials were found.",
                hint="Run `gcloud auth application-default login` in a terminal.",
            )
        return found.credentials

    # -- staging ----------------------------------------------------------------

    async def staging_bucket(self, *, create: bool = True) -> str | None:
        """``gs://bucket`` for training packages and outputs.

        ``local``: ``gs://{project}-vertex-staging-{region}`` in local Cloud Storage (made on
        first use, as ``jupyter_vertex.emulator.init`` does). ``vertex``:
        ``c.VertexApp.staging_bucket`` (CONFIGURATION when unset).
        """
        location = await self.location()
        if self.backend != "local":
            if self._staging_bucket:
                return self._staging_bucket.rstrip("/")
            if not create:
                return None
            raise ConfigurationError(
                "Training and batch prediction on Vertex AI need a Cloud Storage staging bucket.",
                hint="Set `c.VertexApp.staging_bucket = 'gs://my-bucket'` (a bucket in the "
                "job's region that the account can write).",
            )
        name = staging_bucket_name(location.project, location.region)
        if create and name not in self._buckets_made:
            client = await self.storage_client()

            def ensure() -> None:
                if client.lookup_bucket(name) is None:
                    try:
                        client.create_bucket(name)
                    except Exception as exc:  # made meanwhile by another request
                        if type(exc).__name__ != "Conflict":
                            raise

            await run_blocking(ensure)
            self._buckets_made.add(name)
        return f"gs://{name}"

    async def kernel_setup(self) -> str:
        """Python a notebook runs first so that Google's clients in its kernel reach this
        backend: ``local``: ``jupyter_vertex.emulator.init`` (the embedded Vertex and its Cloud
        Storage); ``vertex``: nothing (Application Default Credentials)."""
        if self.backend != "local":
            return ""
        location = await self.location()
        return (
            "import jupyter_vertex.emulator\n\n"
            f"jupyter_vertex.emulator.init(project={location.project!r}, "
            f"location={location.region!r})\n"
        )

    async def upload(self, file: Any, uri: str) -> None:
        """Upload a local file to ``gs://bucket/object`` (off the loop)."""
        client = await self.storage_client()
        bucket, blob = _split_gs(uri)
        await run_blocking(lambda: client.bucket(bucket).blob(blob).upload_from_filename(str(file)))

    async def read_object(self, uri: str, max_bytes: int) -> bytes | str:
        """A ``gs://`` object's bytes (off the loop), or ``"missing"`` / ``"too large"``."""
        from google.api_core.exceptions import NotFound as GoogleNotFound

        client = await self.storage_client()
        bucket, blob = _split_gs(uri)

        def read() -> bytes | str:
            # One byte more than allowed tells an object over the limit without reading it all.
            try:
                data: bytes = client.bucket(bucket).blob(blob).download_as_bytes(end=max_bytes)
            except GoogleNotFound:
                return "missing"
            return "too large" if len(data) > max_bytes else data

        return await run_blocking(read)

    async def delete_object(self, uri: str) -> None:
        client = await self.storage_client()
        bucket, blob = _split_gs(uri)
        await run_blocking(lambda: client.bucket(bucket).blob(blob).delete())

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
        return await self._cached(key, build)

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
