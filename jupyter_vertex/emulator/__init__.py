"""The embedded Vertex AI: a local Vertex AI REST API v1 for Google's own client libraries.

Run it with ``jupyter-vertex-emulator`` (see docs/emulator.md); point the SDK at it with
:func:`init`. Importing this package is cheap: Google client libraries are imported only
inside :func:`init`.
"""

from __future__ import annotations

import os
from typing import Any

from ..defaults import LOCAL_PROJECT, LOCAL_REGION, staging_bucket_name
from .core.connection import STORAGE_ENV, EmulatorConnection

__all__ = ["EmulatorConnection", "init"]

# the local project and region when neither the caller nor the connection names one
DEFAULT_PROJECT = LOCAL_PROJECT
DEFAULT_LOCATION = LOCAL_REGION


def init(
    project: str | None = None, location: str | None = None, **kwargs: Any
) -> EmulatorConnection:
    """Point ``google.cloud.aiplatform`` at the running embedded Vertex.

    Discovers the connection (environment, else the Jupyter runtime dir), sets
    ``STORAGE_EMULATOR_HOST`` for Cloud Storage clients, and calls ``aiplatform.init`` with
    the emulator's address, the REST transport and its token as credentials. Other keyword
    arguments go to ``aiplatform.init``. Unless one is given, a staging bucket
    ``gs://{project}-vertex-staging-{location}`` is created in local storage and used, so
    ``Model.upload(artifact_uri=<local folder>)`` works any number of times (the SDK's own
    default bucket needs Resource Manager on its second use in a process).

    Returns the connection used.
    """
    connection = EmulatorConnection.discover()
    if connection is None:
        raise RuntimeError(
            "No embedded Vertex found: set JUPYTER_VERTEX_EMULATOR_URL and "
            "JUPYTER_VERTEX_EMULATOR_TOKEN, or start one from JupyterLab (backend 'local')."
        )
    project = project or connection.project or DEFAULT_PROJECT
    location = location or connection.location or DEFAULT_LOCATION
    if connection.storage_url:
        os.environ[STORAGE_ENV] = connection.storage_url

    import google.cloud.aiplatform as aiplatform
    from google.oauth2.credentials import Credentials

    if "staging_bucket" not in kwargs and connection.storage_url:
        kwargs["staging_bucket"] = ensure_bucket(
            connection.storage_url, staging_bucket_name(project, location), project
        )
    aiplatform.init(
        project=project,
        location=location,
        api_endpoint=connection.url,
        api_transport="rest",
        credentials=Credentials(token=connection.token),
        **kwargs,
    )
    return connection


def ensure_bucket(storage_url: str, bucket: str, project: str) -> str:
    """Create ``bucket`` in local Cloud Storage unless it exists; answer its gs:// URI."""
    import json
    import urllib.error
    import urllib.request

    base = storage_url.rstrip("/")
    try:
        urllib.request.urlopen(f"{base}/storage/v1/b/{bucket}", timeout=10).close()  # noqa: S310
    except urllib.error.HTTPError as error:
        if error.code != 404:
            raise
        request = urllib.request.Request(  # noqa: S310 - the local storage URL
            f"{base}/storage/v1/b?project={project}",
            data=json.dumps({"name": bucket}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        urllib.request.urlopen(request, timeout=10).close()  # noqa: S310
    return f"gs://{bucket}"
