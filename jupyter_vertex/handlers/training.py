"""HTTP routes of the Train dialog: the options it offers, the file's git state, SDK code.

Read-only: nothing here packages, stages or creates anything (``POST /jobs`` does).
Thin handlers over :mod:`jupyter_vertex.services.training.preview`.
"""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..services.training.preview import TrainingPreview, training_catalog
from .base import BaseHandler


class _PreviewHandler(BaseHandler):
    def preview(self) -> TrainingPreview:
        return self.services.training_preview


class TrainingOptionsHandler(_PreviewHandler):
    route = "/training/options"

    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.params()
        self.reply(training_catalog(await self.preview().region()))


class TrainingProvenanceHandler(_PreviewHandler):
    route = "/training/provenance"

    @web.authenticated
    @authorized
    async def get(self) -> None:
        p = self.params()
        self.reply(await self.preview().provenance(p["path"]))


class TrainingCodeHandler(_PreviewHandler):
    route = "/training/code"

    @web.authenticated
    @authorized
    async def post(self) -> None:
        self.params()
        body = self.json_body()
        self.reply(await self.preview().code(body))


HANDLERS: tuple[type[BaseHandler], ...] = (
    TrainingOptionsHandler,
    TrainingProvenanceHandler,
    TrainingCodeHandler,
)
