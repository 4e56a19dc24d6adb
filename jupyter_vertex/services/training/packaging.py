"""A training file's folder as a Python source distribution, the way Vertex AI runs one.

Blocking (file system walk, tar): call through ``run_blocking``.

The package (``jupyter_vertex_task-0.1.tar.gz``) holds::

    jupyter_vertex_task-0.1/
      PKG-INFO  setup.py  setup.cfg
      jupyter_vertex_task/__init__.py
      jupyter_vertex_task/run.py          the python_module Vertex AI runs
      jupyter_vertex_task/task.json       {"entry": "train.py", "kind": "script", ...}
      jupyter_vertex_task/src/...         the folder (minus .gitignore'd files)

``python -m jupyter_vertex_task.run ARGS...`` copies ``src`` to a fresh working folder and
runs the script there with ``sys.argv = [script, *ARGS]`` (no shell), or, for a notebook,
executes it headless with papermill and keeps the executed notebook at ``notebook_output``
(a ``gs://`` URI, written with google-cloud-storage, or a local path).
``requirements.txt`` becomes ``install_requires``.
"""

from __future__ import annotations

import io
import json
import os
import tarfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import InvalidArgument
from ..root_files import file_in_root

__all__ = [
    "DEFAULT_MAX_BYTES",
    "PACKAGE_FILE",
    "PACKAGE_NAME",
    "RUNNER_MODULE",
    "Package",
    "Source",
    "build_package",
    "resolve_source",
]

PACKAGE_NAME = "jupyter_vertex_task"
PACKAGE_VERSION = "0.1"
PACKAGE_FILE = f"{PACKAGE_NAME}-{PACKAGE_VERSION}.tar.gz"
RUNNER_MODULE = f"{PACKAGE_NAME}.run"
DEFAULT_MAX_BYTES = 100 * 1024 * 1024
KINDS = {".py": "script", ".ipynb": "notebook"}
# Never packaged, .gitignore or not.
ALWAYS_EXCLUDED = (".git/", ".ipynb_checkpoints/", "__pycache__/", "*.pyc")


@dataclass(frozen=True)
class Source:
    """A training file inside the Jupyter root."""

    root: Path  # the Jupyter root, resolved
    file: Path  # the file, resolved
    path: str  # as the API names it: relative to the root, '/'-separated

    @property
    def kind(self) -> str:
        return KINDS[self.file.suffix]

    @property
    def folder(self) -> Path:
        return self.file.parent


def resolve_source(root_dir: str | os.PathLike[str], path: str) -> Source:
    """The file ``path`` names, relative to the Jupyter root; refuse anything else."""
    resolved, pure = file_in_root(root_dir, path.strip(), field="path")
    root = Path(root_dir).resolve()
    if resolved.suffix not in KINDS:
        raise InvalidArgument(
            f"Field 'path': {path!r} is neither a Python script (.py) nor a notebook (.ipynb)."
        )
    # The folder that is packaged is the *named* file's folder, resolved.
    return Source(root=root, file=resolved, path=pure.as_posix())


@dataclass
class Package:
    """A built package (a temporary file the caller removes) and what is in it."""

    file: Path
    files: list[str]
    size: int
    requirements: list[str] = field(default_factory=list)
    python_module: str = RUNNER_MODULE

    def remove(self) -> None:
        self.file.unlink(missing_ok=True)


def _ignore_spec(folder: Path) -> object:
    import pathspec

    lines = list(ALWAYS_EXCLUDED)
    gitignore = folder / ".gitignore"
    if gitignore.is_file():
        lines += gitignore.read_text(encoding="utf-8", errors="replace").splitlines()
    return pathspec.PathSpec.from_lines("gitwildmatch", lines)


def _collect(source: Source) -> list[tuple[str, Path, int]]:
    """``(relative path, file, size)`` of the folder's files that are packaged."""
    spec = _ignore_spec(source.folder)
    match = spec.match_file  # type: ignore[attr-defined]
    found: list[tuple[str, Path, int]] = []
    for dirpath, dirnames, filenames in os.walk(source.folder, followlinks=False):
        base = Path(dirpath)
        rel_dir = base.relative_to(source.folder).as_posix()
        prefix = "" if rel_dir == "." else rel_dir + "/"
        dirnames[:] = sorted(
            d for d in dirnames if not match(prefix + d + "/") and not (base / d).is_symlink()
        )
        for name in sorted(filenames):
            rel = prefix + name
            if match(rel):
                continue
            file = base / name
            try:
                real = file.resolve(strict=True)
            except OSError:
                continue  # a dangling link
            if not real.is_relative_to(source.root) or not real.is_file():
                continue  # never ship what lies outside the Jupyter root
            found.append((rel, real, real.stat().st_size))
    return found


def _fmt_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    value = float(size)
    for unit in ("KiB", "MiB", "GiB"):
        value /= 1024
        if value < 1024 or unit == "GiB":
            break
    return f"{value:.1f} {unit}"


def parse_requirements(text: str) -> list[str]:
    """``install_requires`` from a requirements file (options and includes are skipped)."""
    out = []
    for line in text.splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        out.append(line)
    return out


def _setup_py(requirements: list[str], data: list[str]) -> str:
    return (
        "from setuptools import setup\n\n"
        "setup(\n"
        f"    name={PACKAGE_NAME!r},\n"
        f"    version={PACKAGE_VERSION!r},\n"
        f"    packages=[{PACKAGE_NAME!r}],\n"
        f"    package_data={{{PACKAGE_NAME!r}: {data!r}}},\n"
        f"    install_requires={requirements!r},\n"
        ")\n"
    )


def _pkg_info() -> str:
    return (
        "Metadata-Version: 2.1\n"
        f"Name: {PACKAGE_NAME}\n"
        f"Version: {PACKAGE_VERSION}\n"
        "Summary: A training task packaged by jupyter_vertex\n"
    )


def build_package(
    source: Source,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    notebook_output: str | None = None,
    workdir: str | os.PathLike[str] | None = None,
) -> Package:
    """Package ``source``'s folder. Raises INVALID_ARGUMENT over ``max_bytes``."""
    files = _collect(source)
    total = sum(size for _, _, size in files)
    if total > max_bytes:
        biggest = sorted(files, key=lambda f: (-f[2], f[0]))[:3]
        names = ", ".join(f"{rel} ({_fmt_size(size)})" for rel, _, size in biggest)
        raise InvalidArgument(
            f"Field 'path': the folder {source.folder.relative_to(source.root).as_posix() or '.'}"
            f" holds {_fmt_size(total)} to package, over the limit of {_fmt_size(max_bytes)}; "
            f"the biggest files: {names}.",
            hint="List data, outputs and environments in a .gitignore next to the file "
            "(they are then left out), or read large data from Cloud Storage.",
        )
    entry = source.file.relative_to(source.folder).as_posix()
    rels = {rel for rel, _, _ in files}
    if entry not in rels:  # e.g. the file itself is .gitignore'd: it still runs
        files.append((entry, source.file, source.file.stat().st_size))
    requirements: list[str] = []
    req = source.folder / "requirements.txt"
    if "requirements.txt" in rels:
        requirements = parse_requirements(req.read_text(encoding="utf-8", errors="replace"))
    task = {"entry": entry, "kind": source.kind, "notebook_output": notebook_output}
    data = sorted(["task.json", *(f"src/{_glob_escape(rel)}" for rel, _, _ in files)])
    generated = {
        "setup.py": _setup_py(requirements, data),
        "setup.cfg": "",
        "PKG-INFO": _pkg_info(),
        f"{PACKAGE_NAME}/__init__.py": '"""A training task packaged by jupyter_vertex."""\n',
        f"{PACKAGE_NAME}/run.py": RUNNER_SOURCE,
        f"{PACKAGE_NAME}/task.json": json.dumps(task, indent=2) + "\n",
    }
    top = f"{PACKAGE_NAME}-{PACKAGE_VERSION}"
    fd, name = _tempfile(workdir)
    now = int(time.time())
    with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
        for rel, text in generated.items():
            data_bytes = text.encode("utf-8")
            info = tarfile.TarInfo(f"{top}/{rel}")
            info.size, info.mtime, info.mode = len(data_bytes), now, 0o644
            tar.addfile(info, io.BytesIO(data_bytes))
        for rel, file, _ in files:
            info = tar.gettarinfo(str(file), arcname=f"{top}/{PACKAGE_NAME}/src/{rel}")
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            with file.open("rb") as f:
                tar.addfile(info, f)
    path = Path(name)
    return Package(
        file=path,
        files=sorted(rel for rel, _, _ in files),
        size=path.stat().st_size,
        requirements=requirements,
    )


def _glob_escape(rel: str) -> str:
    import glob

    return glob.escape(rel)


def _tempfile(workdir: str | os.PathLike[str] | None) -> tuple[int, str]:
    import tempfile

    return tempfile.mkstemp(prefix="jupyter-vertex-", suffix=".tar.gz", dir=workdir)


# The python_module of every package. Runs in the training interpreter: stdlib only, plus
# papermill (notebooks) and google-cloud-storage (gs:// outputs), imported when needed.
RUNNER_SOURCE = r'''"""Run the packaged training file (python -m jupyter_vertex_task.run ARGS)."""

import json
import os
import runpy
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _upload(local, uri):
    if uri.startswith("gs://"):
        from google.cloud import storage

        bucket, _, blob = uri[len("gs://"):].partition("/")
        project = os.environ.get("CLOUD_ML_PROJECT_ID")
        storage.Client(project=project).bucket(bucket).blob(blob).upload_from_filename(local)
    else:
        Path(uri).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(local, uri)
    print(f"jupyter_vertex: executed notebook kept at {uri}", flush=True)


def _preload_storage(uri):
    """Import the storage client in a thread while the notebook runs (this process mostly
    waits for the kernel meanwhile), so the executed notebook is kept as soon as it ends
    rather than after a second of imports. A failure here is left to _upload to report."""
    if not (uri or "").startswith("gs://"):
        return

    def load():
        try:
            from google.cloud import storage  # noqa: F401
        except Exception:
            pass

    import threading

    threading.Thread(target=load, daemon=True).start()


def _stream_papermill():
    """Papermill logs each cell's start, outputs and end as they happen (log_output): send
    them to stdout (stderr for the cells' stderr and warnings), one line each, so the job's
    log follows the notebook while it runs, as a script's prints do."""
    import logging

    class Lines(logging.Formatter):
        def format(self, record):
            return super().format(record).rstrip("\n")

    out = logging.StreamHandler(sys.stdout)
    out.addFilter(lambda record: record.levelno < logging.WARNING)
    err = logging.StreamHandler(sys.stderr)
    err.setLevel(logging.WARNING)
    logger = logging.getLogger("papermill")
    for handler in (out, err):
        handler.setFormatter(Lines("%(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def main(args):
    task = json.loads((HERE / "task.json").read_text(encoding="utf-8"))
    work = Path(tempfile.mkdtemp(prefix="jupyter-vertex-task-"))
    shutil.copytree(HERE / "src", work, dirs_exist_ok=True)
    entry = work / task["entry"]
    os.chdir(entry.parent)
    if task["kind"] == "script":
        sys.path.insert(0, str(entry.parent))
        sys.argv = [str(entry), *args]
        runpy.run_path(str(entry), run_name="__main__")
        return 0
    import papermill

    _stream_papermill()
    _preload_storage(task.get("notebook_output"))
    executed = work / ("executed-" + entry.name)
    try:
        papermill.execute_notebook(
            str(entry),
            str(executed),
            parameters={"args": list(args)} if args else None,
            kernel_name="python3",
            cwd=str(entry.parent),
            log_output=True,
            progress_bar=False,
        )
    finally:
        output = task.get("notebook_output")
        if output and executed.exists():
            _upload(str(executed), output)
    # Done: the notebook ran in its kernel, which papermill has shut down, and its output is
    # kept. Tearing down this process's modules (papermill's, the storage client's) takes
    # about a second of CPU for nothing: leave at once, output flushed.
    import logging

    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
'''
