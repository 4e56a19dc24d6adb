"""The bearer token every request must carry.

``JUPYTER_VERTEX_EMULATOR_TOKEN`` when set; otherwise generated once and kept in
``DATA_DIR/token`` (mode 0600), so a restarted emulator accepts the same token.
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

from .connection import TOKEN_ENV, write_private_file

TOKEN_FILE = "token"  # noqa: S105 - a file name


def load_or_create_token(data_dir: Path, environ: dict[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    given = env.get(TOKEN_ENV, "").strip()
    if given:
        return given
    path = Path(data_dir) / TOKEN_FILE
    if path.is_file():
        token = path.read_text(encoding="utf-8").strip()
        if token:
            os.chmod(path, 0o600)
            return token
    token = secrets.token_urlsafe(32)
    write_private_file(path, token + "\n")
    return token


def is_authorized(header: str | None, token: str) -> bool:
    """Whether an ``Authorization`` header carries the token (constant-time compare)."""
    if not header:
        return False
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(credentials.strip().encode(), token.encode())
