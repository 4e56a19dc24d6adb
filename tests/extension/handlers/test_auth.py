"""Every route of the extension needs Jupyter authentication and authorization."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from jupyter_server.auth import Authorizer
from tornado.httpclient import HTTPClientError

from jupyter_vertex.handlers.base import API_PREFIX, AUTH_RESOURCE

from .test_openapi import iter_rules

PROBE_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def extension_urls(web_app: Any, base_url: str) -> list[tuple[str, Any]]:
    """A concrete URL for every handler the jupyter_vertex package registered."""
    urls = []
    for rule in iter_rules(web_app):
        handler = rule.target
        module = getattr(handler, "__module__", "") or ""
        pattern = rule.matcher.regex.pattern
        if not (module.startswith("jupyter_vertex") or API_PREFIX in pattern):
            continue
        # Fill each group with a plausible value: "1" for ids, a word for catch-alls.
        path = re.sub(r"\(\?P<[^>]+>[^)]*\)", "1", pattern)
        path = path.replace("(.*)", "anything").rstrip("$")
        urls.append((path, handler))
    return urls


async def fetch(client: Any, url: str, method: str, headers: dict[str, str]) -> Any:
    body = b"{}" if method in ("POST", "PUT", "PATCH") else None
    try:
        return await client.fetch(
            url,
            method=method,
            body=body,
            headers=headers,
            allow_nonstandard_methods=True,
            follow_redirects=False,
            raise_error=False,
        )
    except HTTPClientError as err:  # pragma: no cover - raise_error=False
        return err.response


async def test_no_route_is_reachable_without_auth(
    jp_serverapp: Any, http_server_client: Any, jp_base_url: str
) -> None:
    urls = extension_urls(jp_serverapp.web_app, jp_base_url)
    # The six API routes and the JSON 404 fallback, at least.
    assert len(urls) >= 7, urls
    for path, handler in urls:
        for method in PROBE_METHODS:
            response = await fetch(http_server_client, path, method, {})
            assert response.code in (401, 403), (method, path, handler, response.code)
            if method != "HEAD":
                error = json.loads(response.body)
                assert error["reason"] == "PERMISSION_DENIED", error
                assert set(error) == {"message", "reason", "hint"}
        # OPTIONS is CORS preflight, unauthenticated by design in jupyter_server: it must
        # never carry data.
        response = await fetch(http_server_client, path, "OPTIONS", {})
        assert not response.body, (path, response.body)


async def test_a_wrong_token_is_refused(
    jp_serverapp: Any, http_server_client: Any, jp_base_url: str
) -> None:
    url = jp_base_url.rstrip("/") + API_PREFIX + "/status"
    response = await fetch(http_server_client, url, "GET", {"Authorization": "token wrong"})
    assert response.code == 403


class DenyAll(Authorizer):
    """Authenticated users may do nothing: records what was asked."""

    asked: list[tuple[str, str]] = []

    def is_authorized(self, handler: Any, user: Any, action: str, resource: str) -> bool:
        DenyAll.asked.append((action, resource))
        return False


@pytest.fixture
def jp_server_config(jp_server_config: Any) -> Any:
    jp_server_config.ServerApp.authorizer_class = DenyAll
    return jp_server_config


async def test_every_route_asks_the_authorizer(
    jp_serverapp: Any, http_server_client: Any, jp_base_url: str, jp_auth_header: dict[str, str]
) -> None:
    DenyAll.asked.clear()
    urls = extension_urls(jp_serverapp.web_app, jp_base_url)
    expected = {"GET": "read", "POST": "write", "PUT": "write", "PATCH": "write", "DELETE": "write"}
    for path, handler in urls:
        for method in handler.allowed_methods():
            response = await fetch(http_server_client, path, method, dict(jp_auth_header))
            assert response.code == 403, (method, path, response.code)
            error = json.loads(response.body)
            assert error["reason"] == "PERMISSION_DENIED"
            assert DenyAll.asked[-1] == (expected[method], AUTH_RESOURCE), (method, path)
