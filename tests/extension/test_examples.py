"""The training examples run for real against the embedded Vertex."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import nbformat
import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _run(notebook: Path, env: dict[str, str], cwd: Path) -> Any:
    """Execute all of a notebook's cells, as "Run All" does."""
    from nbclient import NotebookClient

    nb = nbformat.read(notebook, as_version=4)
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # the kernel inherits them, as kernels of the server do
    try:
        client = NotebookClient(
            nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
        )
        client.execute()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return nb


def test_the_tutorial_trains_registers_deploys_and_predicts_with_the_sdk(
    emulator: Any, project_id: str, tmp_path: Path
) -> None:
    for name in ("vertex-tutorial.ipynb", "train_digits.py"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    connection = emulator.connection(project_id, "us-central1")
    nb = _run(tmp_path / "vertex-tutorial.ipynb", connection.to_env(), tmp_path)
    stale = [c.source for c in nb.cells if "issue 4" in c.source or "not there yet" in c.source]
    assert stale == []  # the embedded Vertex serves: the tutorial no longer says otherwise
    printed = "".join(
        out.get("text", "") for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs
    )
    lines = printed.splitlines()
    model_line = next(line for line in lines if line.startswith("projects/"))
    assert "/locations/us-central1/models/" in model_line
    assert any(
        line.startswith("gs://") and line.rstrip("/").endswith("/model") for line in lines
    ), lines

    from google.api_core.client_options import ClientOptions
    from google.api_core.exceptions import NotFound
    from google.cloud import aiplatform_v1
    from google.oauth2.credentials import Credentials

    # Served by the embedded Vertex: the first ten digits' labels, equal to the argmax of the
    # registered model's probabilities (the notebook asserts that itself).
    served = next(line for line in lines if line.startswith("served:"))
    expected = next(line for line in lines if line.startswith("expected:"))
    assert served.split(":", 1)[1].split() == expected.split(":", 1)[1].split()
    argmax = next(line for line in lines if line.startswith("argmax:"))
    assert argmax.split(":", 1)[1].split() == served.split(":", 1)[1].split()
    endpoint_line = next(
        line
        for line in lines
        if re.fullmatch(r"projects/\w+/locations/us-central1/endpoints/\d+", line)
    )

    options = {
        "transport": "rest",
        "client_options": ClientOptions(api_endpoint=emulator.url),
        "credentials": Credentials(token=emulator.token),
    }
    # The clean-up cell deleted what the tutorial made.
    with pytest.raises(NotFound):
        aiplatform_v1.ModelServiceClient(**options).get_model(name=model_line.strip())
    with pytest.raises(NotFound):
        aiplatform_v1.EndpointServiceClient(**options).get_endpoint(name=endpoint_line.strip())
