"""Local Cloud Storage: ``gcp-storage-emulator`` in this process, on its own loopback port.

Clients reach it with ``STORAGE_EMULATOR_HOST=http://127.0.0.1:PORT`` (google-cloud-storage
and the Vertex SDK's staging honour it). Objects live under ``DATA_DIR/storage``. Its HTTP
server handles one request at a time, which keeps its (not thread-safe) bookkeeping
consistent; the emulator itself only talks to it over HTTP, like any other client.

It answers only holders of the embedded Vertex's token (``Authorization: Bearer``, set as
``token`` before :meth:`LocalStorage.start`); anything else gets Cloud Storage's 401
(:mod:`.auth`, which says why a token and how clients that send none get it added).

Addresses: gcp-storage-emulator stores each object's ``mediaLink`` with the address the
object was uploaded at, and google-cloud-storage downloads through ``mediaLink``. The port
changes when a restart cannot get the old one back, and clients behind a training replica's
relay (training/relay.py) upload through a port that dies with the replica; so every JSON
API answer is given links to the address the client used (its ``Host``), whatever address
an object was created at. Rewriting at serve time rather than the stored metadata at start
also covers objects uploaded during this run through another address (a relay).

Buckets: a bucket is created with the number of the project its insert names (the number the
embedded Vertex's resource names use) and the location it asks for, as Cloud Storage does;
gcp-storage-emulator alone answers ``projectNumber: "1234"`` and ``US`` for every bucket.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from functools import partial
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

from ..core.errors import ApiError, invalid_argument
from ..core.resources import project_number
from .auth import authorized, unauthorized_answer

log = logging.getLogger(__name__)


class LocalStorage:
    def __init__(
        self, root: Path, host: str = "127.0.0.1", port: int = 0, preferred_port: int = 0
    ) -> None:
        self.root = Path(root)
        self.host = host
        self.port = port
        # with port 0: the port to try first (the last run's), so addresses survive restarts
        self.preferred_port = preferred_port
        self._httpd: HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._backend: Any = None  # gcp-storage-emulator's Storage, once started
        self.token = ""  # the embedded Vertex's: every request must carry it (.auth)

    @property
    def url(self) -> str:
        return f"http://{_url_host(self.host)}:{self.port}"

    def start(self) -> None:
        from gcp_storage_emulator.storage import Storage

        logging.getLogger("gcp_storage_emulator").setLevel(logging.WARNING)
        self.root.mkdir(parents=True, exist_ok=True)
        storage = _storage_class(Storage)(data_dir=str(self.root.resolve()))
        self._backend = storage
        server_class = _IPv6HTTPServer if ":" in self.host else HTTPServer
        if not self.token:  # never an open storage: a start without a token is a bug
            raise RuntimeError("local storage needs the embedded Vertex's token to start")
        handler = partial(_handler_class(self.token), storage)
        self._httpd = self._bind(server_class, handler)
        self.port = int(self._httpd.server_address[1])
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},  # how quickly stop() is noticed
            name="local-cloud-storage",
            daemon=True,
        )
        self._thread.start()

    def _bind(self, server_class: type[HTTPServer], handler: Any) -> HTTPServer:
        if not self.port and self.preferred_port:
            try:
                return server_class((self.host, self.preferred_port), handler)
            except OSError as error:  # taken meanwhile: any free port will do
                log.info("local storage: port %d: %s; picking another", self.preferred_port, error)
        return server_class((self.host, self.port), handler)

    @property
    def headers(self) -> dict[str, str]:
        """What a request of the embedded Vertex's own to local storage carries."""
        return {"Authorization": f"Bearer {self.token}"}

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    # queries (over HTTP, off the event loop) ------------------------------------------------

    async def list_objects(self, bucket: str, prefix: str) -> list[str] | None:
        """Object names under ``prefix`` in ``bucket``; None when the bucket doesn't exist."""
        return await asyncio.to_thread(self._list_objects, bucket, prefix)

    def _list_objects(self, bucket: str, prefix: str) -> list[str] | None:
        query = urllib.parse.urlencode({"prefix": prefix})
        url = f"{self.url}/storage/v1/b/{urllib.parse.quote(bucket, safe='')}/o?{query}"
        request = urllib.request.Request(url, headers=self.headers)  # noqa: S310 - loopback
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - loopback
                payload: dict[str, Any] = json.loads(answer.read() or b"{}")
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise
        return [item["name"] for item in payload.get("items") or []]

    def object_file(self, bucket: str, name: str) -> Path | None:
        """The file holding an object's bytes on disk, to stream a large object without the
        storage server reading it whole into memory (as its downloads do); None when the
        object does not exist or this gcp-storage-emulator keeps objects elsewhere (then
        read it over HTTP)."""
        backend = self._backend
        store = getattr(backend, "_store", None)
        if store is None or not hasattr(store, "_disk_path"):
            return None
        try:
            path = Path(store._disk_path(backend._object_path(bucket, name)))
        except (AssertionError, AttributeError, TypeError):  # an in-memory store
            return None
        return path if path.is_file() else None

    async def download(self, bucket: str, name: str, target: Path) -> bool:
        """Copy one object to ``target``; False when it does not exist."""
        return await asyncio.to_thread(self._download, bucket, name, target)

    def _download(self, bucket: str, name: str, target: Path) -> bool:
        quoted = f"{urllib.parse.quote(bucket, safe='')}/o/{urllib.parse.quote(name, safe='')}"
        url = f"{self.url}/download/storage/v1/b/{quoted}?alt=media"
        target.parent.mkdir(parents=True, exist_ok=True)
        request = urllib.request.Request(url, headers=self.headers)  # noqa: S310 - loopback
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310 - loopback
                target.write_bytes(answer.read())
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return False
            raise
        return True

    async def check_artifact_uri(
        self, uri: str, field: str, expected_files: tuple[str, ...] = ()
    ) -> ApiError | None:
        """Why ``uri`` is not a usable model artifact directory, or None when it is.

        It must name a bucket that exists and hold at least one object under it. With
        ``expected_files`` (a prebuilt serving container's model files), exactly one of them
        must sit directly in the directory, as Vertex requires.
        """
        bucket, prefix = split_gs_uri(uri, field)
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        names = await self.list_objects(bucket, prefix)
        if names is None:
            return invalid_argument(f"Invalid {field}: bucket gs://{bucket} does not exist.")
        if not names:
            return invalid_argument(f"Invalid {field}: no objects found under {uri}.")
        if expected_files:
            present = sorted({n[len(prefix) :] for n in names} & set(expected_files))
            if len(present) != 1:
                listed = ", ".join(expected_files)
                return invalid_argument(
                    f"Invalid {field}: model directory {uri} is expected to contain exactly "
                    f"one of: [{listed}]."
                )
        return None


def split_gs_uri(uri: str, field: str) -> tuple[str, str]:
    if not uri.startswith("gs://") or len(uri) <= len("gs://"):
        raise invalid_argument(f"Invalid {field}: {uri!r} is not a gs:// URI.")
    bucket, _, prefix = uri[len("gs://") :].partition("/")
    if not bucket:
        raise invalid_argument(f"Invalid {field}: {uri!r} names no bucket.")
    return bucket, prefix


# JSON API paths whose answers may hold object resources (never object content: downloads
# are /download/... or alt=media, the XML API is /BUCKET/OBJECT)
_METADATA_PATH = re.compile(r"^/(?:upload/)?(?:storage/v1/)?b(?:/|$)")
_ADDRESS = re.compile(r"^https?://[^/]*")
_DRAIN_LIMIT = 1 << 20


def _handler_class(token: str) -> type[BaseHTTPRequestHandler]:
    """gcp-storage-emulator's request handler, answering only ``token`` and object links at
    the client's address (imported lazily: the library is only needed once storage starts)."""
    from gcp_storage_emulator.server import RequestHandler

    class CurrentLinksHandler(RequestHandler):
        wfile: Any  # set per connection by socketserver; swapped in _answer
        rfile: Any  # likewise; a bucket insert's body is read and put back

        def do_GET(self) -> None:
            self._answer(super().do_GET)

        def do_POST(self) -> None:
            self._answer(super().do_POST)

        def do_PUT(self) -> None:
            self._answer(super().do_PUT)

        def do_PATCH(self) -> None:
            self._answer(super().do_PATCH)

        def do_DELETE(self) -> None:
            self._answer(super().do_DELETE)

        def _refused(self) -> bool:
            """Refuse (401) a request without the token; True when refused."""
            header = self.headers.get("Authorization")
            if authorized(header, token):
                return False
            status, body = unauthorized_answer(header)
            # read a small body first: closing on unread bytes resets the connection, and the
            # client would see that instead of the answer
            length = int(self.headers.get("Content-Length") or 0)
            if 0 < length <= _DRAIN_LIMIT:
                self.rfile.read(length)
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("WWW-Authenticate", 'Bearer realm="local Cloud Storage"')
            self.end_headers()
            self.wfile.write(body)
            return True

        def _answer(self, handle: Callable[[], None]) -> None:
            if self._refused():
                return
            if self.command == "POST" and self.path.partition("?")[0] in _BUCKETS_PATHS:
                self.storage.new_bucket = self._new_bucket_fields()
            try:
                self._answer_with_links(handle)
            finally:
                self.storage.new_bucket = {}

        def _answer_with_links(self, handle: Callable[[], None]) -> None:
            path, _, query = self.path.partition("?")
            if not _METADATA_PATH.match(path) or "alt=media" in query:
                handle()
                return
            # The library writes its whole answer (status, headers, body) to wfile at once;
            # take it, fix the links, then send it.
            real = self.wfile
            answer = io.BytesIO()
            self.wfile = answer
            try:
                handle()
            finally:
                self.wfile = real
            raw = answer.getvalue()
            bound = self.server.server_address
            host = self.headers.get("Host") or f"{_url_host(bound[0])}:{bound[1]}"
            real.write(with_links_at(raw, f"http://{host}"))

        def _new_bucket_fields(self) -> dict[str, str]:
            """What a bucket insert asks for that gcp-storage-emulator ignores: the
            ``project`` query (as its number) and the body's ``location``. The body is read
            here and put back for the library."""
            length = int(self.headers.get("Content-Length") or 0)
            body = b""
            if length > 0:  # (a chunked body is left to the library; its location too)
                body = self.rfile.read(length)
                self.rfile = io.BytesIO(body)
            query = urllib.parse.parse_qs(self.path.partition("?")[2])
            return bucket_fields(query.get("project", [""])[-1], body)

    return CurrentLinksHandler


_BUCKETS_PATHS = ("/storage/v1/b", "/b")
_MULTI_REGIONS = {"US", "EU", "ASIA"}


def bucket_fields(project: str, body: bytes) -> dict[str, str]:
    """A new bucket's ``projectNumber`` (the number the embedded Vertex's resource names use,
    so the SDK's bucket-owner check passes) and ``location``/``locationType``, as Cloud
    Storage answers them; only those the insert gives."""
    fields: dict[str, str] = {}
    if project:
        try:
            fields["projectNumber"] = project_number(project, "project")
        except ApiError:
            pass  # not a project id: the library's default number stays
    try:
        location = json.loads(body or b"{}").get("location")
    except (ValueError, AttributeError):
        location = None
    if isinstance(location, str) and location:
        fields["location"] = location.upper()
        if fields["location"] in _MULTI_REGIONS:
            fields["locationType"] = "multi-region"
        elif "-" in location:
            fields["locationType"] = "region"
        else:
            fields["locationType"] = "dual-region"
    return fields


def _storage_class(base: type[Any]) -> type[Any]:
    """gcp-storage-emulator's Storage, giving a bucket being created the fields its insert
    asked for (``new_bucket``, set by the handler; its server handles one request at a time)."""

    class ProjectStorage(base):
        new_bucket: dict[str, str] = {}  # noqa: RUF012 - replaced per request, never mutated

        def create_bucket(self, bucket_name: str, bucket_obj: dict[str, Any]) -> Any:
            bucket_obj.update(self.new_bucket)
            return super().create_bucket(bucket_name, bucket_obj)

    return ProjectStorage


def with_links_at(raw: bytes, base: str) -> bytes:
    """An HTTP answer (head and JSON body) whose ``mediaLink`` values start with ``base``."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep or b'"mediaLink"' not in body:
        return raw
    try:
        payload = json.loads(body)
    except ValueError:
        return raw
    _relink(payload, base)
    new_body = json.dumps(payload).encode("utf-8")
    lines = [
        f"Content-Length: {len(new_body)}".encode("ascii")
        if line.lower().startswith(b"content-length:")
        else line
        for line in head.split(b"\r\n")
    ]
    return b"\r\n".join(lines) + sep + new_body


def _relink(value: Any, base: str) -> None:
    if isinstance(value, dict):
        link = value.get("mediaLink")
        if isinstance(link, str):
            value["mediaLink"] = _ADDRESS.sub(lambda _: base, link, count=1)
        for item in value.values():
            _relink(item, base)
    elif isinstance(value, list):
        for item in value:
            _relink(item, base)


class _IPv6HTTPServer(HTTPServer):
    import socket

    address_family = socket.AF_INET6


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
