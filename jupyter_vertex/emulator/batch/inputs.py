"""A batch prediction job's input rows, read from local Cloud Storage as a stream.

``gs://`` URIs may hold wildcards (``*``, ``?``, ``[…]``) in the object name. Rows come one
at a time from a streamed HTTP download (never a whole file in memory): ``jsonl`` (one JSON
value a line), ``csv`` (the header row names the fields; each row becomes the array of its
values, numbers as numbers, as Vertex sends them) and ``file-list`` (one ``gs://`` URI a
line; the instance is ``{"b64": <the file's bytes, base64>}``). ``instanceConfig`` shapes
each instance (:func:`shape`).
"""

from __future__ import annotations

import base64
import csv
import fnmatch
import io
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..storage.local_storage import split_gs_uri

FORMATS = ("jsonl", "csv", "file-list")
_WILDCARD = re.compile(r"[*?\[]")


class InputError(Exception):
    """Why the job's input cannot be read (the job FAILS with this message)."""


@dataclass(frozen=True)
class Shape:
    """``instanceConfig``: how a row becomes the instance sent to the model."""

    instance_type: str = ""  # "", "object" or "array"
    key_field: str = ""
    included: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()

    @classmethod
    def of(cls, config: dict[str, Any]) -> Shape:
        return cls(
            str(config.get("instanceType") or ""),
            str(config.get("keyField") or ""),
            tuple(config.get("includedFields") or ()),
            tuple(config.get("excludedFields") or ()),
        )


@dataclass
class Row:
    """One input row: what the output lines show (``instance`` or ``key``) and what the
    model gets."""

    shown: dict[str, Any]
    instance: Any = None


def shape(value: Any, config: Shape, fields: list[str] | None = None) -> Row:
    """A row as Vertex shapes it: an object row (a JSON object, or a CSV row with its
    header's names) loses ``excludedFields`` / keeps only ``includedFields`` (in that order)
    and the ``keyField``; ``instanceType`` "array" sends its values, "object" an object."""
    if fields is not None:  # a CSV row: an object by its header, an array by default
        value = dict(zip(fields, value, strict=False))
        wanted = config.instance_type or "array"
    else:
        wanted = config.instance_type
    if not isinstance(value, dict):
        return Row({"instance": value}, value)
    key = value.get(config.key_field) if config.key_field else None
    names = list(config.included) if config.included else list(value)
    names = [n for n in names if n not in config.excluded and n != config.key_field]
    kept = {n: value[n] for n in names if n in value}
    instance: Any = list(kept.values()) if wanted == "array" else kept
    shown = {"key": key} if config.key_field else {"instance": instance}
    return Row(shown, instance)


def _number(text: str) -> Any:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


class Source:
    """Local Cloud Storage, streamed: an object's file read from disk where local storage
    tells it (``object_file``), else its JSON API's download."""

    def __init__(
        self,
        storage_url: str,
        object_file: Callable[[str, str], Path | None] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.storage_url = storage_url
        self.object_file = object_file
        self.headers = headers or {}  # local storage's token (LocalStorage.headers)

    def names(self, uri: str, field: str) -> list[str]:
        """The objects ``uri`` names (with wildcards), sorted: gs://bucket/name each."""
        bucket, pattern = split_gs_uri(uri, field)
        match = _WILDCARD.search(pattern)
        prefix = pattern[: match.start()] if match else pattern
        found: list[str] = []
        token = ""
        while True:
            query = {"prefix": prefix, **({"pageToken": token} if token else {})}
            url = (
                f"{self.storage_url}/storage/v1/b/{urllib.parse.quote(bucket, safe='')}/o?"
                + urllib.parse.urlencode(query)
            )
            request = urllib.request.Request(url, headers=self.headers)  # noqa: S310 - loopback
            try:
                with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
                    payload = json.loads(answer.read() or b"{}")
            except urllib.error.HTTPError as error:
                if error.code == 404:
                    raise InputError(
                        f"No input file matches {uri}: bucket gs://{bucket} does not exist."
                    ) from None
                raise
            for item in payload.get("items") or []:
                name = item["name"]
                if fnmatch.fnmatchcase(name, pattern) if match else name == pattern:
                    found.append(f"gs://{bucket}/{name}")
            token = payload.get("nextPageToken") or ""
            if not token:
                return sorted(found)

    def lines(self, uri: str) -> Iterator[str]:
        """The text lines of one object, streamed."""
        bucket, name = split_gs_uri(uri, "input")
        path = self.object_file(bucket, name) if self.object_file is not None else None
        if path is not None:
            with open(path, encoding="utf-8", errors="replace", newline="") as handle:
                yield from handle
            return
        quoted = f"{urllib.parse.quote(bucket, safe='')}/o/{urllib.parse.quote(name, safe='')}"
        url = f"{self.storage_url}/download/storage/v1/b/{quoted}?alt=media"
        request = urllib.request.Request(url, headers=self.headers)  # noqa: S310 - loopback
        try:
            answer = urllib.request.urlopen(request, timeout=60)  # noqa: S310 - loopback
        except urllib.error.HTTPError as error:
            raise InputError(f"Cannot read {uri}: HTTP {error.code}.") from None
        with answer:
            yield from io.TextIOWrapper(answer, encoding="utf-8", errors="replace", newline="")

    def rows(self, uris: list[str], fmt: str, config: Shape) -> Generator[Row, None, None]:
        """Every input row of every file, in order."""
        for uri in uris:
            if fmt == "csv":
                yield from self._csv(uri, config)
                continue
            for number, line in enumerate(self.lines(uri), 1):
                text = line.strip()
                if not text:
                    continue
                if fmt == "file-list":
                    encoded = base64.b64encode(self._raw(text)).decode("ascii")
                    yield Row({"instance": text}, {"b64": encoded})
                    continue
                try:
                    value = json.loads(text)
                except ValueError as error:
                    raise InputError(
                        f"{uri} line {number} is not valid JSON ({error}); the instances "
                        "format is jsonl: one JSON value a line."
                    ) from None
                yield shape(value, config)

    def _raw(self, uri: str) -> bytes:
        bucket, name = split_gs_uri(uri, "file-list entry")
        quoted = f"{urllib.parse.quote(bucket, safe='')}/o/{urllib.parse.quote(name, safe='')}"
        url = f"{self.storage_url}/download/storage/v1/b/{quoted}?alt=media"
        request = urllib.request.Request(url, headers=self.headers)  # noqa: S310 - loopback
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310 - loopback
                data: bytes = answer.read()
                return data
        except urllib.error.HTTPError as error:
            raise InputError(
                f"Cannot read {uri} (listed in a file-list): HTTP {error.code}."
            ) from None

    def _csv(self, uri: str, config: Shape) -> Iterator[Row]:
        reader = csv.reader(self.lines(uri))
        header = next(reader, None)
        if not header:
            return
        for values in reader:
            if values:
                yield shape([_number(v) for v in values], config, header)
