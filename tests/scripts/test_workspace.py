"""`make lab`'s workspace: the examples in a git repository of their own, created once."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(
    str(rel)
    for rel in (p.relative_to(PROJECT / "examples") for p in (PROJECT / "examples").rglob("*"))
    if (PROJECT / "examples" / rel).is_file()
    and not any(part.startswith(".") or part == "__pycache__" for part in rel.parts)
)


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A $HOME with no git identity and no system config: nothing of this machine leaks in."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in list(os.environ):
        if name.startswith(("GIT_AUTHOR_", "GIT_COMMITTER_")) or name in ("EMAIL", "GIT_DIR"):
            monkeypatch.delenv(name)
    return home


@pytest.fixture
def project(tmp_path: Path, home: Path) -> Path:
    """A copy of the project's examples, scripts and .gitignore as a repository of its own."""
    root = tmp_path / "project"
    shutil.copytree(PROJECT / "examples", root / "examples")
    shutil.copytree(PROJECT / "scripts", root / "scripts")
    shutil.copy(PROJECT / ".gitignore", root / ".gitignore")
    _git(root.parent, "init", "--quiet", str(root))
    _git(root, "add", ".")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet", "-m", "project")
    return root


def _prepare(project: Path, *args: str) -> str:
    return subprocess.run(
        ["bash", str(project / "scripts" / "workspace.sh"), *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _snapshot(repo: Path) -> tuple[str, str, str]:
    return (
        _git(repo, "rev-parse", "HEAD"),
        _git(repo, "status", "--porcelain", "--untracked-files=all"),
        _git(repo, "ls-files", "--stage"),
    )


def test_the_workspace_is_a_repository_with_one_commit_of_the_examples(project: Path) -> None:
    before = _snapshot(project)

    out = _prepare(project)

    workspace = project / "workspace"
    assert (
        out.splitlines()[0]
        == f"== creating the workspace {workspace} (the examples, committed once)"
    )
    assert _git(workspace, "rev-parse", "--show-toplevel") == str(workspace)
    assert _git(workspace, "rev-list", "--count", "HEAD") == "1"
    assert _git(workspace, "log", "--format=%s") == "The jupyter_vertex examples"
    assert _git(workspace, "ls-tree", "-r", "--name-only", "HEAD").splitlines() == sorted(
        [".gitignore", *EXAMPLES]
    )
    for name in EXAMPLES:
        assert (workspace / name).read_bytes() == (project / "examples" / name).read_bytes()
    assert _git(workspace, "status", "--porcelain", "--untracked-files=all") == ""
    # No identity anywhere: one is set for this repository only.
    assert _git(workspace, "config", "--local", "user.name") == "jupyter_vertex workspace"
    assert _git(workspace, "config", "--local", "user.email") == "workspace@jupyter-vertex.invalid"
    # The project's own repository sees nothing: same commit, clean, same index.
    assert _snapshot(project) == before
    assert _git(project, "status", "--porcelain", "--ignored") == "!! workspace/"


def test_a_second_run_leaves_the_users_work_alone(project: Path) -> None:
    _prepare(project)
    workspace = project / "workspace"
    notebook = workspace / "vertex-tutorial.ipynb"
    notebook.write_text("my committed change")
    (workspace / "mine.py").write_text("print('mine')\n")
    _git(workspace, "add", ".")
    _git(workspace, "commit", "--quiet", "-m", "my work")
    notebook.write_text("my uncommitted change")
    (workspace / "train_digits.py").unlink()
    before = _snapshot(workspace)
    project_before = _snapshot(project)

    out = _prepare(project)

    assert out == f"== workspace {workspace} (a git repository already: left as it is)\n"
    assert _snapshot(workspace) == before
    assert _git(workspace, "rev-list", "--count", "HEAD") == "2"
    assert notebook.read_text() == "my uncommitted change"
    assert not (workspace / "train_digits.py").exists()
    assert _snapshot(project) == project_before


def test_a_configured_identity_is_used_and_none_is_written(project: Path, home: Path) -> None:
    (home / ".gitconfig").write_text("[user]\n\tname = Ada\n\temail = ada@example.com\n")
    target = project.parent / "elsewhere" / "ws"

    _prepare(project, str(target))

    assert _git(target, "log", "--format=%an <%ae>") == "Ada <ada@example.com>"
    local = subprocess.run(
        ["git", "config", "--local", "--get-regexp", "^user\\."], cwd=target, capture_output=True
    )
    assert local.returncode == 1 and local.stdout == b""
    assert not (project / "workspace").exists()


def test_files_already_in_the_folder_are_kept(project: Path) -> None:
    workspace = project / "workspace"
    workspace.mkdir()
    (workspace / "train_digits.py").write_text("# mine\n")

    _prepare(project)

    assert (workspace / "train_digits.py").read_text() == "# mine\n"
    assert _git(workspace, "show", "HEAD:train_digits.py") == "# mine"
    assert _git(workspace, "rev-list", "--count", "HEAD") == "1"
