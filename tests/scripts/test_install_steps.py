"""`make lab` installs only what changed: scripts/env.sh's step digests and stamps."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]

SKIPPED = [
    "== jupyter_vertex[lab] is installed in {venv} (pyproject.toml, package.json, yarn.lock"
    " unchanged)",
    "== the JupyterLab extension is built (src/, style/, schema/ unchanged)",
]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A checkout with env.sh and small stand-ins for the files the steps depend on."""
    root = tmp_path / "project"
    shutil.copytree(PROJECT / "scripts", root / "scripts")
    files = {
        "pyproject.toml": "[project]\nname = 'x'\n",
        "package.json": "{}\n",
        "yarn.lock": "# lock\n",
        "install.json": "{}\n",
        "tsconfig.json": "{}\n",
        "jupyter-config/server-config/jupyter_vertex.json": "{}\n",
        "src/index.ts": "export {};\n",
        "style/base.css": "\n",
        "schema/plugin.json": "{}\n",
        "jupyter_vertex/app.py": "\n",
        "jupyter_vertex/labextension/static/style.js": "\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


@pytest.fixture
def venv(tmp_path: Path) -> Path:
    """A stand-in virtualenv whose python records a call and fails: installing is an error."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "activate").write_text(f'PATH="{venv / "bin"}:$PATH"\n')
    python = venv / "bin" / "python"
    python.write_text(f'#!/bin/sh\necho "$@" >> {tmp_path / "python-calls"}\nexit 1\n')
    python.chmod(python.stat().st_mode | stat.S_IXUSR)
    return venv


def _sh(root: Path, venv: Path, script: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VENV": str(venv)}
    return subprocess.run(
        ["bash", "-c", f"set -euo pipefail; . scripts/env.sh; {script}"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )


def _digests(root: Path, venv: Path) -> tuple[str, str, str]:
    out = _sh(
        root,
        venv,
        'digest "${PYTHON_INPUTS[@]}" -- lab "$ROOT"; digest "${PYTHON_INPUTS[@]}" -- test "$ROOT";'
        ' digest "${LABEXTENSION_INPUTS[@]}"',
    )
    assert out.returncode == 0, out.stderr
    python_lab, python_test, labextension = out.stdout.split()
    return python_lab, python_test, labextension


def test_the_digests_follow_exactly_their_inputs(root: Path, venv: Path) -> None:
    python_lab, python_test, labextension = _digests(root, venv)
    assert python_lab != python_test  # another extra installs other packages
    assert _digests(root, venv) == (python_lab, python_test, labextension)

    (root / "jupyter_vertex/app.py").write_text("x = 1\n")  # editable: no reinstall
    assert _digests(root, venv) == (python_lab, python_test, labextension)

    (root / "src/index.ts").write_text("export const x = 1;\n")
    python_lab2, _, labextension2 = _digests(root, venv)
    assert (python_lab2, labextension2 != labextension) == (python_lab, True)

    (root / "style/new.css").write_text("\n")
    assert _digests(root, venv)[2] not in (labextension, labextension2)

    (root / "pyproject.toml").write_text("[project]\nname = 'y'\n")
    assert _digests(root, venv)[0] != python_lab

    (root / "jupyter-config/server-config/jupyter_vertex.json").write_text('{"a": 1}\n')
    before = _digests(root, venv)
    (root / "yarn.lock").write_text("# lock 2\n")
    after = _digests(root, venv)
    assert (after[0] != before[0], after[2] != before[2]) == (True, True)


def test_a_second_run_with_nothing_changed_installs_nothing(
    root: Path, venv: Path, tmp_path: Path
) -> None:
    first = _sh(root, venv, "ensure_installed lab")
    # No stamp: it installs, through the venv's python (which fails here, by design).
    assert first.returncode != 0
    assert first.stdout.splitlines()[0].startswith("== installing jupyter_vertex[lab]")
    assert (tmp_path / "python-calls").read_text() == "-m pip install --quiet --upgrade pip\n"
    (tmp_path / "python-calls").unlink()

    # What a successful install records:
    recorded = _sh(
        root,
        venv,
        'record_step python-lab "$(digest "${PYTHON_INPUTS[@]}" -- lab "$ROOT")";'
        ' record_step labextension "$(digest "${LABEXTENSION_INPUTS[@]}")"',
    )
    assert recorded.returncode == 0, recorded.stderr
    assert sorted(p.name for p in venv.glob(".jupyter_vertex-*.stamp")) == [
        ".jupyter_vertex-labextension.stamp",
        ".jupyter_vertex-python-lab.stamp",
    ]

    for _ in range(2):
        again = _sh(root, venv, "ensure_installed lab")
        assert (again.returncode, again.stderr) == (0, "")
        assert again.stdout.splitlines() == [line.format(venv=venv) for line in SKIPPED]
    assert not (tmp_path / "python-calls").exists()

    # Another extra is another install.
    other = _sh(root, venv, "ensure_installed test")
    assert other.returncode != 0
    assert other.stdout.splitlines()[0].startswith("== installing jupyter_vertex[test]")


def test_a_changed_source_rebuilds_only_the_labextension(
    root: Path, venv: Path, tmp_path: Path
) -> None:
    _sh(
        root,
        venv,
        'record_step python-lab "$(digest "${PYTHON_INPUTS[@]}" -- lab "$ROOT")";'
        ' record_step labextension "$(digest "${LABEXTENSION_INPUTS[@]}")"',
    )
    (root / "src/index.ts").write_text("export const changed = 1;\n")
    # jlpm stands in for the real one: it records its arguments.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("jlpm", "jupyter"):
        (bin_dir / tool).write_text(f'#!/bin/sh\necho {tool} "$@" >> {tmp_path / "calls"}\n')
        (bin_dir / tool).chmod(0o755)
    out = _sh(root, venv, f'PATH="{bin_dir}:$PATH"; ensure_installed lab')
    assert (out.returncode, out.stderr) == (0, "")
    assert out.stdout.splitlines() == [
        SKIPPED[0].format(venv=venv),
        "== building the JupyterLab extension (src/, style/, schema/ or package.json changed)",
    ]
    assert (tmp_path / "calls").read_text().splitlines() == [
        "jlpm install",
        "jlpm build",
        f"jupyter labextension develop --overwrite {root}",
    ]
    again = _sh(root, venv, f'PATH="{bin_dir}:$PATH"; ensure_installed lab')
    assert again.stdout.splitlines() == [line.format(venv=venv) for line in SKIPPED]
    assert not (tmp_path / "python-calls").exists()
