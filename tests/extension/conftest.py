"""Fixtures of the server extension's tests: a real Jupyter server with jupyter_vertex.

``vertex_config`` is the ``c.VertexApp`` configuration of the test's server; override it
in a module or a test. ``emulated`` points the extension at the session's real embedded
Vertex (one project per test, so tests never see each other's resources).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError, HTTPResponse
from traitlets.config import Config

from jupyter_vertex.app import VertexApp

from .spec import assert_conforms

API = ("jupyter-vertex", "api")


@pytest.fixture
def vertex_config() -> dict[str, Any]:
    """``c.VertexApp`` settings of the test's server (override per module or test)."""
    # An external embedded Vertex nobody listens on: enough for what never reaches it.
    return {"emulator_url": "http://127.0.0.1:9", "emulator_token": "unused"}


@pytest.fixture
def jp_server_config(vertex_config: dict[str, Any]) -> Config:
    return Config(
        {
            "ServerApp": {
                "jpserver_extensions": {"jupyter_vertex": True, "jupyter_server_terminals": False},
                "allow_unauthenticated_access": False,
            },
            "VertexApp": vertex_config,
        }
    )


@pytest.fixture
def project_id() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def emulated(emulator: Any, project_id: str) -> dict[str, Any]:
    """VertexApp settings for the session's embedded Vertex, in a project of our own."""
    return {
        "emulator_url": emulator.url,
        "emulator_token": emulator.token,
        "emulator_storage_url": emulator.storage_url,
        "project": project_id,
        "region": "us-central1",
    }


@pytest.fixture
def vertex_app(jp_serverapp: Any, jp_asyncio_loop: Any) -> VertexApp:
    """The extension, started as jupyter_server starts it once its loop runs."""
    manager = jp_serverapp.extension_manager
    jp_asyncio_loop.run_until_complete(manager.start_all_extensions())
    app: VertexApp = manager.extension_points["jupyter_vertex"].app
    return app


Api = Callable[..., Awaitable[tuple[int, Any]]]


@pytest.fixture
def api(jp_fetch: Any, vertex_app: VertexApp) -> Api:
    """Call the extension's API through HTTP: ``status, body = await api("GET", "models")``.

    Error statuses are returned, not raised. Each response is checked against the
    OpenAPI document (status documented, body valid for its schema).
    """

    async def call(
        method: str,
        *path: str,
        body: Any = None,
        params: dict[str, Any] | None = None,
        raw_body: bytes | None = None,
        check: bool = True,
    ) -> tuple[int, Any]:
        kwargs: dict[str, Any] = {"method": method, "params": params or {}}
        if raw_body is not None:
            kwargs["body"] = raw_body
        elif body is not None:
            kwargs["body"] = json.dumps(body)
        elif method in ("POST", "PATCH", "PUT"):
            kwargs["body"] = b""
        kwargs["allow_nonstandard_methods"] = True
        # Tornado's default is 20 s; the parallel suite on two cores can starve a request
        # for longer than that while a big package or bulk body is worked on.
        kwargs.setdefault("request_timeout", 60)
        try:
            response: HTTPResponse = await jp_fetch(*API, *path, **kwargs)
        except HTTPClientError as err:
            assert err.response is not None, err
            response = err.response
        data = json.loads(response.body) if response.body else None
        if check:
            assert_conforms("/" + "/".join(path), method, response.code, data, response.headers)
        return response.code, data

    return call
