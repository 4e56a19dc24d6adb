"""The panel's import contracts (.dependency-cruiser.js, `jlpm lint:deps`) hold, and they
catch an added cycle or a layer crossed.

They run on a copy of src/ so that an import can be added without touching the checkout.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPCRUISE = ROOT / "node_modules" / ".bin" / "depcruise"


@pytest.fixture
def panel(tmp_path: Path) -> Path:
    if not DEPCRUISE.exists():
        pytest.fail("node_modules is missing: run `jlpm install` (make test does)")
    for name in ("tsconfig.json", ".dependency-cruiser.js", "package.json"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "src", tmp_path / "src")
    (tmp_path / "node_modules").symlink_to(ROOT / "node_modules")
    return tmp_path


def _cruise(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(DEPCRUISE), "src", "--config", ".dependency-cruiser.js"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_panel_contracts_hold(panel: Path) -> None:
    result = _cruise(panel)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no dependency violations found" in result.stdout


@pytest.mark.parametrize(
    ("module", "added", "rule"),
    [
        # logs.ts imports states.ts: the way back closes a cycle
        (
            "model/states.ts",
            "import { LogFollower } from './logs';\nexport const cycle = LogFollower;",
            "no-circular",
        ),
        (
            "model/states.ts",
            "import * as React from 'react';\nexport const view = React.createElement;",
            "model-has-no-views",
        ),
        (
            "components/Banner.tsx",
            "import { ModelList } from '../panel/ModelList';\nexport const list = ModelList;",
            "components-are-leaves",
        ),
    ],
)
def test_an_added_import_breaks_a_rule(panel: Path, module: str, added: str, rule: str) -> None:
    path = panel / "src" / module
    path.write_text(path.read_text(encoding="utf-8") + "\n" + added + "\n", encoding="utf-8")
    result = _cruise(panel)
    assert result.returncode != 0, result.stdout
    assert f"error {rule}:" in result.stdout, result.stdout
