"""The import contracts of .importlinter hold, and they catch a newly added cycle.

The contracts run on a copy of the package so that an import can be added to it without
touching the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "src"
    shutil.copytree(
        ROOT / "jupyter_vertex",
        target / "jupyter_vertex",
        ignore=shutil.ignore_patterns("labextension", "__pycache__"),
    )
    return target


def _lint(source: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(ROOT / ".importlinter"), "--no-cache"],
        cwd=source,
        env={**os.environ, "PYTHONPATH": str(source)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _append(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def test_the_contracts_hold(tmp_path: Path) -> None:
    result = _lint(_copy(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "added", "broken"),
    [
        # backend -> handlers, while handlers -> services -> backend: a cycle across layers
        (
            "backend/blocking.py",
            "from ..handlers import base  # noqa",
            "Server extension: app -> handlers -> services -> backend BROKEN",
        ),
        # the core reaching up into an API package that imports it
        (
            "emulator/core/errors.py",
            "from ..aiplatform_v1 import models  # noqa",
            "Embedded Vertex: wiring -> API packages -> engines -> core BROKEN",
        ),
        # one API package importing another
        (
            "emulator/monitoring_v3/timeseries.py",
            "from ..aiplatform_v1 import endpoints  # noqa",
            "Embedded Vertex: wiring -> API packages -> engines -> core BROKEN",
        ),
        # the emulator importing the extension
        (
            "emulator/serving/autoscale.py",
            "from ...services import running  # noqa",
            "The embedded Vertex never imports the server extension BROKEN",
        ),
    ],
)
def test_an_added_cycle_breaks_a_contract(
    tmp_path: Path, module: str, added: str, broken: str
) -> None:
    source = _copy(tmp_path)
    _append(source / "jupyter_vertex" / module, added)
    result = _lint(source)
    assert result.returncode == 1, result.stdout
    assert broken in " ".join(result.stdout.split()), result.stdout
