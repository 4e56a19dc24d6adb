"""Fakes for the extension's tests: a GCE metadata server on loopback, ADC loaders."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class FakeCredentials:
    """Stands in for google.auth credentials (never used to call Google)."""

    def __init__(self, email: str | None = None) -> None:
        self.service_account_email = email
        self.token = "fake-token"
        self.valid = True


class FakeMetadataServer:
    """A GCE metadata server on 127.0.0.1 answering a fixed set of paths."""

    def __init__(self, values: dict[str, str], flavor: str | None = "Google") -> None:
        self.values = values
        self.flavor = flavor
        self.requests: list[str] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                outer.requests.append(self.path)
                if self.headers.get("Metadata-Flavor") != "Google":
                    self.send_response(403)
                    self.end_headers()
                    return
                prefix = "/computeMetadata/v1/"
                key = self.path[len(prefix) :] if self.path.startswith(prefix) else None
                if key not in outer.values:
                    self.send_response(404)
                    self.end_headers()
                    return
                body = outer.values[key].encode()
                self.send_response(200)
                if outer.flavor:
                    self.send_header("Metadata-Flavor", outer.flavor)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = f"127.0.0.1:{self.server.server_address[1]}"

    @contextmanager
    def running(self) -> Iterator[FakeMetadataServer]:
        thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()
            thread.join(5)


GCE_VALUES = {
    "project/project-id": "metadata-project",
    "instance/zone": "projects/123456/zones/europe-west4-b",
    "instance/service-accounts/default/email": "vm-sa@metadata-project.iam.gserviceaccount.com",
}
