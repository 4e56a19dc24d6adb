"""What :func:`jupyter_vertex.emulator.init` sets up beyond ``aiplatform.init``, for the SDK
calls that do not go through the client it configures.

Two of them build their own way to Google, and nothing public points them elsewhere, so
``init()`` (and only ``init()``) installs one small, idempotent hook for each:

- ``Endpoint.raw_predict``, ``stream_raw_predict`` and ``predict(use_raw_predict=True)`` post
  with a ``google.auth`` ``AuthorizedSession`` to ``https://{region}-aiplatform.googleapis.com``
  whatever ``api_endpoint`` says. :func:`redirect_aiplatform` wraps
  ``AuthorizedSession.request`` so that URLs on that host (``aiplatform.googleapis.com`` and
  ``{region}-aiplatform.googleapis.com``, nothing else) go to the embedded Vertex instead.
- The SDK's bucket-owner check (a staging bucket's second use, ``PipelineJob.submit`` with a
  ``pipeline_root``) calls ``resource_manager_utils.get_project_number``, which makes a
  ``resourcemanager_v3.ProjectsClient`` with its default (gRPC) transport and Google's host.
  :func:`route_resource_manager` replaces that function with the same call through a
  ``ProjectsClient`` on the REST transport at the embedded Vertex, which answers
  ``projects.get`` (``resourcemanager_v3``).

And the client libraries' default transport, gRPC, always speaks TLS: :func:`trust_grpc`
wraps ``google.api_core``'s ``create_channel`` (sync and async; every generated gRPC transport
makes its channel there) so that a channel to the embedded Vertex's gRPC address trusts its
self-signed certificate. Channels to the hosts of the APIs it serves (Vertex AI, Monitoring,
Logging, Resource Manager, Notebooks on ``googleapis.com``) and to its REST address (where
the SDK's async clients go when the REST transport is chosen) are sent there too, with its
token as credentials.

All read the current address from :data:`_TARGET`, so a later ``init()`` (another emulator)
moves them. Google client libraries are imported inside the functions only.

And the SDK's blocking waits (``CustomJob.run()``, ``CustomTrainingJob.run()``,
``wait()`` …) poll a job's state every 5 s, a module constant of each SDK module, fit for a
job that takes minutes to be scheduled on Google's machines; a local job ends about a second
after it is created, so :func:`poll_jobs_quickly` polls every :data:`LOCAL_JOB_POLL` seconds.
"""

from __future__ import annotations

import functools
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

# the embedded Vertex's URL, set by init(); the hooks read it at call time
_TARGET: dict[str, str] = {}
_AIPLATFORM_HOST = re.compile(
    r"^https://(?:[a-z0-9-]+-)?aiplatform\.googleapis\.com(?::443)?(?=/|$)", re.IGNORECASE
)
_HOOKED = "_jupyter_vertex_hook"
# gRPC targets of the Google APIs the embedded Vertex serves, sent to it after init()
_SERVED_HOSTS = re.compile(
    r"^(?:[a-z0-9-]+-)?(?:aiplatform|monitoring|logging|cloudresourcemanager|notebooks)"
    r"\.googleapis\.com(?::443)?$",
    re.IGNORECASE,
)
# what trust_grpc() was given: the gRPC address, its certificate (PEM) and the token
_GRPC: dict[str, Any] = {}
# seconds between the SDK's state polls of a job it waits for (one cheap local GET each)
LOCAL_JOB_POLL = 0.2


def aiplatform_url(url: str, target: str) -> str:
    """``url`` on the embedded Vertex at ``target`` when it is on Vertex's host, else ``url``."""
    return _AIPLATFORM_HOST.sub(lambda _: target.rstrip("/"), url, count=1)


def redirect_aiplatform(url: str) -> None:
    """Send ``AuthorizedSession`` requests for Vertex's host to the embedded Vertex at ``url``."""
    from google.auth.transport.requests import AuthorizedSession

    _TARGET["url"] = url
    if getattr(AuthorizedSession.request, _HOOKED, False):
        return
    original = AuthorizedSession.request

    @functools.wraps(original)
    def request(self: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        target = _TARGET.get("url")
        if target and isinstance(url, str):
            url = aiplatform_url(url, target)
        return original(self, method, url, *args, **kwargs)

    setattr(request, _HOOKED, True)
    AuthorizedSession.request = request  # type: ignore[method-assign]


def route_resource_manager(url: str) -> None:
    """Answer the SDK's project-number look-ups from the embedded Vertex at ``url``."""
    from google.cloud.aiplatform.utils import resource_manager_utils

    _TARGET["url"] = url
    if getattr(resource_manager_utils.get_project_number, _HOOKED, False):
        return
    setattr(get_project_number, _HOOKED, True)
    resource_manager_utils.get_project_number = get_project_number


def trust_grpc(address: str, cert_pem: bytes, token: str, rest_url: str = "") -> None:
    """Make Google's gRPC clients reach the embedded Vertex at ``address`` (see above)."""
    from google.api_core import grpc_helpers, grpc_helpers_async

    rest = urllib.parse.urlsplit(rest_url).netloc if rest_url else ""
    _GRPC.update(address=address, cert=cert_pem, token=token, rest=rest)
    modules: tuple[Any, ...] = (grpc_helpers, grpc_helpers_async)
    for module in modules:
        if not getattr(module.create_channel, _HOOKED, False):
            module.create_channel = _trusting(module.create_channel)


def grpc_target(target: str) -> tuple[str, bool, bool]:
    """Where a channel to ``target`` goes, whether that is the embedded Vertex, and whether
    it was sent there from another address (a Google host, its REST address)."""
    address = _GRPC.get("address", "")
    if not address:
        return target, False, False
    host = target.split("://", 1)[-1].rstrip("/")
    if host == address:
        return target, True, False
    rest = _GRPC.get("rest", "")
    if (rest and host.startswith(rest)) or _SERVED_HOSTS.match(host):
        return address, True, True
    return target, False, False


def _trusting(original: Any) -> Any:
    @functools.wraps(original)
    def create_channel(target: str, *args: Any, **kwargs: Any) -> Any:
        target, ours, redirected = grpc_target(target)
        if ours:
            import grpc

            kwargs["ssl_credentials"] = grpc.ssl_channel_credentials(_GRPC["cert"])
        if redirected:
            from google.oauth2.credentials import Credentials

            # meant for Google: the client's credentials (ADC on a Workbench VM, or given)
            # are not the embedded Vertex's; a client given its address keeps its own
            kwargs["credentials"] = Credentials(token=_GRPC["token"])
            kwargs.pop("credentials_file", None)
        return original(target, *args, **kwargs)

    setattr(create_channel, _HOOKED, True)
    return create_channel


def poll_jobs_quickly() -> None:
    """Make the SDK's blocking job waits poll every :data:`LOCAL_JOB_POLL` seconds (a value
    already smaller is kept)."""
    from google.cloud.aiplatform import jobs, pipeline_jobs, training_jobs

    modules: tuple[Any, ...] = (jobs, training_jobs, pipeline_jobs)
    for module in modules:
        current = module._JOB_WAIT_TIME
        module._JOB_WAIT_TIME = min(current, LOCAL_JOB_POLL)


def get_project_number(project_id: str, credentials: Any = None) -> str:
    """``resource_manager_utils.get_project_number`` through Resource Manager's own client, on
    the REST transport at the embedded Vertex (same signature and answer)."""
    from google.cloud import resourcemanager
    from google.cloud.aiplatform import initializer

    client = resourcemanager.ProjectsClient(
        credentials=credentials or initializer.global_config.credentials,
        transport="rest",
        client_options={"api_endpoint": _TARGET["url"]},
    )
    project = client.get_project(name=f"projects/{project_id}")
    number: str = project.name.split("/", 1)[1]
    return number


def bucket_of(uri: str) -> str:
    """The bucket of a ``gs://bucket[/path]`` URI (or a bare bucket name)."""
    name = uri[len("gs://") :] if uri.startswith("gs://") else uri
    bucket = name.partition("/")[0]
    if not bucket:
        raise ValueError(f"{uri!r} names no Cloud Storage bucket")
    return bucket


def ensure_bucket(
    storage_url: str, bucket: str, project: str, location: str | None = None, *, token: str = ""
) -> str:
    """Create ``bucket`` in local Cloud Storage for ``project`` (in ``location``) unless it
    exists; answer its gs:// URI. ``token``: the embedded Vertex's, which local storage
    requires (not needed through a relay that adds it)."""
    base = storage_url.rstrip("/")
    quoted = urllib.parse.quote(bucket, safe="")
    auth = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        found = urllib.request.Request(f"{base}/storage/v1/b/{quoted}", headers=auth)  # noqa: S310
        urllib.request.urlopen(found, timeout=10).close()  # noqa: S310
    except urllib.error.HTTPError as error:
        if error.code != 404:
            raise
        body: dict[str, str] = {"name": bucket}
        if location:
            body["location"] = location
        query = urllib.parse.urlencode({"project": project})
        request = urllib.request.Request(  # noqa: S310 - the local storage URL
            f"{base}/storage/v1/b?{query}",
            data=json.dumps(body).encode(),
            headers={**auth, "Content-Type": "application/json"},
            method="POST",
        )
        urllib.request.urlopen(request, timeout=10).close()  # noqa: S310
    return f"gs://{bucket}"
