"""Re-run a job exactly from the commit it was trained from: the committed tree, not the
working copy.

Only a job this extension packaged (its source file is known) whose ``git-*`` labels say a
clean commit can be re-run; otherwise FAILED_PRECONDITION says why. The file's folder at that
commit is exported with ``git archive <commit>`` run in the file's folder of the working copy
(which archives that folder only; an asyncio subprocess with a fixed argv, no shell), unpacked
into a temporary folder with tarfile's ``data`` filter, and packaged from there as
``POST /jobs`` packages a folder.
"""

from __future__ import annotations

import shutil
import tarfile
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any

from ...backend.blocking import run_blocking
from ...errors import FailedPrecondition, InvalidArgument
from .git_process import run_git
from .options import parse_options
from .packaging import KINDS, Source
from .provenance import LABEL_JOB, GitProvenance, label_value
from .sdk_code import Raw

__all__ = ["LABEL_RERUN", "Rerun"]

#: On a re-run job: the id of the job it re-runs.
LABEL_RERUN = "rerun-of"
TIMEOUT = 120.0
_HINT_DIRTY = "Commit the changes and train again; a job trained from a clean commit can be re-run."


def rerun_body(job: dict[str, Any]) -> dict[str, Any]:
    """The ``TrainingCreate`` that trains like ``job`` did (same file, image, machine, args,
    environment, user labels and model registration)."""
    spec = job["spec"]
    labels = {
        k: v
        for k, v in (job.get("labels") or {}).items()
        if not k.startswith("git-") and k not in (LABEL_JOB, LABEL_RERUN)
    }
    labels[LABEL_RERUN] = label_value(job["id"])
    body: dict[str, Any] = {
        "path": job["source"]["path"],
        "displayName": f"{job['displayName']}-rerun"[:128],
        "imageUri": spec["imageUri"],
        "machineType": spec["machineType"],
        "replicaCount": spec["replicaCount"],
        "args": list(spec["args"]),
        "env": dict(spec["env"]),
        "labels": labels,
    }
    if spec.get("acceleratorType"):
        body["acceleratorType"] = spec["acceleratorType"]
        body["acceleratorCount"] = spec["acceleratorCount"]
    model = job.get("model")
    if model and model.get("servingContainerImageUri"):
        register = {"servingContainerImageUri": model["servingContainerImageUri"]}
        if model.get("displayName"):
            register["modelDisplayName"] = model["displayName"]
        if model.get("parentModel"):
            register["parentModel"] = model["parentModel"]
        body["registerModel"] = register
    return body


def check_rerunnable(job: dict[str, Any]) -> GitProvenance:
    """The clean commit ``job`` was trained from, or FAILED_PRECONDITION saying why not."""
    name = job["displayName"] or job["id"]
    if not job.get("source"):
        raise FailedPrecondition(
            f'Job "{name}" was not trained from a file of this Jupyter server, so there is no '
            "commit to re-run it from.",
            hint="Show SDK code gives the code that creates the same job.",
        )
    git = job.get("git")
    if not git or not git.get("commit"):
        raise FailedPrecondition(
            f'Job "{name}" has no git commit: its file was not in a git repository with a '
            "commit when it was trained.",
            hint="Commit the file and train again; a job trained from a clean commit can be "
            "re-run.",
        )
    if git.get("dirty"):
        raise FailedPrecondition(
            f'Job "{name}" was trained with uncommitted changes: commit {git["commit"]} does '
            "not hold what it ran.",
            hint=_HINT_DIRTY,
        )
    return GitProvenance(commit=git["commit"], branch=git.get("branch"), dirty=False)


async def _git(folder: Path, *args: str) -> tuple[int, str]:
    git = shutil.which("git")
    if git is None:
        raise FailedPrecondition(
            "git is not installed on the Jupyter server.", hint="Install git to re-run a job."
        )
    try:
        code, out, err = await run_git(git, folder, *args, timeout=TIMEOUT)
    except TimeoutError:
        raise FailedPrecondition(f"git {args[0]} took over {TIMEOUT:.0f} s.") from None
    return code, out or err


class Rerun:
    """Re-runs of jobs from their commit, over the training service."""

    def __init__(self, training: Any) -> None:
        self.training = training

    def _folder(self, job: dict[str, Any]) -> Path:
        """The source file's folder in the working copy (where git finds the repository)."""
        root = Path(self.training.root_dir).resolve()
        path = PurePosixPath(job["source"]["path"])
        if path.is_absolute() or ".." in path.parts:
            raise InvalidArgument(f"Job's source path {str(path)!r} is not inside the root.")
        folder = root.joinpath(*path.parent.parts)
        if not folder.resolve().is_relative_to(root) or not folder.is_dir():
            raise FailedPrecondition(
                f"The folder {path.parent.as_posix() or '.'} of {path.name} is no longer in "
                "the Jupyter root, where its git repository was.",
                hint="Restore the folder (git checkout) to re-run from it.",
            )
        return folder

    async def _full_commit(self, folder: Path, git: GitProvenance, name: str) -> str:
        code, sha = await _git(
            folder, "rev-parse", "--verify", "--quiet", f"{git.commit}^{{commit}}"
        )
        if code != 0 or not sha:
            raise FailedPrecondition(
                f'Commit {git.commit} of job "{name}" is not in the git repository of its '
                "folder any more.",
                hint="Fetch or restore that commit (git fetch, git reflog) to re-run the job.",
            )
        return sha

    async def _prefix(self, folder: Path) -> str:
        """The folder's path in its repository (``train/``; empty at the top)."""
        code, prefix = await _git(folder, "rev-parse", "--show-prefix")
        if code != 0:
            raise FailedPrecondition(f"git rev-parse failed in the job's folder: {prefix}")
        return prefix

    async def create(self, kind: str, job_id: str) -> dict[str, Any]:
        """Submit the job again from its commit's tree; answers the new job."""
        job = await self.training.get(kind, job_id)
        git = check_rerunnable(job)
        name = job["displayName"] or job["id"]
        folder = await run_blocking(self._folder, job)
        sha = await self._full_commit(folder, git, name)
        path = PurePosixPath(job["source"]["path"])
        tree = f"{sha}:{await self._prefix(folder)}"
        code, _ = await _git(folder, "cat-file", "-e", f"{tree}{path.name}")
        if code != 0:
            raise FailedPrecondition(
                f"{path.name} is not in commit {git.commit}: the job's file was never committed "
                "there.",
                hint=_HINT_DIRTY,
            )
        options = parse_options(rerun_body(job))
        temp = Path(await run_blocking(tempfile.mkdtemp, prefix="jupyter-vertex-rerun-"))
        try:
            archive = temp / "tree.tar"
            # Run in the folder, git archive of a commit holds that folder only.
            code, err = await _git(folder, "archive", "--format=tar", "-o", str(archive), sha)
            if code != 0:
                raise FailedPrecondition(f"git archive of commit {git.commit} failed: {err}")
            source = await run_blocking(self._unpack, archive, temp / "root", path)
            return dict(await self.training.submit(options, source, git))
        finally:
            await run_blocking(shutil.rmtree, temp, True)

    def _unpack(self, archive: Path, root: Path, path: PurePosixPath) -> Source:
        limit = 2 * self.training.max_package_bytes  # packaging checks the exact limit
        if archive.stat().st_size > limit:
            raise InvalidArgument(
                f"Field 'path': the folder {path.parent.as_posix() or '.'} at that commit is "
                f"over {limit // (1024 * 1024)} MiB, twice the training package limit."
            )
        folder = root.joinpath(*path.parent.parts)
        folder.mkdir(parents=True)
        with tarfile.open(archive) as tar:
            tar.extractall(folder, filter="data")
        file = folder / path.name
        if file.suffix not in KINDS or not file.is_file() or file.is_symlink():
            raise FailedPrecondition(f"{path.name} at that commit is not a file to train.")
        return Source(root=root.resolve(), file=file.resolve(), path=path.as_posix())

    async def code(self, kind: str, job_id: str) -> dict[str, Any]:
        """SDK code that does the same by hand: export the commit's folder, train from it."""
        job = await self.training.get(kind, job_id)
        git = check_rerunnable(job)
        path = PurePosixPath(job["source"]["path"])
        folder = path.parent.as_posix() or "."
        again = {
            **job,
            "displayName": rerun_body(job)["displayName"],
            "labels": {
                **{k: v for k, v in job["labels"].items() if k != LABEL_RERUN},
                LABEL_RERUN: label_value(job["id"]),
            },
        }
        script = job["source"]["kind"] == "script"
        if script:
            again["source"] = {**job["source"], "path": Raw(f"os.path.join(tree, {path.name!r})")}
        body = await self.training.code_for(again)
        head = (
            f"# Re-run {job['displayName']!r} exactly from commit {git.commit}: the committed\n"
            "# tree of its folder, not the working copy (run from the Jupyter root).\n"
            "import io\nimport os\nimport subprocess\nimport tarfile\nimport tempfile\n\n"
            "tree = tempfile.mkdtemp()\n"
            "archive = subprocess.run(\n"
            f'    ["git", "-C", {folder!r}, "archive", "--format=tar", '
            f"{git.commit!r}],\n"
            "    check=True,\n    capture_output=True,\n).stdout\n"
            "with tarfile.open(fileobj=io.BytesIO(archive)) as tar:\n"
            '    tar.extractall(tree, filter="data")\n\n'
        )
        if not script:
            head += (
                "# A notebook runs from the package the job staged, built from that same clean\n"
                "# commit; `tree` holds the committed folder to read or re-package.\n\n"
            )
        return {"language": "python", "code": head + body}
