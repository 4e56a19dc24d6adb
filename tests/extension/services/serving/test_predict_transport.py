"""The prediction transport: google-auth decides the headers (refreshed off the event loop,
once for concurrent requests, again when the token goes stale), and Vertex's answers and
errors come back as they are. The happy path through the real embedded Vertex is in
test_serving_predict.py; here a small HTTP server answers what a real one rarely does."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import threading
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
import tornado.web
from google.oauth2.credentials import Credentials
from tornado.httpserver import HTTPServer
from tornado.testing import bind_unused_port

from jupyter_vertex.errors import FailedPrecondition, InvalidArgument, NotFound, Unavailable
from jupyter_vertex.services.serving.predict_transport import AuthHeaders, PredictTransport

ENDPOINT = "projects/p/locations/us-central1/endpoints/42"


class CountingCredentials(Credentials):  # type: ignore[misc]
    """Real OAuth2 credentials whose refresh hands out numbered tokens (no network)."""

    def __init__(self, lifetime: datetime.timedelta) -> None:
        super().__init__(token=None)
        self.lifetime = lifetime
        self.refreshes: list[str] = []  # the thread each refresh ran in

    def refresh(self, request: Any) -> None:
        self.refreshes.append(threading.current_thread().name)
        self.token = f"token-{len(self.refreshes)}"
        now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
        self.expiry = now + self.lifetime


async def test_headers_are_refreshed_off_the_loop_once_and_reused_while_fresh() -> None:
    credentials = CountingCredentials(datetime.timedelta(hours=1))
    auth = AuthHeaders(credentials)
    first = await asyncio.gather(*(auth.get("https://h/v1/x") for _ in range(5)))
    assert [h["authorization"] for h in first] == ["Bearer token-1"] * 5
    assert len(credentials.refreshes) == 1
    assert credentials.refreshes[0] != threading.current_thread().name
    assert (await auth.get("https://h/v1/x"))["authorization"] == "Bearer token-1"
    assert len(credentials.refreshes) == 1

    # Inside google-auth's refresh threshold the token is stale: refreshed before use.
    credentials.expiry = datetime.datetime.now(datetime.timezone.utc).replace(
        tzinfo=None
    ) + datetime.timedelta(seconds=30)
    assert (await auth.get("https://h/v1/x"))["authorization"] == "Bearer token-2"
    assert len(credentials.refreshes) == 2


class Answers(tornado.web.RequestHandler):
    def initialize(self, seen: list[dict[str, Any]]) -> None:
        self.seen = seen

    def post(self, endpoint: str) -> None:
        self.seen.append(
            {
                "endpoint": endpoint,
                "authorization": self.request.headers.get("Authorization"),
                "body": self.request.body,
            }
        )
        kind = json.loads(self.request.body).get("parameters", {}).get("answer")
        self.set_header("Content-Type", "application/json")
        if kind == "missing":
            self.set_status(404)
            self.finish({"error": {"code": 404, "message": "Endpoint 42 not found."}})
        elif kind == "bad":
            self.set_status(400)
            self.finish({"error": {"code": 400, "message": "expecting 64 features"}})
        elif kind == "undeployed":  # Google's status decides over the HTTP code
            self.set_status(400)
            error = {"code": 400, "status": "FAILED_PRECONDITION", "message": "nothing deployed"}
            self.finish({"error": error})
        elif kind == "starting":
            self.set_status(503)
            error = {"code": 503, "status": "UNAVAILABLE", "message": "it is starting for 3 s"}
            self.finish({"error": error})
        elif kind == "noise":
            self.finish(b"<html>not json</html>")
        else:
            self.finish(b'{"predictions":[1,2],"deployedModelId":"7"}')


@contextlib.contextmanager
def answering() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A server on this loop answering ``:predict`` as ``parameters.answer`` asks."""
    seen: list[dict[str, Any]] = []
    app = tornado.web.Application([(r"/v1/(.+):predict", Answers, {"seen": seen})])
    sock, port = bind_unused_port()
    server = HTTPServer(app)
    server.add_sockets([sock])
    try:
        yield f"http://127.0.0.1:{port}", seen
    finally:
        server.stop()


def _asking(answer: str) -> bytes:
    return json.dumps({"instances": [1], "parameters": {"answer": answer}}).encode()


def _client(host: str) -> Any:
    credentials = Credentials(token="local-token")
    return SimpleNamespace(transport=SimpleNamespace(_host=host, _credentials=credentials))


async def test_answers_and_errors_come_back_as_vertex_gives_them() -> None:
    with answering() as (host, seen):
        await _answers_and_errors(host, seen)


async def _answers_and_errors(host: str, seen: list[dict[str, Any]]) -> None:
    transport = PredictTransport(_client(host), connections=4, timeout=10)
    try:
        body = b'{"instances":[[1],[2]]}'
        assert await transport.predict(ENDPOINT, body) == {
            "predictions": [1, 2],
            "deployedModelId": "7",
        }
        assert seen[0] == {
            "endpoint": ENDPOINT,
            "authorization": "Bearer local-token",
            "body": body,
        }
        with pytest.raises(NotFound, match="^Endpoint 42 not found.$"):
            await transport.predict(ENDPOINT, _asking("missing"))
        with pytest.raises(FailedPrecondition, match="^nothing deployed$"):
            await transport.predict(ENDPOINT, _asking("undeployed"))
        with pytest.raises(InvalidArgument, match="^expecting 64 features$"):
            await transport.predict(ENDPOINT, _asking("bad"))
        with pytest.raises(InvalidArgument, match="Vertex AI's answer has no list of predictions"):
            await transport.predict(ENDPOINT, _asking("noise"))
        # Vertex was reached: the hint does not say it could not be
        with pytest.raises(Unavailable, match="^it is starting for 3 s$") as starting:
            await transport.predict(ENDPOINT, _asking("starting"))
        assert starting.value.hint == "The endpoint is not ready to answer yet; retry in a moment."
    finally:
        await transport.close()


async def test_an_unreachable_host_is_unavailable_naming_it() -> None:
    sock, port = bind_unused_port()
    sock.close()  # nothing listens there now
    transport = PredictTransport(_client(f"http://127.0.0.1:{port}"), connections=1, timeout=5)
    try:
        with pytest.raises(Unavailable, match=f"Could not reach http://127.0.0.1:{port}") as info:
            await transport.predict(ENDPOINT, b'{"instances":[1]}')
        assert info.value.hint == "Vertex AI could not be reached; retry in a moment."
    finally:
        await transport.close()
