"""The embedded Vertex AI: a local Vertex AI REST API v1 for Google's own client libraries.

Run it with ``jupyter-vertex-emulator`` (see docs/emulator.md); point the SDK at it with
:func:`init`. Importing this package is cheap: Google client libraries are imported only
inside :func:`init`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..defaults import LOCAL_PROJECT, LOCAL_REGION, staging_bucket_name

if TYPE_CHECKING:
    from .core.connection import EmulatorConnection
    from .sdk_setup import ensure_bucket

__all__ = ["EmulatorConnection", "ensure_bucket", "init"]

# the local project and region when neither the caller nor the connection names one
DEFAULT_PROJECT = LOCAL_PROJECT
DEFAULT_LOCATION = LOCAL_REGION


def init(
    project: str | None = None,
    location: str | None = None,
    *,
    data_dir: Path | str | None = None,
    **kwargs: Any,
) -> EmulatorConnection:
    """Point ``google.cloud.aiplatform`` at the running embedded Vertex.

    Finds the connection: with ``data_dir``, the ``connection.json`` of the standalone
    ``jupyter-vertex-emulator --data-dir DATA_DIR``; else the environment
    (``JUPYTER_VERTEX_EMULATOR_URL`` …, as ``jupyter-vertex-emulator env`` prints them), else
    the Jupyter runtime dir's file. Sets ``STORAGE_EMULATOR_HOST`` for Cloud Storage clients
    and calls ``aiplatform.init`` with the emulator's address and its token as credentials;
    other keyword arguments go to ``aiplatform.init``.

    The transport is the SDK's default, gRPC, at the emulator's gRPC address (TLS with its
    own certificate, which Google's gRPC clients are made to trust); ``api_transport="rest"``
    picks REST at its HTTP address. Either way the SDK's async clients (``predict_async``)
    and the gRPC clients of Cloud Monitoring, Logging and Resource Manager reach it too.

    A given ``staging_bucket`` is created in local storage when missing; without one, a
    staging bucket ``gs://{project}-vertex-staging-{location}`` is created and used. Either
    way ``Model.upload(artifact_uri=<local folder>)`` works at once and any number of times.

    It also points the SDK calls that bypass ``api_endpoint`` at the embedded Vertex
    (:mod:`.sdk_setup`): raw predict (``Endpoint.raw_predict``,
    ``predict(use_raw_predict=True)``) and the project-number look-up of the SDK's
    bucket-owner check (its default staging bucket, ``PipelineJob.submit``); and makes the
    SDK's blocking waits for a job (``run()``, ``wait()``) poll every 0.2 s instead of 5 s.

    Returns the connection used.
    """
    from .core.connection import STORAGE_ENV
    from .sdk_setup import (
        bucket_of,
        ensure_bucket,
        poll_jobs_quickly,
        redirect_aiplatform,
        route_resource_manager,
        trust_grpc,
    )

    connection = _connection(data_dir)
    project = project or connection.project or DEFAULT_PROJECT
    location = location or connection.location or DEFAULT_LOCATION
    if connection.storage_url:
        # local storage answers only the token; this process's plain Cloud Storage clients
        # (and its children's) get a relay that adds it (issue 16)
        from .storage.relay import storage_relay

        os.environ[STORAGE_ENV] = storage_relay(connection.storage_url, connection.token)

    import google.cloud.aiplatform as aiplatform
    from google.oauth2.credentials import Credentials

    if connection.storage_url:
        given = kwargs.get("staging_bucket")
        bucket = bucket_of(given) if given else staging_bucket_name(project, location)
        created = ensure_bucket(
            connection.storage_url, bucket, project, location, token=connection.token
        )
        kwargs["staging_bucket"] = given or created
    transport = kwargs.pop("api_transport", None) or "grpc"
    if connection.grpc_address and connection.tls_cert:
        cert = Path(connection.tls_cert).read_bytes()
        trust_grpc(connection.grpc_address, cert, connection.token, connection.url)
    elif transport == "grpc":  # an emulator older than its gRPC port
        transport = "rest"
    aiplatform.init(
        project=project,
        location=location,
        api_endpoint=connection.grpc_address if transport == "grpc" else connection.url,
        api_transport=transport,
        credentials=Credentials(token=connection.token),
        **kwargs,
    )
    redirect_aiplatform(connection.url)
    route_resource_manager(connection.url)
    poll_jobs_quickly()
    return connection


def _connection(data_dir: Path | str | None) -> EmulatorConnection:
    from .core.connection import EmulatorConnection

    if data_dir is not None:
        try:
            return EmulatorConnection.in_data_dir(data_dir)
        except FileNotFoundError as error:
            raise RuntimeError(str(error)) from None
    connection = EmulatorConnection.discover()
    if connection is None:
        raise RuntimeError(
            "No embedded Vertex found: set JUPYTER_VERTEX_EMULATOR_URL and "
            'JUPYTER_VERTEX_EMULATOR_TOKEN (`eval "$(jupyter-vertex-emulator env --data-dir '
            "D)\"`), pass init(data_dir=D), or start one from JupyterLab (backend 'local')."
        )
    return connection


def __getattr__(name: str) -> Any:
    # Lazily, so that a training replica's wrapper (a module of this package, started once
    # per job) does not import urllib.request and the rest of the SDK set-up.
    if name == "EmulatorConnection":
        from .core.connection import EmulatorConnection

        return EmulatorConnection
    if name == "ensure_bucket":
        from .sdk_setup import ensure_bucket

        return ensure_bucket
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
