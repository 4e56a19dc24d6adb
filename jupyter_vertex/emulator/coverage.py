"""The API coverage page (``docs/emulator-coverage.md``): every method of Google's discovery
documents (:mod:`.discovery`) and whether the embedded Vertex serves it.

It asks a running embedded Vertex, method by method: one request to the method's path with
placeholder values. The router answers a path and verb it has no route for with 404 and
``The requested URL {METHOD} {path} was not found.``; any other answer (the resource's own
NOT_FOUND, a 400, a 200) means a route took it. Requests that could change anything carry a
malformed JSON body, which every routed method refuses (400) before its handler runs, so a
probe never creates, deletes or starts anything.

    python -m jupyter_vertex.emulator.coverage                 # starts its own, writes the page
    python -m jupyter_vertex.emulator.coverage --check         # fails if the page is stale
    python -m jupyter_vertex.emulator.coverage --url URL --token T --output -
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from . import discovery
from .discovery import FAMILIES, Method

PAGE = Path("docs") / "emulator-coverage.md"
COMMAND = "python -m jupyter_vertex.emulator.coverage"
MALFORMED_BODY = b'{"probe": '  # refused as invalid JSON before any handler runs
TIMEOUT = 30.0


def not_routed_message(method: str, path: str) -> str:
    """The router's message for a request no route takes (``core/http.py``)."""
    return f"The requested URL {method} {path} was not found."


class Prober:
    """Sends probes to one embedded Vertex over one kept-alive connection."""

    def __init__(self, url: str, token: str) -> None:
        parts = urlsplit(url)
        self._host, self._port = parts.hostname or "127.0.0.1", parts.port or 80
        self._headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self._connection = http.client.HTTPConnection(self._host, self._port, timeout=TIMEOUT)

    def served(self, method: Method) -> bool:
        path = method.probe_path()
        body = None if method.http_method == "GET" else MALFORMED_BODY
        self._connection.request(method.http_method, path, body=body, headers=self._headers)
        response = self._connection.getresponse()
        data = response.read()
        if response.status != 404:
            if response.status in (401, 403):
                raise RuntimeError(f"the embedded Vertex refused the token ({response.status})")
            return True
        try:
            message = json.loads(data)["error"]["message"]
        except (ValueError, KeyError, TypeError):
            return True  # not the router's answer
        return bool(message != not_routed_message(method.http_method, path))

    def close(self) -> None:
        self._connection.close()


@dataclass(frozen=True)
class FamilyCoverage:
    family: discovery.Family
    revision: str
    methods: list[tuple[Method, bool]]

    @property
    def served(self) -> int:
        return sum(1 for _, served in self.methods if served)


def measure(url: str, token: str) -> list[FamilyCoverage]:
    """Probe every method of every family against the embedded Vertex at ``url``."""
    prober = Prober(url, token)
    try:
        return [
            FamilyCoverage(
                family,
                str(discovery.document(family.document).get("revision", "")),
                [(m, prober.served(m)) for m in discovery.methods(family.document)],
            )
            for family in FAMILIES
        ]
    finally:
        prober.close()


def served_methods(url: str, token: str) -> list[Method]:
    """The discovery methods the embedded Vertex at ``url`` serves (for the fuzz tests)."""
    return [m for cov in measure(url, token) for m, served in cov.methods if served]


def render(coverage: Iterable[FamilyCoverage]) -> str:
    """The page, as markdown. Deterministic: documents' order, methods sorted by id."""
    coverage = list(coverage)
    shared = _shared(coverage)
    lines = [
        "# The embedded Vertex: API coverage",
        "",
        "<!-- Generated; do not edit. Regenerate: " + COMMAND + " -->",
        "",
        "Every REST method of Google's own API descriptions (the discovery documents that "
        f"`{discovery.DISTRIBUTION}` {discovery.installed_version()} ships) and whether the "
        "embedded Vertex serves it. Each method was probed against a running embedded Vertex: "
        "served (✓) means a route took the request (the answer may still be the resource's "
        "own NOT_FOUND or a validation error); not served (—) means the router answered 404 "
        '"The requested URL … was not found.". ✓¹: one address serves every API here, and '
        "this method's request is the same as that of the method named beside it, whose route "
        "answers it. Every served method is also served over gRPC, by the same route (each "
        "call transcoded through its HTTP rule). What a served method supports is in "
        "[emulator.md](emulator.md). CI "
        f"regenerates this page and fails when it differs (`{COMMAND} --check`).",
        "",
        "| API | Discovery document (revision) | Served | Methods |",
        "| --- | --- | ---: | ---: |",
    ]
    for cov in coverage:
        lines.append(
            f"| [{cov.family.title}](#{_anchor(cov.family.document)}) | "
            f"`{cov.family.document}` ({cov.revision}) | {cov.served}{_of_them(cov, shared)} | "
            f"{len(cov.methods)} |"
        )
    for cov in coverage:
        lines += [
            "",
            f"## {cov.family.document}",
            "",
            f"{cov.family.title}: {cov.served} of {len(cov.methods)} methods served"
            f"{_of_them(cov, shared)}.",
            "",
            "| Method | HTTP | Served |",
            "| --- | --- | :---: |",
        ]
        for method, served in cov.methods:
            mark = "✓" if served else "—"
            if served and method.id in shared:
                mark = f"✓¹ (`{shared[method.id]}`)"
            lines.append(f"| `{method.id}` | `{method.http_method} {method.path}` | {mark} |")
    return "\n".join(lines) + "\n"


def _of_them(cov: FamilyCoverage, shared: dict[str, str]) -> str:
    count = sum(1 for method, _ in cov.methods if method.id in shared)
    return f" ({count} of them ✓¹)" if count else ""


def _shared(coverage: list[FamilyCoverage]) -> dict[str, str]:
    """Served methods whose probe is the same request as a served method of an earlier
    family (Logging's operations and Notebooks' share ``/v2/projects/*/locations/*``):
    method id -> the id of the method whose route answers it."""
    first: dict[tuple[str, str], Method] = {}
    shared: dict[str, str] = {}
    for cov in coverage:
        for method, served in cov.methods:
            if not served:
                continue
            key = (method.http_method, method.probe_path())
            owner = first.setdefault(key, method)
            if owner.family != method.family:
                shared[method.id] = owner.id
    return shared


def _anchor(title: str) -> str:
    return title.replace(".", "")


@contextmanager
def _own_emulator() -> Iterator[tuple[str, str]]:
    from .testing import EmulatorProcess

    with tempfile.TemporaryDirectory(prefix="jupyter-vertex-coverage-") as data_dir:
        with EmulatorProcess(data_dir, extra_args=["--warm-model-servers", "0"]) as emu:
            yield emu.url, emu.token


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running embedded Vertex (default: start one)")
    parser.add_argument("--token", default="", help="its bearer token (with --url)")
    parser.add_argument("--output", default=str(PAGE), help="the page to write ('-': stdout)")
    parser.add_argument(
        "--check", action="store_true", help="compare with --output instead of writing it"
    )
    args = parser.parse_args(argv)
    if args.url:
        page = render(measure(args.url, args.token))
    else:
        with _own_emulator() as (url, token):
            page = render(measure(url, token))
    if args.check:
        current = Path(args.output).read_text("utf-8") if Path(args.output).exists() else ""
        if current != page:
            print(f"{args.output} is stale: regenerate it with {COMMAND}", file=sys.stderr)
            return 1
        return 0
    if args.output == "-":
        sys.stdout.write(page)
    else:
        Path(args.output).write_text(page, "utf-8")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
