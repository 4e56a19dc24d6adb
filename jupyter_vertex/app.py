"""The Jupyter server extension: configuration, wiring, start and stop.

Configure it in ``jupyter_server_config.py``, e.g.::

    c.VertexApp.backend = "vertex"          # real Vertex AI; "local" (default): embedded
    c.VertexApp.project = "my-project"
    c.VertexApp.region = "europe-west4"
"""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path
from typing import Any

from jupyter_core.paths import jupyter_data_dir, jupyter_runtime_dir
from jupyter_server.extension.application import ExtensionApp
from traitlets import Dict, Enum, Float, Int, TraitError, Type, Unicode, default, validate

from .api.validation import load_spec
from .backend import blocking
from .backend.clients import ClientFactory
from .backend.discovery import Discovery
from .backend.emulator_options import instance_args, is_executable, port_range, training_args
from .backend.external import ExternalEmulator
from .backend.link import EmulatorLink
from .backend.supervisor import RUNTIME_FILE_NAME, EmulatorSupervisor
from .defaults import LOCAL_PROJECT, LOCAL_REGION, is_loopback
from .handlers import default_handlers
from .services import SETTINGS_KEY, Services, build_services
from .services.training.packaging import DEFAULT_MAX_BYTES
from .version import __version__


class VertexApp(ExtensionApp):
    """Vertex AI in JupyterLab: the REST API for the panel and the embedded Vertex."""

    name = "jupyter_vertex"
    description = "Train, register, deploy and watch models on Vertex AI from JupyterLab."
    version = __version__
    load_other_extensions = True

    # -- where -----------------------------------------------------------------------

    backend = Enum(
        ["local", "vertex"],
        default_value="local",
        config=True,
        help=(
            "'local': the embedded Vertex, run and supervised by this server (no cloud "
            "account needed). 'vertex': Google Cloud Vertex AI with Application Default "
            "Credentials."
        ),
    )
    project = Unicode(
        None,
        allow_none=True,
        config=True,
        help=(
            "Google Cloud project. For 'vertex', discovered from the environment, gcloud, "
            "ADC or the metadata server when unset; for 'local' it defaults to "
            f"'{LOCAL_PROJECT}'."
        ),
    )
    region = Unicode(
        None,
        allow_none=True,
        config=True,
        help=(
            "Vertex AI region (location). For 'vertex', discovered when unset (falling back "
            f"to us-central1); for 'local' it defaults to '{LOCAL_REGION}'."
        ),
    )
    staging_bucket = Unicode(
        None,
        allow_none=True,
        config=True,
        help="Cloud Storage bucket (gs://...) for training packages and artifacts.",
    )
    data_dir = Unicode(
        config=True,
        help="Folder of the extension's local state (the embedded Vertex keeps its own "
        "state in <data_dir>/emulator).",
    )

    @default("data_dir")
    def _default_data_dir(self) -> str:
        return str(Path(jupyter_data_dir()) / "jupyter_vertex")

    @validate("staging_bucket")
    def _validate_bucket(self, proposal: Any) -> str | None:
        value = proposal["value"]
        if value and not str(value).startswith("gs://"):
            raise TraitError("staging_bucket must be a gs:// URI")
        return str(value) if value else None

    training_package_max_bytes = Int(
        DEFAULT_MAX_BYTES,
        config=True,
        help="Largest folder (after .gitignore) packaged for training from a file, in bytes.",
    )

    # -- the embedded Vertex -----------------------------------------------------------

    emulator_host = Unicode(
        "127.0.0.1", config=True, help="Loopback address the embedded Vertex binds."
    )
    emulator_port = Int(0, config=True, help="Port of the embedded Vertex (0: a free port).")
    emulator_storage_port = Int(
        0, config=True, help="Port of its local Cloud Storage (0: a free port)."
    )
    emulator_startup_timeout = Float(
        60.0, config=True, help="Seconds the embedded Vertex may take to become ready."
    )
    emulator_max_restarts = Int(
        5,
        config=True,
        help="Consecutive restarts of a dying embedded Vertex before giving up (0: never).",
    )
    emulator_restart_backoff = Float(
        1.0,
        config=True,
        help="Seconds before the first restart; doubled for each further one.",
    )
    emulator_url = Unicode(
        None,
        allow_none=True,
        config=True,
        help="Use an already-running embedded Vertex at this URL instead of starting one "
        "(with emulator_token).",
    )
    emulator_token = Unicode(
        None, allow_none=True, config=True, help="Bearer token of the emulator_url one."
    )
    emulator_storage_url = Unicode(
        None,
        allow_none=True,
        config=True,
        help="Local Cloud Storage URL of the emulator_url one (optional).",
    )
    emulator_connection_file = Unicode(
        None,
        allow_none=True,
        config=True,
        help="Use the already-running embedded Vertex described by this connection file "
        "(<its data dir>/connection.json) instead of starting one.",
    )

    training_python = Unicode(
        None,
        allow_none=True,
        config=True,
        help="Python interpreter the embedded Vertex runs training with (its "
        "--training-python; default: the emulator's own interpreter).",
    )
    training_image_python = Dict(
        value_trait=Unicode(),
        default_value={},
        config=True,
        help="Interpreter per training image URI prefix for the embedded Vertex (its "
        "--image-python PREFIX=PATH), e.g. a kernel's environment for 'tf-'-images.",
    )
    training_max_concurrent_jobs = Int(
        0,
        config=True,
        help="Training jobs the embedded Vertex runs at once (its --max-concurrent-jobs; "
        "0: its default). The rest queue.",
    )

    def training_emulator_args(self) -> list[str]:
        """Emulator CLI options for training; only those configured are passed."""
        return training_args(
            self.training_python, self.training_image_python, self.training_max_concurrent_jobs
        )

    # -- the embedded Workbench ---------------------------------------------------------

    instance_python = Unicode(
        None,
        allow_none=True,
        config=True,
        help="Python interpreter that runs the embedded Vertex's Workbench instances' "
        "Jupyter servers (its --instance-python; it needs jupyter_server, and jupyterlab "
        "for /lab; default: the emulator's own interpreter).",
    )
    instance_ports = Unicode(
        None,
        allow_none=True,
        config=True,
        help="Ports the embedded Vertex's Workbench instances' Jupyter servers may listen "
        "on, as LOW-HIGH (its --instance-ports; default: any free port).",
    )

    @validate("instance_python")
    def _validate_instance_python(self, proposal: Any) -> str | None:
        value = proposal["value"]
        if not value:
            return None
        path = str(value)
        # The emulator refuses the same (exit code 2); said here, the server names the trait.
        if not is_executable(path):
            raise TraitError(f"instance_python {path!r} is not an executable absolute path")
        return path

    @validate("instance_ports")
    def _validate_instance_ports(self, proposal: Any) -> str | None:
        value = proposal["value"]
        if value is None or not str(value).strip():
            return None
        text = str(value).strip()
        ports = port_range(text)
        if ports is None:
            raise TraitError(
                f"instance_ports {text!r} is not a port range LOW-HIGH "
                "with 1 <= LOW <= HIGH <= 65535"
            )
        return ports

    def instance_emulator_args(self) -> list[str]:
        """Emulator CLI options for Workbench instances; only those configured are passed."""
        return instance_args(self.instance_python, self.instance_ports)

    @validate("emulator_host")
    def _validate_host(self, proposal: Any) -> str:
        host = str(proposal["value"])
        if not is_loopback(host):
            raise TraitError("emulator_host must be a loopback address (e.g. 127.0.0.1)")
        return host

    # -- swappable parts ---------------------------------------------------------------

    client_factory_class = Type(
        default_value=ClientFactory,
        klass=ClientFactory,
        config=True,
        help="Builds the Google API clients (the only part that knows the backends).",
    )
    supervisor_class = Type(
        default_value=EmulatorSupervisor,
        klass=EmulatorSupervisor,
        config=True,
        help="Runs and supervises the embedded Vertex process.",
    )

    # -- wiring ------------------------------------------------------------------------

    emulator: EmulatorLink | None = None
    _stopped = False
    clients: ClientFactory
    services: Services

    @property
    def uses_external_emulator(self) -> bool:
        return bool(self.emulator_url or self.emulator_connection_file)

    def _local_location(self) -> tuple[str, str]:
        return self.project or LOCAL_PROJECT, self.region or LOCAL_REGION

    def _make_emulator(self) -> EmulatorLink:
        project, region = self._local_location()
        if self.uses_external_emulator:
            return ExternalEmulator(
                url=self.emulator_url,
                token=self.emulator_token,
                storage_url=self.emulator_storage_url,
                connection_file=self.emulator_connection_file,
                project=project,
                region=region,
                parent=self,
                log=self.log,
            )
        supervisor: EmulatorSupervisor = self.supervisor_class(
            data_dir=str(Path(self.data_dir) / "emulator"),
            host=self.emulator_host,
            port=self.emulator_port,
            storage_port=self.emulator_storage_port,
            startup_timeout=self.emulator_startup_timeout,
            max_restarts=self.emulator_max_restarts,
            restart_backoff=self.emulator_restart_backoff,
            project=project,
            region=region,
            runtime_file=Path(jupyter_runtime_dir()) / RUNTIME_FILE_NAME,
            parent=self,
            log=self.log,
        )
        extra = [*self.training_emulator_args(), *self.instance_emulator_args()]
        if extra:
            supervisor.command = [*supervisor.command, *extra]
        return supervisor

    def initialize_settings(self) -> None:
        """Build the parts. Nothing is started and no Google library is imported here."""
        load_spec()  # parse the API document now, not during the first request
        project: str | None
        region: str | None
        discovery: Discovery | None
        if self.backend == "local":
            self.emulator = self._make_emulator()
            project, region = self._local_location()
            discovery = None
        else:
            self.emulator = None
            project, region = self.project, self.region
            discovery = Discovery(project=project, region=region)
        self.clients = self.client_factory_class(
            backend=self.backend,
            project=project,
            region=region,
            discovery=discovery,
            emulator=self.emulator,
            staging_bucket=self.staging_bucket,
            parent=self,
            log=self.log,
        )
        self.services = build_services(
            self.clients,
            root_dir=str(self.serverapp.root_dir) if self.serverapp else ".",
            max_package_bytes=self.training_package_max_bytes,
        )
        self.settings[SETTINGS_KEY] = self.services
        self.log.info(
            "jupyter_vertex %s: backend %s%s",
            __version__,
            self.backend,
            " (external embedded Vertex)" if self.uses_external_emulator else "",
        )

    def initialize_handlers(self) -> None:
        self.handlers.extend(default_handlers())

    async def _start_jupyter_server_extension(self, serverapp: Any) -> None:
        """Called by jupyter_server once its event loop runs (``ServerApp._post_start``)."""
        if self._stopped:  # stopped (e.g. SIGTERM) before the loop got here
            return
        if self.emulator is not None:
            await self.emulator.start()
        # Import the Google client library (and, for 'vertex', discover the project) in
        # a worker thread now, so that the panel's first request does not wait for it.
        self._warm_up = asyncio.create_task(self._warm_up_then_freeze())

    async def _warm_up_then_freeze(self) -> None:
        await self.clients.warm_up()
        # jupyter_server plus Google's client library are ~430,000 objects that live as long as
        # the server; each full collection walked them all, ~215 ms holding the GIL (seen as
        # 270-770 ms loop stalls under prediction traffic). Freezing moves them out of the
        # collector's way, in O(1); it concerns the whole process, hence here at start-up.
        gc.freeze()

    async def stop_extension(self) -> None:
        """Called by jupyter_server when it stops: stop the embedded Vertex."""
        self._stopped = True
        warm_up = getattr(self, "_warm_up", None)
        if warm_up is not None and not warm_up.done():
            warm_up.cancel()
        # Bulk predictions run in this process: cancel them before their target goes away.
        services: Services | None = getattr(self, "services", None)  # None: never set up
        if services is not None:
            await services.close()
        if self.emulator is not None:
            await self.emulator.stop()
        blocking.shutdown()
