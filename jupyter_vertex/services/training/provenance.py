"""Git provenance of a training file: commit, branch and uncommitted changes, as labels.

``git`` runs as an asyncio subprocess with a fixed argv (no shell), in the file's folder.
Not a repository, no commit yet, or no ``git`` at all: :func:`git_provenance` answers
``None`` and the job simply has no git labels.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .git_process import run_git

__all__ = [
    "GitProvenance",
    "git_provenance",
    "model_labels",
    "model_provenance",
    "provenance_from_labels",
]

LABEL_COMMIT = "git-commit"
LABEL_BRANCH = "git-branch"
LABEL_DIRTY = "git-dirty"
# On a model a job registers: the job's display name (as a label value). The job itself is
# the model's ``training_pipeline`` (Vertex sets it); the label survives the job's deletion.
LABEL_JOB = "training-job"
TIMEOUT = 10.0


@dataclass(frozen=True)
class GitProvenance:
    commit: str  # short sha
    branch: str | None  # None when HEAD is detached
    dirty: bool

    def labels(self) -> dict[str, str]:
        out = {LABEL_COMMIT: self.commit, LABEL_DIRTY: "true" if self.dirty else "false"}
        if self.branch:
            out[LABEL_BRANCH] = label_value(self.branch)
        return out


def label_value(text: str) -> str:
    """Text as a Vertex AI label value: lowercase ``[a-z0-9_-]``, at most 63 characters."""
    return re.sub(r"[^a-z0-9_-]", "-", text.lower())[:63]


async def _git(folder: Path, *args: str, git: str) -> tuple[int, str]:
    try:
        code, out, _ = await run_git(git, folder, *args, timeout=TIMEOUT)
    except TimeoutError:
        return -1, ""
    return code, out


async def git_provenance(folder: Path, *, git: str | None = None) -> GitProvenance | None:
    """Commit, branch and dirtiness of the repository holding ``folder``, or ``None``."""
    executable = git or shutil.which("git")
    if executable is None:
        return None
    try:
        code, commit = await _git(folder, "rev-parse", "--short", "HEAD", git=executable)
        if code != 0 or not commit:
            return None  # not a repository, or no commit yet
        code, branch = await _git(
            folder, "symbolic-ref", "--quiet", "--short", "HEAD", git=executable
        )
        code_status, status = await _git(
            folder, "status", "--porcelain", "--untracked-files=normal", git=executable
        )
    except OSError:
        return None
    return GitProvenance(
        commit=commit.lower(),
        branch=branch if code == 0 and branch else None,
        dirty=code_status != 0 or bool(status),
    )


def model_labels(job_labels: Mapping[str, str], job_display_name: str) -> dict[str, str]:
    """The labels of the model a job registers: the job's name and its ``git-*`` labels.

    Set in the pipeline's ``model_to_upload`` so that Vertex AI and the embedded Vertex both
    put them on the model they upload.
    """
    out = {LABEL_JOB: label_value(job_display_name)} if job_display_name else {}
    for key in (LABEL_COMMIT, LABEL_BRANCH, LABEL_DIRTY):
        if job_labels.get(key):
            out[key] = job_labels[key]
    return out


def model_provenance(
    labels: Mapping[str, str], training_pipeline: str | None
) -> dict[str, Any] | None:
    """The API's ``provenance`` of a model: the job that registered it and its git state.

    ``job.displayName`` is the label's value until the caller reads the job's own name.
    """
    job = None
    if training_pipeline:
        job = {
            "kind": "trainingPipeline",
            "id": training_pipeline.rsplit("/", 1)[-1],
            "displayName": labels.get(LABEL_JOB) or None,
        }
    git = provenance_from_labels(labels)
    if job is None and git is None:
        return None
    return {"job": job, "git": git}


def provenance_from_labels(labels: Mapping[str, str]) -> dict[str, Any] | None:
    """The API's ``git`` object of a job from its labels (``None`` without them)."""
    commit = labels.get(LABEL_COMMIT)
    if not commit:
        return None
    return {
        "commit": commit,
        "branch": labels.get(LABEL_BRANCH) or None,
        "dirty": labels.get(LABEL_DIRTY) == "true",
    }
