"""A file the user names by its path in the Jupyter root, checked the same way by every service.

Blocking (it looks at the disk): call it off the event loop.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from ..errors import InvalidArgument, NotFound

__all__ = ["file_in_root"]

_ROOT_RELATIVE = "a path relative to the Jupyter root"


def file_in_root(
    root_dir: str | os.PathLike[str],
    path: str,
    *,
    field: str,
    expected: str = _ROOT_RELATIVE,
) -> tuple[Path, PurePosixPath]:
    """The real file and the relative path ``path`` names; refuse anything else.

    Refused, naming ``field``: absolute paths, ``..``, backslashes, names the system cannot
    hold, nothing there (NOT_FOUND), a symbolic link leading out of the root, a folder.
    """
    root = Path(root_dir).resolve()
    pure = PurePosixPath(path)
    shown = repr(path[:80])
    if not path or pure.is_absolute() or ".." in pure.parts or "\\" in path or not pure.parts:
        raise InvalidArgument(f"Field '{field}': {shown} must be {expected}, without '..'.")
    candidate = root.joinpath(*pure.parts)
    try:
        exists = candidate.exists()
    except OSError as exc:  # e.g. ENAMETOOLONG: no such file can exist
        raise InvalidArgument(
            f"Field '{field}': {shown} is not a usable file name ({exc.strerror})."
        ) from exc
    if not exists:
        raise NotFound(
            f"Field '{field}': no file {shown} in the Jupyter root.",
            hint="Save the file first, or check its name in the file browser.",
        )
    resolved = candidate.resolve()
    if not resolved.is_relative_to(root):
        raise InvalidArgument(
            f"Field '{field}': {shown} leads outside the Jupyter root (through a symbolic link)."
        )
    if not resolved.is_file():
        raise InvalidArgument(f"Field '{field}': {shown} is not a file.")
    return resolved, pure
