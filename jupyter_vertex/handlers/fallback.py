"""Any other path under the API prefix: a JSON 404, after authentication."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from .. import errors
from .base import BaseHandler


class NotFoundHandler(BaseHandler):
    """Any other path under the API prefix: a JSON 404 (after authentication)."""

    # One decorated method per verb: jupyter_server's @authorized remembers the action
    # (read/write) of its first call, so a shared method would authorize POST as "read".
    def _not_found(self) -> None:
        raise errors.NotFound(f"No such API path: {self.request.path}")

    @web.authenticated
    @authorized
    async def get(self, *_: str) -> None:
        self._not_found()

    @web.authenticated
    @authorized
    async def post(self, *_: str) -> None:
        self._not_found()

    @web.authenticated
    @authorized
    async def put(self, *_: str) -> None:
        self._not_found()

    @web.authenticated
    @authorized
    async def patch(self, *_: str) -> None:
        self._not_found()

    @web.authenticated
    @authorized
    async def delete(self, *_: str) -> None:
        self._not_found()
