"""Provenance end to end through the extension's HTTP API and the real embedded Vertex: a model
a job registers names the job and its commit; a clean job re-runs from the committed tree;
Cloud Storage artifacts are copied into the Jupyter root to be opened there.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from ..git_helpers import GIT, git

SKLEARN_SERVING = "us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest"
FINAL = {"SUCCEEDED", "FAILED", "CANCELLED", "EXPIRED", "PARTIALLY_SUCCEEDED"}

TRAIN = """import os

import joblib
from google.cloud import storage
from sklearn.dummy import DummyClassifier

VERSION = "{version}"
print("VERSION", VERSION, flush=True)
model = DummyClassifier(strategy="constant", constant=1).fit([[0], [1]], [1, 1])
joblib.dump(model, "model.joblib")
bucket, _, prefix = os.environ["AIP_MODEL_DIR"][len("gs://"):].partition("/")
client = storage.Client(project=os.environ.get("CLOUD_ML_PROJECT_ID"))
client.bucket(bucket).blob(prefix.rstrip("/") + "/model.joblib").upload_from_filename(
    "model.joblib"
)
"""


@pytest.fixture
def vertex_config(emulated: dict[str, Any]) -> dict[str, Any]:
    return emulated


async def _wait(api: Any, job: dict[str, Any], timeout: float = 240.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        status, current = await api("GET", "jobs", job["kind"], job["id"])
        assert status == 200, current
        if current["state"] in FINAL:
            return current
        assert time.monotonic() < deadline, f"job still {current['state']}: {current}"
        await asyncio.sleep(0.5)


async def _log_lines(api: Any, job: dict[str, Any]) -> list[str]:
    status, page = await api("GET", "jobs", job["kind"], job["id"], "logs")
    assert status == 200, page
    return [e["message"] for e in page["entries"]]


def _model_id(job: dict[str, Any]) -> str:
    uploaded = job["model"]["uploadedModel"]
    assert uploaded, job
    return str(uploaded.rsplit("/", 1)[1].split("@")[0])


@pytest.mark.skipif(GIT is None, reason="git is not installed")
async def test_a_registered_model_names_its_job_and_commit_and_reruns_from_the_commit(
    api: Any, jp_root_dir: Path
) -> None:
    repo = jp_root_dir / "repo"
    (repo / "train").mkdir(parents=True)
    (repo / "train" / "train.py").write_text(TRAIN.format(version="committed"))
    git(repo, "init", "-q", "-b", "Feature/Provenance")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "train")
    sha = git(repo, "rev-parse", "--short", "HEAD")
    git_state = {"commit": sha, "branch": "feature-provenance", "dirty": False}

    status, job = await api(
        "POST",
        "jobs",
        body={
            "path": "repo/train/train.py",
            "displayName": "Digits Run",
            "framework": "scikit-learn",
            "labels": {"team": "ml"},
            "registerModel": {"servingContainerImageUri": SKLEARN_SERVING},
        },
    )
    assert status == 201, job
    done = await _wait(api, job)
    assert done["state"] == "SUCCEEDED", done
    model_id = _model_id(done)

    # The model carries the job and the git state as labels; the answer reads them.
    status, model = await api("GET", "models", model_id)
    assert status == 200, model
    assert model["labels"] == {
        "training-job": "digits-run",
        "git-commit": sha,
        "git-branch": "feature-provenance",
        "git-dirty": "false",
    }
    assert model["provenance"] == {
        "job": {"kind": "trainingPipeline", "id": done["id"], "displayName": "Digits Run"},
        "git": git_state,
    }
    status, listed = await api("GET", "models")
    assert status == 200
    [row] = [m for m in listed["models"] if m["id"] == model_id]
    # The list does not read each job: the label's value names it.
    assert row["provenance"]["job"] == {
        "kind": "trainingPipeline",
        "id": done["id"],
        "displayName": "digits-run",
    }

    # The working copy changes; the re-run trains what was committed.
    (repo / "train" / "train.py").write_text(TRAIN.format(version="edited"))
    status, code = await api("GET", "jobs", "trainingPipeline", done["id"], "rerun", "code")
    assert status == 200, code
    assert f'"-C", \'repo/train\', "archive", "--format=tar", \'{sha}\'' in code["code"]
    assert "    script_path=os.path.join(tree, 'train.py'),\n" in code["code"]
    assert "    display_name='Digits Run-rerun',\n" in code["code"]
    compile(code["code"], "<rerun>", "exec")

    status, again = await api("POST", "jobs", "trainingPipeline", done["id"], "rerun")
    assert status == 201, again
    assert again["displayName"] == "Digits Run-rerun"
    assert again["git"] == git_state
    assert again["labels"] == {
        "team": "ml",
        "rerun-of": done["id"],
        "git-commit": sha,
        "git-branch": "feature-provenance",
        "git-dirty": "false",
    }
    assert again["source"] == {"path": "repo/train/train.py", "kind": "script"}
    assert again["spec"]["imageUri"] == done["spec"]["imageUri"]
    assert again["model"]["servingContainerImageUri"] == SKLEARN_SERVING
    finished = await _wait(api, again)
    assert finished["state"] == "SUCCEEDED", finished
    lines = await _log_lines(api, finished)
    assert "VERSION committed" in lines, lines
    assert "VERSION edited" not in lines
    status, rerun_model = await api("GET", "models", _model_id(finished))
    assert rerun_model["provenance"] == {
        "job": {"kind": "trainingPipeline", "id": again["id"], "displayName": "Digits Run-rerun"},
        "git": git_state,
    }

    # A job trained with uncommitted changes is refused, saying why.
    status, dirty = await api("POST", "jobs", body={"path": "repo/train/train.py"})
    assert status == 201 and dirty["git"]["dirty"] is True, dirty
    status, error = await api("POST", "jobs", "customJob", dirty["id"], "rerun")
    assert (status, error["reason"]) == (409, "FAILED_PRECONDITION"), error
    assert error["message"] == (
        f'Job "{dirty["displayName"]}" was trained with uncommitted changes: commit {sha} '
        "does not hold what it ran."
    )
    assert error["hint"].startswith("Commit the changes and train again")
    status, error = await api("GET", "jobs", "customJob", dirty["id"], "rerun", "code")
    assert (status, error["reason"]) == (409, "FAILED_PRECONDITION")
    await _wait(api, dirty)


async def test_a_job_without_a_commit_is_not_rerun(api: Any, jp_root_dir: Path) -> None:
    (jp_root_dir / "plain").mkdir()
    (jp_root_dir / "plain" / "hello.py").write_text("print('hello')\n")
    status, job = await api("POST", "jobs", body={"path": "plain/hello.py", "displayName": "h"})
    assert status == 201 and job["git"] is None, job
    status, error = await api("POST", "jobs", "customJob", job["id"], "rerun")
    assert status == 409, error
    assert error == {
        "message": 'Job "h" has no git commit: its file was not in a git repository with a '
        "commit when it was trained.",
        "reason": "FAILED_PRECONDITION",
        "hint": "Commit the file and train again; a job trained from a clean commit can be re-run.",
    }
    status, error = await api("POST", "jobs", "customJob", "12345", "rerun")
    assert (status, error["reason"]) == (404, "NOT_FOUND")
    await _wait(api, job)


@pytest.mark.skipif(GIT is None, reason="git is not installed")
async def test_a_rerun_needs_the_folder_and_the_commit(api: Any, jp_root_dir: Path) -> None:
    repo = jp_root_dir / "gone"
    repo.mkdir()
    (repo / "hello.py").write_text("print('hello')\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "hello")
    sha = git(repo, "rev-parse", "--short", "HEAD")
    status, job = await api("POST", "jobs", body={"path": "gone/hello.py", "displayName": "g"})
    assert status == 201 and job["git"]["dirty"] is False, job

    repo.rename(jp_root_dir / "moved")
    status, error = await api("POST", "jobs", "customJob", job["id"], "rerun")
    assert (status, error["reason"]) == (409, "FAILED_PRECONDITION"), error
    assert error["message"] == (
        "The folder gone of hello.py is no longer in the Jupyter root, where its git "
        "repository was."
    )
    (jp_root_dir / "moved").rename(repo)

    # Another history in the same folder: the commit is gone.
    shutil.rmtree(repo / ".git")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "again", "--date", "2001-01-01T00:00:00")
    assert git(repo, "rev-parse", "--short", "HEAD") != sha
    status, error = await api("POST", "jobs", "customJob", job["id"], "rerun")
    assert (status, error["reason"]) == (409, "FAILED_PRECONDITION"), error
    assert error["message"] == (
        f'Commit {sha} of job "g" is not in the git repository of its folder any more.'
    )
    await _wait(api, job)


# -- artifacts ------------------------------------------------------------------------------


def _storage(emulator: Any, project: str) -> Any:
    from google.api_core.client_options import ClientOptions
    from google.cloud import storage  # type: ignore[attr-defined]
    from google.oauth2.credentials import Credentials

    return storage.Client(
        project=project,
        credentials=Credentials(token=emulator.token),
        client_options=ClientOptions(api_endpoint=emulator.storage_url),
    )


def _put(emulator: Any, project: str, bucket: str, objects: dict[str, bytes]) -> None:
    client = _storage(emulator, project)
    handle = client.lookup_bucket(bucket) or client.create_bucket(bucket)
    for name, data in objects.items():
        handle.blob(name).upload_from_string(data)


async def test_artifacts_are_copied_into_the_root(
    api: Any, jp_root_dir: Path, emulator: Any, project_id: str, tmp_path: Path
) -> None:
    if GIT is not None:  # the root is a repository: copies must not make it dirty
        (jp_root_dir / "README.md").write_text("work\n")
        git(jp_root_dir, "init", "-q")
        git(jp_root_dir, "add", ".")
        git(jp_root_dir, "commit", "-q", "-m", "work")
    bucket = f"{project_id}-artifacts"
    notebook = b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
    await asyncio.to_thread(
        _put,
        emulator,
        project_id,
        bucket,
        {
            "run/executed/analysis.ipynb": notebook,
            "run/model/model.joblib": b"weights",
            "run/model/meta/info.txt": b"info",
            "run/modelx/other.txt": b"not under run/model/",
        },
    )
    status, copy = await api(
        "POST", "artifacts", "open", body={"uri": f"gs://{bucket}/run/executed/analysis.ipynb"}
    )
    assert status == 200, copy
    where = f"vertex-artifacts/{bucket}/run/executed/analysis.ipynb"
    assert copy == {
        "uri": f"gs://{bucket}/run/executed/analysis.ipynb",
        "path": where,
        "kind": "notebook",
        "files": 1,
        "bytes": len(notebook),
    }
    assert (jp_root_dir / where).read_bytes() == notebook

    # A folder: every object under it, and a second open refreshes the copy.
    (jp_root_dir / f"vertex-artifacts/{bucket}/run/model").mkdir(parents=True)
    (jp_root_dir / f"vertex-artifacts/{bucket}/run/model/model.joblib").write_bytes(b"old")
    for uri in (f"gs://{bucket}/run/model", f"gs://{bucket}/run/model/"):
        status, copy = await api("POST", "artifacts", "open", body={"uri": uri})
        assert status == 200, copy
        assert copy == {
            "uri": uri,
            "path": f"vertex-artifacts/{bucket}/run/model",
            "kind": "directory",
            "files": 2,
            "bytes": len(b"weights") + len(b"info"),
        }
    folder = jp_root_dir / f"vertex-artifacts/{bucket}/run/model"
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")) == [
        "meta",
        "meta/info.txt",
        "model.joblib",
    ]
    assert (folder / "model.joblib").read_bytes() == b"weights"
    if GIT is not None:
        assert git(jp_root_dir, "status", "--porcelain", "--untracked-files=normal") == ""

    # Nothing there: 404.
    status, error = await api(
        "POST", "artifacts", "open", body={"uri": f"gs://{bucket}/run/missing"}
    )
    assert (status, error["reason"]) == (404, "NOT_FOUND"), error
    assert error["message"] == (
        f"Field 'uri': no object gs://{bucket}/run/missing (and nothing under it)."
    )


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("http://example.com/x", "Field 'uri': 'http://example.com/x' is not a gs:// URI."),
        ("gs://Bad_Bucket/x", "Field 'uri': 'Bad_Bucket' is not a Cloud Storage bucket name."),
        (
            "gs://bucket/../../etc/passwd",
            "Field 'uri': 'gs://bucket/../../etc/passwd' has an object name",
        ),
        ("gs://bucket/a//b", "Field 'uri': 'gs://bucket/a//b' has an object name"),
        ("gs://bucket/a\\..\\b", "Field 'uri': 'gs://bucket/a\\\\..\\\\b' has an object name"),
        ("gs://bucket/./a", "Field 'uri': 'gs://bucket/./a' has an object name"),
    ],
)
async def test_bad_artifact_uris_are_refused(
    api: Any, jp_root_dir: Path, uri: str, message: str
) -> None:
    status, error = await api("POST", "artifacts", "open", body={"uri": uri})
    assert (status, error["reason"]) == (400, "INVALID_ARGUMENT"), error
    assert error["message"].startswith(message), error["message"]
    assert error["hint"] == "Give a Cloud Storage URI such as gs://bucket/folder/file.ipynb."
    assert not (jp_root_dir / "vertex-artifacts").exists()


async def test_artifacts_never_leave_the_root(
    api: Any,
    jp_root_dir: Path,
    emulator: Any,
    project_id: str,
    tmp_path: Path,
    vertex_app: Any,
) -> None:
    bucket = f"{project_id}-links"
    await asyncio.to_thread(
        _put, emulator, project_id, bucket, {"a/one.txt": b"1", "a/two.txt": b"2"}
    )
    outside = tmp_path / "outside"
    outside.mkdir()
    (jp_root_dir / "vertex-artifacts").mkdir()
    (jp_root_dir / "vertex-artifacts" / bucket).symlink_to(outside)
    status, error = await api("POST", "artifacts", "open", body={"uri": f"gs://{bucket}/a/"})
    assert (status, error["reason"]) == (400, "INVALID_ARGUMENT"), error
    assert error["message"] == (
        f"Field 'uri': vertex-artifacts/{bucket} in the Jupyter root is a symbolic link or a "
        "file; artifacts are copied only into real folders."
    )
    assert list(outside.iterdir()) == []

    # Bounded: more objects or bytes than the limits are refused before anything is copied.
    (jp_root_dir / "vertex-artifacts" / bucket).unlink()
    from jupyter_vertex.services import SETTINGS_KEY

    artifacts = vertex_app.settings[SETTINGS_KEY].artifacts
    artifacts.max_objects = 1
    status, error = await api("POST", "artifacts", "open", body={"uri": f"gs://{bucket}/a"})
    assert (status, error["message"]) == (
        400,
        f"Field 'uri': gs://{bucket}/a holds more than 1 objects, the most opened at once.",
    )
    artifacts.max_objects, artifacts.max_bytes = 10, 1
    status, error = await api("POST", "artifacts", "open", body={"uri": f"gs://{bucket}/a"})
    assert (status, error["message"]) == (
        400,
        f"Field 'uri': gs://{bucket}/a holds 2 bytes, over the limit of 1 bytes copied at once.",
    )
    assert not (jp_root_dir / "vertex-artifacts" / bucket).exists()
