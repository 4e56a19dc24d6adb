"""docs/emulator-coverage.md is what the running embedded Vertex serves today: regenerated
here from Google's discovery documents against the session's emulator and compared."""

from __future__ import annotations

import difflib
from pathlib import Path

from jupyter_vertex.emulator.coverage import COMMAND, PAGE, main, measure, render
from jupyter_vertex.emulator.testing import EmulatorProcess

ROOT = Path(__file__).resolve().parents[2]


def test_coverage_page_is_current(emulator: EmulatorProcess) -> None:
    page = render(measure(emulator.url, emulator.token))
    committed = (ROOT / PAGE).read_text("utf-8")
    diff = "".join(
        list(difflib.unified_diff(committed.splitlines(True), page.splitlines(True), n=0))[:40]
    )
    assert page == committed, f"{PAGE} is stale; regenerate it with `{COMMAND}`:\n{diff}"


def test_check_mode_fails_on_a_stale_page(emulator: EmulatorProcess, tmp_path: Path) -> None:
    stale = tmp_path / "coverage.md"
    stale.write_text("# an old page\n", "utf-8")
    args = ["--url", emulator.url, "--token", emulator.token, "--output", str(stale)]
    assert main([*args, "--check"]) == 1
    assert main(args) == 0  # regenerates it
    assert main([*args, "--check"]) == 0
    assert stale.read_text("utf-8") == (ROOT / PAGE).read_text("utf-8")


def test_every_family_is_probed_and_counted() -> None:
    page = (ROOT / PAGE).read_text("utf-8")
    for document in ("aiplatform.v1", "notebooks.v2", "monitoring.v3", "logging.v2"):
        assert f"\n## {document}\n" in page
    # the methods the extension and the SDK rely on are served
    for method in (
        "aiplatform.projects.locations.models.upload",
        "aiplatform.projects.locations.endpoints.predict",
        "notebooks.projects.locations.instances.create",
        "monitoring.projects.timeSeries.list",
        "logging.entries.list",
    ):
        row = next(line for line in page.splitlines() if line.startswith(f"| `{method}` |"))
        assert row.endswith("| ✓ |"), row
