"""A batch prediction job's output files, in Vertex's layout, under its output directory:
``predictions_00001.jsonl``, ``predictions_00002.jsonl``, … (one line per scored instance,
``{"instance"|"key": …, "prediction": …}``) and ``errors_00001.jsonl``, … (``{"instance":
…, "error": {"code": 3, "message": …}}``), in input order. Lines are spooled to a local file
and uploaded to local Cloud Storage each :data:`ROWS_PER_FILE` lines (and at the end): memory
stays bounded whatever the input's size.

``predictionsFormat`` ``csv`` writes ``.csv`` files instead: a header naming the line's
fields (``instance`` or ``key``, then ``prediction``, or ``error_code`` and
``error_message``) and one row per line, a value that is not a string or a number written as
its JSON text, so that ``pandas.read_csv`` reads every file with the same columns.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import shutil
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, TextIO

from ..storage.local_storage import split_gs_uri

ROWS_PER_FILE = 100_000
FORMATS = ("jsonl", "csv")


def _cell(value: Any) -> Any:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return value
    return json.dumps(value, separators=(",", ":"))


def csv_fields(line: dict[str, Any]) -> dict[str, Any]:
    """A line's CSV columns: the error object becomes its code and message."""
    out = {k: v for k, v in line.items() if k != "error"}
    if "error" in line:
        out["error_code"] = line["error"].get("code")
        out["error_message"] = line["error"].get("message", "")
    return out


class Part:
    """One series of output files (predictions or errors)."""

    def __init__(self, writer: Writer, stem: str) -> None:
        self.writer = writer
        self.stem = stem
        self.number = 0
        self.rows = 0
        self.handle: TextIO | None = None

    def add(self, line: dict[str, Any]) -> None:
        csv_out = self.writer.fmt == "csv"
        fields = csv_fields(line) if csv_out else line
        handle = self._open(list(fields))
        if csv_out:
            handle.write(self._csv([_cell(v) for v in fields.values()]))
        else:
            handle.write(json.dumps(line, separators=(",", ":")) + "\n")
        self.rows += 1
        if self.rows >= ROWS_PER_FILE:
            self.flush()

    def add_jsonl(self, path: Path, count: int) -> None:
        """Append a file of ``count`` jsonl lines (a shard's output), in order, starting a new
        output file every :data:`ROWS_PER_FILE` lines as :meth:`add` does."""
        with open(path, "rb") as source:  # bytes: lines end at "\n" only, as the shard's do
            while count > 0:
                handle = self._open([])
                handle.flush()  # what was written as text goes first
                take = min(count, ROWS_PER_FILE - self.rows)
                if take == count:
                    shutil.copyfileobj(source, handle.buffer, 1 << 20)
                else:
                    handle.buffer.writelines(itertools.islice(source, take))
                self.rows += take
                count -= take
                if self.rows >= ROWS_PER_FILE:
                    self.flush()

    def _open(self, header: list[str]) -> TextIO:
        """The current output file's spool, started (with a CSV's header) when there is none."""
        if self.handle is None:
            self.number += 1
            self.rows = 0
            self.handle = open(self._spool(), "w", encoding="utf-8", newline="")  # noqa: SIM115
            if self.writer.fmt == "csv":
                self.handle.write(self._csv(header))
        return self.handle

    @staticmethod
    def _csv(values: list[Any]) -> str:
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerow(values)
        return text.getvalue()

    def flush(self) -> None:
        if self.handle is None:
            return
        self.handle.close()
        self.handle = None
        spool = self._spool()
        self.writer.upload(spool, f"{self.stem}_{self.number:05d}.{self.writer.fmt}")
        os.unlink(spool)

    def _spool(self) -> Path:
        return self.writer.spool / f"{self.stem}.{self.writer.fmt}"


class Writer:
    def __init__(
        self,
        storage_url: str,
        directory: str,
        spool: Path,
        fmt: str = "jsonl",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.storage_url = storage_url
        self.headers = headers or {}  # local storage's token (LocalStorage.headers)
        self.fmt = fmt
        self.bucket, prefix = split_gs_uri(directory, "output directory")
        self.prefix = prefix.rstrip("/")
        self.spool = spool
        spool.mkdir(parents=True, exist_ok=True)
        self.predictions = Part(self, "predictions")
        self.errors = Part(self, "errors")

    def upload(self, path: Path, name: str) -> None:
        """Stream one file into ``directory/name`` (a media upload)."""
        query = urllib.parse.urlencode({"uploadType": "media", "name": f"{self.prefix}/{name}"})
        url = (
            f"{self.storage_url}/upload/storage/v1/b/"
            f"{urllib.parse.quote(self.bucket, safe='')}/o?{query}"
        )
        size = path.stat().st_size
        with open(path, "rb") as body:
            request = urllib.request.Request(  # noqa: S310 - loopback
                url,
                data=body,
                method="POST",
                headers={
                    **self.headers,
                    "Content-Type": "application/octet-stream",
                    "Content-Length": str(size),
                },
            )
            with urllib.request.urlopen(request, timeout=120) as answer:  # noqa: S310
                answer.read()

    def close(self) -> None:
        self.predictions.flush()
        self.errors.flush()
