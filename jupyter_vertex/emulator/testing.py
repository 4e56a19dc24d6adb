"""Run an embedded Vertex as a subprocess, for tests and CI.

    with EmulatorProcess(data_dir=tmp_path) as emu:
        ...  # emu.url, emu.storage_url, emu.token, emu.connection()

``restart()`` stops the process and starts a new one on the same data dir and the same
ports, so clients keep their address.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from ..defaults import READY_PREFIX
from .core.connection import TOKEN_ENV, EmulatorConnection
from .server import CONNECTION_FILE
from .serving.warm_servers import ENVIRON_FILE, WARM_ENV

LOG_FILE = "emulator.log"


class EmulatorError(RuntimeError):
    pass


class EmulatorProcess:
    def __init__(
        self,
        data_dir: Path | str,
        port: int = 0,
        storage_port: int = 0,
        token: str | None = None,
        *,
        host: str = "127.0.0.1",
        extra_args: list[str] | None = None,
        start_timeout: float = 60.0,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.port = port
        self.storage_port = storage_port
        self.host = host
        self.extra_args = list(extra_args or [])
        self.start_timeout = start_timeout
        self._given_token = token
        self.token: str = token or ""
        self.url: str = ""
        self.storage_url: str = ""
        self.grpc_address: str = ""
        self.tls_cert: str = ""
        self.pid: int | None = None
        self._process: subprocess.Popen[str] | None = None
        self._log: IO[str] | None = None
        self._reader: threading.Thread | None = None

    # lifecycle -----------------------------------------------------------------------

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "jupyter_vertex.emulator",
            "--data-dir",
            str(self.data_dir),
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--storage-port",
            str(self.storage_port),
            *self.extra_args,
        ]

    def start(self) -> EmulatorProcess:
        if self._process is not None:
            raise EmulatorError("the emulator is already running")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        if self._given_token:
            env[TOKEN_ENV] = self._given_token
        else:
            env.pop(TOKEN_ENV, None)
        # the child imports this very package, wherever it is
        package_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (package_root, env.get("PYTHONPATH", "")) if p
        )
        self._log = open(self.data_dir / LOG_FILE, "a", encoding="utf-8")  # noqa: SIM115
        process = subprocess.Popen(
            self.command(),
            stdout=subprocess.PIPE,
            stderr=self._log,
            stdin=subprocess.DEVNULL,
            env=env,
            text=True,
        )
        self._process = process
        try:
            ready = self._wait_ready(process)
        except BaseException:
            self._kill()
            raise
        self.url, self.storage_url, self.pid = ready["url"], ready["storage_url"], ready["pid"]
        connection = json.loads((self.data_dir / CONNECTION_FILE).read_text(encoding="utf-8"))
        self.token = connection["token"]
        self.grpc_address = str(connection.get("grpc_address", ""))
        self.tls_cert = str(connection.get("tls_cert", ""))
        # keep the same address across restart()
        self.port = int(self.url.rsplit(":", 1)[1])
        self.storage_port = int(self.storage_url.rsplit(":", 1)[1])
        return self

    def _wait_ready(self, process: subprocess.Popen[str]) -> dict[str, Any]:
        assert process.stdout is not None
        lines: list[str] = []
        found: dict[str, Any] = {}

        def read() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                if not found and line.startswith(READY_PREFIX):
                    found.update(json.loads(line[len(READY_PREFIX) :]))
                else:
                    lines.append(line)

        reader = threading.Thread(target=read, name="emulator-stdout", daemon=True)
        reader.start()
        self._reader = reader
        deadline = time.monotonic() + self.start_timeout
        while not found:
            if process.poll() is not None:
                raise EmulatorError(
                    f"the emulator exited with {process.returncode} before it was ready; see "
                    f"{self.data_dir / LOG_FILE}:\n{self._log_tail()}"
                )
            if time.monotonic() > deadline:
                raise EmulatorError(
                    f"the emulator was not ready within {self.start_timeout} s:\n{self._log_tail()}"
                )
            time.sleep(0.02)
        return found

    def _log_tail(self, lines: int = 30) -> str:
        try:
            text = (self.data_dir / LOG_FILE).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM and wait; answer the exit code (None when it was not running)."""
        process = self._process
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        code = process.returncode
        self._cleanup()
        return code

    def kill(self) -> None:
        """SIGKILL, as a crash: nothing is cleaned up by the emulator itself."""
        self._kill()

    def restart(self) -> EmulatorProcess:
        self.stop()
        return self.start()

    def _kill(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._cleanup()

    def _cleanup(self) -> None:
        if self._reader is not None:
            self._reader.join(timeout=5)  # it ends at the child's EOF
            self._reader = None
        if self._process is not None and self._process.stdout is not None:
            self._process.stdout.close()
        self._process = None
        self.pid = None
        if self._log is not None:
            self._log.close()
            self._log = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    # helpers -------------------------------------------------------------------------

    def connection(
        self, project: str | None = None, location: str | None = None
    ) -> EmulatorConnection:
        return EmulatorConnection(
            url=self.url,
            token=self.token,
            storage_url=self.storage_url,
            project=project,
            location=location,
            grpc_address=self.grpc_address or None,
            tls_cert=self.tls_cert or None,
        )

    @property
    def storage_headers(self) -> dict[str, str]:
        """What a raw HTTP request to local storage carries: it answers only the token."""
        return {"Authorization": f"Bearer {self.token}"}

    def storage_client(self, project: str = "local-project") -> Any:
        """A ``google.cloud.storage.Client`` of local storage, sending the token (a client
        built with ``credentials=None`` sends none and is refused)."""
        from google.cloud import storage  # type: ignore[attr-defined]
        from google.oauth2.credentials import Credentials

        return storage.Client(
            project=project,
            credentials=Credentials(token=self.token),
            client_options={"api_endpoint": self.storage_url},
        )

    def __enter__(self) -> EmulatorProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


DEPLOYED_MODEL_ENV = "AIP_DEPLOYED_MODEL_ID"


def _given_environ(process: Path) -> dict[str, str] | None:
    """The environment a warm model server was given, from its working folder, or the
    folder above or the one above that (a predictor may work in the model it extracted)."""
    try:
        cwd = (process / "cwd").resolve(strict=True)
    except OSError:
        return None
    for folder in (cwd, *cwd.parents[:2]):
        try:
            given: dict[str, str] = json.loads((folder / ENVIRON_FILE).read_text("utf-8"))
        except (OSError, ValueError):
            continue
        return given
    return None


def model_servers(deployed_id: str | None = None) -> dict[int, dict[str, str]]:
    """The model server processes running on this machine (Linux), found in ``/proc`` by the
    ``AIP_DEPLOYED_MODEL_ID`` each is given: pid → environment; those of ``deployed_id`` only
    when it is given."""
    found: dict[int, dict[str, str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "environ").read_bytes()
        except OSError:  # gone meanwhile, or not ours to read
            continue
        environ = dict(
            os.fsdecode(item).partition("=")[::2] for item in raw.split(b"\0") if b"=" in item
        )
        if environ.get(WARM_ENV) == "1":  # started warm: its deployment's environment
            given = _given_environ(entry)
            if given is None:  # still waiting for a deployment, or gone
                continue
            environ = given
        served = environ.get(DEPLOYED_MODEL_ENV)
        if served is not None and (deployed_id is None or served == deployed_id):
            found[int(entry.name)] = environ
    return found
