"""How clients find a running embedded Vertex (docs/architecture.md §2).

Cheap to import: no Google or Jupyter imports at module level.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

URL_ENV = "JUPYTER_VERTEX_EMULATOR_URL"
TOKEN_ENV = "JUPYTER_VERTEX_EMULATOR_TOKEN"  # noqa: S105 - a variable name
STORAGE_ENV = "STORAGE_EMULATOR_HOST"
PROJECT_ENV = "JUPYTER_VERTEX_PROJECT"
REGION_ENV = "JUPYTER_VERTEX_REGION"
# the API over gRPC (host:port, TLS) and the certificate that port presents (a PEM file)
GRPC_ENV = "JUPYTER_VERTEX_EMULATOR_GRPC"
CERT_ENV = "JUPYTER_VERTEX_EMULATOR_TLS_CERT"
RUNTIME_FILE = "jupyter_vertex_emulator.json"
# In the data dir while the embedded Vertex runs: {"url", "storage_url", "token", "pid"},
# 0600; removed at a clean stop. init(data_dir=...) and `jupyter-vertex-emulator env` read it.
CONNECTION_FILE = "connection.json"
# In the data dir: the addresses the last start served on ({"url", "storage_url"}). Kept
# after a stop (unlike connection.json): the next start reuses those ports when they are
# free, and processes that outlive a restart (training replicas' relays) read it to find
# the current address. No secret in it.
ADDRESSES_FILE = "addresses.json"


def write_private_file(path: Path | str, text: str) -> None:
    """Write ``text`` to ``path`` atomically, readable by the owner only (0600)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def make_private_tree(root: Path | str) -> int:
    """Make ``root`` and every folder under it 0700 and every regular file 0600; links are
    neither followed nor changed, sockets and other special files are left alone. Answers
    how many entries changed. For a data dir written by an older version or another umask."""
    changed = 0
    for top, _dirs, files in os.walk(root):  # os.walk does not descend into linked folders
        entries = [(top, stat.S_ISDIR, 0o700)]
        entries += [(os.path.join(top, name), stat.S_ISREG, 0o600) for name in files]
        for path, is_kind, wanted in entries:
            try:
                mode = os.lstat(path).st_mode
                if is_kind(mode) and stat.S_IMODE(mode) != wanted:
                    os.chmod(path, wanted)
                    changed += 1
            except (FileNotFoundError, PermissionError):  # gone meanwhile, or not ours
                continue
    return changed


@dataclass(frozen=True)
class EmulatorConnection:
    url: str
    # Kept out of the repr: init() returns this object, and notebooks display it.
    token: str = field(repr=False)
    storage_url: str | None = None
    project: str | None = None
    location: str | None = None
    grpc_address: str | None = None
    tls_cert: str | None = None

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> EmulatorConnection | None:
        env = os.environ if environ is None else environ
        url, token = env.get(URL_ENV), env.get(TOKEN_ENV)
        if not url or not token:
            return None
        return cls(
            url=url,
            token=token,
            storage_url=env.get(STORAGE_ENV) or None,
            project=env.get(PROJECT_ENV) or None,
            location=env.get(REGION_ENV) or None,
            grpc_address=env.get(GRPC_ENV) or None,
            tls_cert=env.get(CERT_ENV) or None,
        )

    @classmethod
    def read(cls, path: Path | str) -> EmulatorConnection:
        """Read a connection file (``connection.json`` or the runtime-dir file)."""
        data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
        try:
            return cls(
                url=str(data["url"]),
                token=str(data["token"]),
                storage_url=data.get("storage_url") or None,
                project=data.get("project") or None,
                location=data.get("location") or None,
                grpc_address=data.get("grpc_address") or None,
                tls_cert=data.get("tls_cert") or None,
            )
        except KeyError as missing:
            raise ValueError(f"{path} has no {missing.args[0]!r}") from None

    def write(self, path: Path | str) -> None:
        write_private_file(path, json.dumps(asdict(self), indent=2) + "\n")

    def to_env(self) -> dict[str, str]:
        """The environment variables that :meth:`from_env` reads."""
        env = {URL_ENV: self.url, TOKEN_ENV: self.token}
        if self.storage_url:
            env[STORAGE_ENV] = self.storage_url
        if self.project:
            env[PROJECT_ENV] = self.project
        if self.location:
            env[REGION_ENV] = self.location
        if self.grpc_address and self.tls_cert:
            env[GRPC_ENV] = self.grpc_address
            env[CERT_ENV] = self.tls_cert
        return env

    @classmethod
    def in_data_dir(cls, data_dir: Path | str) -> EmulatorConnection:
        """The connection of the embedded Vertex running with ``data_dir`` (its
        ``connection.json``); FileNotFoundError when none runs there."""
        path = Path(data_dir) / CONNECTION_FILE
        if not path.is_file():
            raise FileNotFoundError(
                f"No embedded Vertex is running with data dir {data_dir} (no {path}): start "
                f"one with `jupyter-vertex-emulator --data-dir {data_dir}`."
            )
        return cls.read(path)

    @classmethod
    def runtime_file(cls) -> Path:
        from jupyter_core.paths import jupyter_runtime_dir

        return Path(jupyter_runtime_dir()) / RUNTIME_FILE

    @classmethod
    def discover(cls) -> EmulatorConnection | None:
        """The environment's connection, else the Jupyter runtime dir's file, else None."""
        found = cls.from_env()
        if found is not None:
            return found
        path = cls.runtime_file()
        if path.is_file():
            return cls.read(path)
        return None
