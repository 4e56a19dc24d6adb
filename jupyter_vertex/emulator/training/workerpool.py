"""Worker pool specs → what runs locally: validation, image mapping, argv and environment.

Vertex runs each replica of a worker pool in a container. Locally:

- ``pythonPackageSpec``: the executor image must be one of Vertex's prebuilt *training*
  images (mapped to ``--training-python``, by default the emulator's own interpreter) or
  match an ``--image-python PREFIX=PATH`` mapping. The package URIs are *unpacked*, not
  built: a wheel into the pool's ``site`` folder, an sdist (``.tar.gz``/``.zip``) as is, its
  root (or its ``src/``) going on ``PYTHONPATH``; then each replica runs
  ``python -m MODULE ARGS...``. Why not ``pip install``: building an sdist needs a build
  backend (setuptools + wheel) in the training interpreter, which a kernel's environment
  need not have, and dependencies could not be fetched offline anyway; unpacking needs
  nothing, takes milliseconds and works for the SDK's packages (``from_local_script``,
  ``CustomTrainingJob``) and plain setuptools layouts. Dependencies (``install_requires``)
  and compiled extensions are not installed: the training interpreter must have them.
- ``containerSpec``: runs through Docker, only when a Docker engine answers; otherwise the
  job fails with a reason that says so.

Everything is argv lists: no shell anywhere, arguments passed literally.
"""

from __future__ import annotations

import json
import re
import socket
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import invalid_argument

PREBUILT_TRAINING = re.compile(
    r"^(?:[a-z0-9-]+-docker\.pkg\.dev/vertex-ai(?:-restricted)?/training/|"
    r"gcr\.io/cloud-aiplatform/training/)"
)
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_REPLICAS = 16  # per job, on one machine
# TF_CONFIG's task types for workerpool0..3, as Vertex sets them.
TF_TYPES = ("chief", "worker", "ps", "evaluator")


@dataclass(frozen=True)
class Interpreters:
    """Which local Python runs which training image."""

    default: str
    by_prefix: tuple[tuple[str, str], ...] = ()

    def for_image(self, image: str) -> str | None:
        for prefix, path in sorted(self.by_prefix, key=lambda p: -len(p[0])):
            if image.startswith(prefix):
                return path
        if PREBUILT_TRAINING.match(image):
            return self.default
        return None


@dataclass
class Pool:
    index: int
    replicas: int
    kind: str  # "python" | "container"
    image: str
    module: str = ""
    package_uris: list[str] = field(default_factory=list)
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    command: list[str] = field(default_factory=list)
    python: str = ""
    accelerator: str = ""  # machineSpec.acceleratorType, "" without one
    accelerator_count: int = 0

    @property
    def task_type(self) -> str:
        return f"workerpool{self.index}"


def parse_pools(specs: Any, where: str, interpreters: Interpreters) -> list[Pool]:
    """Validate worker pool specs (proto3 JSON); INVALID_ARGUMENT names the field."""
    if not isinstance(specs, list) or not specs:
        raise invalid_argument(f"{where} is required: give at least one worker pool spec.")
    pools: list[Pool] = []
    total = 0
    for index, spec in enumerate(specs):
        path = f"{where}[{index}]"
        if not isinstance(spec, dict):
            raise invalid_argument(f"Invalid {path}: expected an object.")
        python_spec = spec.get("pythonPackageSpec")
        container = spec.get("containerSpec")
        if not python_spec and not container:
            if index == 0:
                raise invalid_argument(
                    f"{path} needs a task: set python_package_spec or container_spec."
                )
            continue  # an empty pool keeps the pool numbering, as on Vertex
        if python_spec and container:
            raise invalid_argument(
                f"Invalid {path}: set only one of python_package_spec and container_spec."
            )
        if not (spec.get("machineSpec") or {}).get("machineType"):
            raise invalid_argument(f"{path}.machine_spec.machine_type is required.")
        replicas = int(spec.get("replicaCount") or 1)
        if replicas < 1:
            raise invalid_argument(f"Invalid {path}.replica_count: {replicas} is below 1.")
        total += replicas
        if python_spec:
            pool = _python_pool(index, replicas, python_spec, path, interpreters)
        else:
            pool = _container_pool(index, replicas, dict(container or {}), path)
        machine = spec.get("machineSpec") or {}
        accelerator = str(machine.get("acceleratorType") or "")
        if accelerator and accelerator != "ACCELERATOR_TYPE_UNSPECIFIED":
            pool.accelerator = accelerator
            pool.accelerator_count = max(1, int(machine.get("acceleratorCount") or 1))
        pools.append(pool)
    if total > MAX_REPLICAS:
        raise invalid_argument(
            f"Invalid {where}: {total} replicas in all; the embedded Vertex runs at most "
            f"{MAX_REPLICAS} per job on this machine."
        )
    return pools


def _env(items: Any, path: str) -> dict[str, str]:
    env: dict[str, str] = {}
    for position, item in enumerate(items or []):
        name = item.get("name", "")
        if not ENV_NAME.match(name):
            raise invalid_argument(
                f"Invalid {path}.env[{position}].name: {name!r} is not a valid environment "
                "variable name ([A-Za-z_][A-Za-z0-9_]*)."
            )
        env[name] = str(item.get("value", ""))
    return env


def _python_pool(
    index: int, replicas: int, spec: dict[str, Any], path: str, interpreters: Interpreters
) -> Pool:
    path = f"{path}.python_package_spec"
    image = spec.get("executorImageUri", "")
    if not image:
        raise invalid_argument(f"{path}.executor_image_uri is required.")
    python = interpreters.for_image(image)
    if python is None:
        raise invalid_argument(
            f"Invalid {path}.executor_image_uri: {image!r} is not a prebuilt Vertex AI training "
            "image and no local Python is configured for it (jupyter-vertex-emulator "
            "--image-python PREFIX=PATH)."
        )
    module = spec.get("pythonModule", "")
    if not module or not re.match(r"^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$", module):
        raise invalid_argument(f"Invalid {path}.python_module: {module!r} is not a module name.")
    uris = list(spec.get("packageUris") or [])
    if not uris:
        raise invalid_argument(f"{path}.package_uris is required.")
    for position, uri in enumerate(uris):
        if not uri.startswith("gs://") and not Path(uri).is_absolute():
            raise invalid_argument(
                f"Invalid {path}.package_uris[{position}]: {uri!r} is neither a gs:// URI "
                "nor an absolute local path."
            )
        if not uri.startswith("gs://") and not Path(uri).is_file():
            raise invalid_argument(f"Invalid {path}.package_uris[{position}]: no file at {uri}.")
    return Pool(
        index=index,
        replicas=replicas,
        kind="python",
        image=image,
        module=module,
        package_uris=uris,
        args=[str(a) for a in spec.get("args") or []],
        env=_env(spec.get("env"), path),
        python=python,
    )


def _container_pool(index: int, replicas: int, spec: dict[str, Any], path: str) -> Pool:
    path = f"{path}.container_spec"
    image = spec.get("imageUri", "")
    if not image:
        raise invalid_argument(f"{path}.image_uri is required.")
    return Pool(
        index=index,
        replicas=replicas,
        kind="container",
        image=image,
        command=[str(c) for c in spec.get("command") or []],
        args=[str(a) for a in spec.get("args") or []],
        env=_env(spec.get("env"), path),
    )


# the environment contract ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cluster(pools: list[Pool]) -> dict[str, list[str]]:
    """``workerpoolN`` → ``host:port`` per replica (loopback, free ports)."""
    return {
        pool.task_type: [f"127.0.0.1:{free_port()}" for _ in range(pool.replicas)] for pool in pools
    }


def output_dirs(base: str) -> dict[str, str]:
    """AIP_*_DIR under ``baseOutputDirectory.outputUriPrefix``, as Vertex lays them out."""
    if not base:
        return {}
    root = base if base.endswith("/") else base + "/"
    return {
        "AIP_MODEL_DIR": root + "model/",
        "AIP_CHECKPOINT_DIR": root + "checkpoints/",
        "AIP_TENSORBOARD_LOG_DIR": root + "logs/",
    }


def contract_env(
    *,
    pools: list[Pool],
    layout: dict[str, list[str]],
    pool: Pool,
    replica: int,
    project_id: str,
    region: str,
    job_id: str,
    base_output: str,
    storage_url: str,
    job_spec: dict[str, Any],
) -> dict[str, str]:
    """The environment Vertex gives one replica (plus STORAGE_EMULATOR_HOST)."""
    job = json.dumps(job_spec, separators=(",", ":"))
    cluster_spec = {
        "cluster": layout,
        "environment": "cloud",
        "task": {"type": pool.task_type, "index": replica},
        "job": job,
    }
    env = {
        "CLOUD_ML_PROJECT_ID": project_id,
        "CLOUD_ML_REGION": region,
        "CLOUD_ML_JOB_ID": job_id,
        "CLUSTER_SPEC": json.dumps(cluster_spec, separators=(",", ":")),
        "STORAGE_EMULATOR_HOST": storage_url,
        "GOOGLE_CLOUD_PROJECT": project_id,
        "PYTHONUNBUFFERED": "1",
        **output_dirs(base_output),
    }
    total = sum(p.replicas for p in pools)
    if total > 1:
        tf_cluster = {
            TF_TYPES[p.index]: layout[p.task_type] for p in pools if p.index < len(TF_TYPES)
        }
        task_type = TF_TYPES[pool.index] if pool.index < len(TF_TYPES) else pool.task_type
        env["TF_CONFIG"] = json.dumps(
            {
                "cluster": tf_cluster,
                "task": {"type": task_type, "index": replica},
                "environment": "cloud",
                "job": job,
            },
            separators=(",", ":"),
        )
        chief = layout[pools[0].task_type][0]
        rank = sum(p.replicas for p in pools if p.index < pool.index) + replica
        env.update(
            MASTER_ADDR=chief.rsplit(":", 1)[0],
            MASTER_PORT=chief.rsplit(":", 1)[1],
            WORLD_SIZE=str(total),
            RANK=str(rank),
        )
    return env


def python_steps(pool: Pool) -> list[list[str]]:
    """The argv lists one replica of a Python package pool runs, in order."""
    return [[pool.python, "-m", pool.module, *pool.args]]


def unpack_packages(packages: list[str], target: Path) -> list[str]:
    """Unpack wheels and sdists under ``target``; answer the ``PYTHONPATH`` entries."""
    site = target / "site"
    site.mkdir(parents=True, exist_ok=True)
    entries = [str(site)]
    for position, package in enumerate(packages):
        name = Path(package).name
        if name.endswith(".whl"):
            with zipfile.ZipFile(package) as archive:
                _safe_zip(archive, site)
            continue
        folder = target / f"sdist{position}"
        folder.mkdir(parents=True, exist_ok=True)
        if name.endswith((".tar.gz", ".tgz", ".tar")):
            with tarfile.open(package) as archive:
                archive.extractall(folder, filter=_private)  # noqa: S202 - data filter
        elif name.endswith(".zip"):
            with zipfile.ZipFile(package) as archive:
                _safe_zip(archive, folder)
        else:
            raise ValueError(f"{name}: not a wheel or a source distribution (.tar.gz, .zip)")
        tops = [p for p in folder.iterdir() if p.is_dir()]
        root = tops[0] if len(tops) == 1 and len(list(folder.iterdir())) == 1 else folder
        entries.append(str(root / "src" if (root / "src").is_dir() else root))
    return entries


def _private(member: tarfile.TarInfo, path: str) -> tarfile.TarInfo:
    """tarfile's "data" filter, keeping the data dir private: no group or other bits
    (extraction sets an archive's modes, whatever the umask)."""
    safe = tarfile.data_filter(member, path)
    return safe if safe.mode is None else safe.replace(mode=safe.mode & 0o700, deep=False)


def _safe_zip(archive: zipfile.ZipFile, target: Path) -> None:
    base = target.resolve()
    for member in archive.namelist():
        destination = (target / member).resolve()
        if not destination.is_relative_to(base):
            raise ValueError(f"{member}: a path outside the package")
    archive.extractall(target)  # noqa: S202 - every member checked above
