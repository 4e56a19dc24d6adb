"""Cloud Storage artifacts (a job's outputs, an executed notebook, a model's files) copied into
the Jupyter root, where the file browser and the document manager open them.

``gs://bucket/object`` or ``gs://bucket/prefix/`` is copied, through the storage client both
backends use (local Cloud Storage or Google's), to ``vertex-artifacts/<bucket>/<object>`` under
the root: the same object always lands in the same place, and a second open refreshes it. The
folder ignores itself in git (its own ``.gitignore``), so a repository root stays clean.
Bounded in objects and bytes; object names that could leave the folder are refused, and files
are written beside their target and renamed over it (a link there is replaced, not followed).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ..backend.blocking import run_blocking
from ..backend.clients import ClientFactory
from ..errors import InvalidArgument, NotFound

__all__ = ["ARTIFACTS_FOLDER", "ArtifactsService", "parse_gs_uri"]

ARTIFACTS_FOLDER = "vertex-artifacts"
DEFAULT_MAX_OBJECTS = 200
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
# Cloud Storage's bucket names: 3-63 characters (up to 222 with dots), lowercase.
_BUCKET = re.compile(r"[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]")
_URI_HINT = "Give a Cloud Storage URI such as gs://bucket/folder/file.ipynb."


def _size(n: int) -> str:
    return f"{n} bytes" if n < 1024 else f"{n / (1024 * 1024):.1f} MiB"


def parse_gs_uri(uri: str) -> tuple[str, str]:
    """``gs://bucket/name`` → ``(bucket, name)``; anything that could not be copied safely
    into a folder of its own is refused (400)."""
    if not uri.startswith("gs://"):
        raise InvalidArgument(f"Field 'uri': {uri[:200]!r} is not a gs:// URI.", hint=_URI_HINT)
    bucket, _, name = uri[len("gs://") :].partition("/")
    if not _BUCKET.fullmatch(bucket) or ".." in bucket:
        raise InvalidArgument(
            f"Field 'uri': {bucket[:80]!r} is not a Cloud Storage bucket name.", hint=_URI_HINT
        )
    _check_name(name, uri)
    return bucket, name


def _check_name(name: str, uri: str) -> None:
    parts = name.rstrip("/").split("/") if name.rstrip("/") else []
    if (
        any(p in ("", ".", "..") for p in parts)
        or "\\" in name
        or "\x00" in name
        or any(ord(c) < 32 for c in name)
    ):
        raise InvalidArgument(
            f"Field 'uri': {uri[:200]!r} has an object name that cannot be a path inside the "
            "Jupyter root (empty, '.' or '..' segments, backslashes or control characters).",
            hint=_URI_HINT,
        )


@dataclass(frozen=True)
class _Object:
    name: str
    size: int
    blob: Any


class ArtifactsService:
    """Copies Cloud Storage objects into ``<root>/vertex-artifacts/``."""

    def __init__(
        self,
        clients: ClientFactory,
        *,
        root_dir: str,
        max_objects: int = DEFAULT_MAX_OBJECTS,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self.clients = clients
        self.root_dir = root_dir
        self.max_objects = max_objects
        self.max_bytes = max_bytes

    async def open(self, uri: str) -> dict[str, Any]:
        """Copy the object, or every object under the prefix, and say where it is."""
        bucket, name = parse_gs_uri(uri)
        client = await self.clients.storage_client()
        return await run_blocking(self._copy, client, uri, bucket, name)

    # -- blocking part (a worker thread) --------------------------------------------------

    def _find(self, client: Any, uri: str, bucket: str, name: str) -> tuple[bool, list[_Object]]:
        """``(is_folder, objects)``: the object itself, else what is under ``name/``."""
        handle = client.bucket(bucket)
        if name and not name.endswith("/"):
            blob = handle.get_blob(name)
            if blob is not None:
                return False, [_Object(blob.name, int(blob.size or 0), blob)]
        prefix = name.rstrip("/") + "/" if name.rstrip("/") else ""
        found: list[_Object] = []
        for blob in client.list_blobs(bucket, prefix=prefix, max_results=self.max_objects + 1):
            if blob.name.endswith("/"):
                continue  # a "folder" placeholder some tools write
            found.append(_Object(blob.name, int(blob.size or 0), blob))
            if len(found) > self.max_objects:
                raise InvalidArgument(
                    f"Field 'uri': {uri} holds more than {self.max_objects} objects, the most "
                    "opened at once.",
                    hint="Open a narrower folder or one file.",
                )
        if not found:
            raise NotFound(
                f"Field 'uri': no object {uri} (and nothing under it).",
                hint="The job may not have written it yet, or it was deleted.",
            )
        return True, found

    def _copy(self, client: Any, uri: str, bucket: str, name: str) -> dict[str, Any]:
        folder, objects = self._find(client, uri, bucket, name)
        total = sum(o.size for o in objects)
        if total > self.max_bytes:
            raise InvalidArgument(
                f"Field 'uri': {uri} holds {_size(total)}, over the limit of "
                f"{_size(self.max_bytes)} copied at once.",
                hint="Open a narrower folder or one file, or download it with gcloud storage cp.",
            )
        for obj in objects:
            _check_name(obj.name, f"gs://{bucket}/{obj.name}")
        root = Path(self.root_dir).resolve()
        _ignored_by_git(_real_folder(root, root / ARTIFACTS_FOLDER))
        base = root / ARTIFACTS_FOLDER / bucket
        for obj in objects:
            self._write(root, base, obj)
        target = name.rstrip("/")
        relative = PurePosixPath(ARTIFACTS_FOLDER, bucket, *(target.split("/") if target else []))
        if folder:
            kind = "directory"
        else:
            kind = "notebook" if target.endswith(".ipynb") else "file"
        return {
            "uri": uri,
            "path": relative.as_posix(),
            "kind": kind,
            "files": len(objects),
            "bytes": total,
        }

    def _write(self, root: Path, base: Path, obj: _Object) -> None:
        parts: Sequence[str] = obj.name.split("/")
        target = base.joinpath(*parts)
        parent = _real_folder(root, target.parent)
        fd, temp = tempfile.mkstemp(prefix=".artifact-", dir=parent)
        os.close(fd)
        try:
            obj.blob.download_to_filename(temp)
            # Renamed over the target: a link there is replaced, never followed.
            os.replace(temp, target)
        except IsADirectoryError as exc:
            Path(temp).unlink(missing_ok=True)
            raise InvalidArgument(
                f"Field 'uri': {target.relative_to(root)} is a folder in the Jupyter root; "
                f"the object {obj.name} cannot be copied over it.",
                hint=f"Move {target.relative_to(root)} aside.",
            ) from exc
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise


def _ignored_by_git(folder: Path) -> None:
    """Copies are no work of the user's: a root that is a git repository stays clean (a
    dirty tree would label every later job ``git-dirty`` and make it impossible to re-run)."""
    ignore = folder / ".gitignore"
    if ignore.exists() or ignore.is_symlink():
        return
    fd, temp = tempfile.mkstemp(prefix=".gitignore-", dir=folder)
    with os.fdopen(fd, "w") as out:
        out.write("# Copies of Cloud Storage artifacts (jupyter_vertex): not tracked.\n*\n")
    os.replace(temp, ignore)


def _real_folder(root: Path, folder: Path) -> Path:
    """Make ``folder`` (under ``root``) one real folder at a time: a symbolic link or a file
    in the way is refused before anything is created through it."""
    current = root
    for part in folder.relative_to(root).parts:
        current = current / part
        if current.is_symlink() or (current.exists() and not current.is_dir()):
            where = current.relative_to(root)
            raise InvalidArgument(
                f"Field 'uri': {where} in the Jupyter root is a symbolic link or a file; "
                "artifacts are copied only into real folders.",
                hint=f"Move {where} aside.",
            )
        if not current.exists():
            try:
                current.mkdir()
            except FileExistsError:
                pass  # made meanwhile by another copy
    return current
