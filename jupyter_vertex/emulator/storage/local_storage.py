"""Local Cloud Storage: ``gcp-storage-emulator`` in this process, on its own loopback port.

Clients reach it with ``STORAGE_EMULATOR_HOST=http://127.0.0.1:PORT`` (google-cloud-storage
and the Vertex SDK's staging honour it). Objects live under ``DATA_DIR/storage``. Its HTTP
server handles one request at a time, which keeps its (not thread-safe) bookkeeping
consistent; the emulator itself only talks to it over HTTP, like any other client.

It does not check credentials: anything on this machine that can reach the loopback port
can read and write it (see docs/emulator.md).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import urllib.error
import urllib.parse
import urllib.request
from functools import partial
from http.server import HTTPServer
from pathlib import Path
from typing import Any

from ..core.errors import ApiError, invalid_argument

log = logging.getLogger(__name__)


class LocalStorage:
    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.root = Path(root)
        self.host = host
        self.port = port
        self._httpd: HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{_url_host(self.host)}:{self.port}"

    def start(self) -> None:
        from gcp_storage_emulator.server import RequestHandler
        from gcp_storage_emulator.storage import Storage

        logging.getLogger("gcp_storage_emulator").setLevel(logging.WARNING)
        self.root.mkdir(parents=True, exist_ok=True)
        storage = Storage(data_dir=str(self.root.resolve()))
        server_class = _IPv6HTTPServer if ":" in self.host else HTTPServer
        self._httpd = server_class((self.host, self.port), partial(RequestHandler, storage))
        self.port = int(self._httpd.server_address[1])
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},  # how quickly stop() is noticed
            name="local-cloud-storage",
            daemon=True,
        )
        self._thread.start()

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
        try:
            with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310 - loopback
                payload: dict[str, Any] = json.loads(answer.read() or b"{}")
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise
        return [item["name"] for item in payload.get("items") or []]

    async def download(self, bucket: str, name: str, target: Path) -> bool:
        """Copy one object to ``target``; False when it does not exist."""
        return await asyncio.to_thread(self._download, bucket, name, target)

    def _download(self, bucket: str, name: str, target: Path) -> bool:
        quoted = f"{urllib.parse.quote(bucket, safe='')}/o/{urllib.parse.quote(name, safe='')}"
        url = f"{self.url}/download/storage/v1/b/{quoted}?alt=media"
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with urllib.request.urlopen(url, timeout=60) as answer:  # noqa: S310 - loopback
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


class _IPv6HTTPServer(HTTPServer):
    import socket

    address_family = socket.AF_INET6


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
