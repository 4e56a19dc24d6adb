"""The training examples run for real against the embedded Vertex."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import nbformat

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _run_until_serving(notebook: Path, env: dict[str, str], cwd: Path) -> Any:
    """Execute the tutorial's cells up to the first one that needs serving (issue 4)."""
    from nbclient import NotebookClient

    nb = nbformat.read(notebook, as_version=4)
    first = next(i for i, c in enumerate(nb.cells) if "needs-serving" in c.metadata.get("tags", []))
    nb.cells = nb.cells[:first]
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


def test_the_tutorial_trains_and_registers_with_the_sdk(
    emulator: Any, project_id: str, tmp_path: Path
) -> None:
    for name in ("vertex-tutorial.ipynb", "train_digits.py"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    connection = emulator.connection(project_id, "us-central1")
    nb = _run_until_serving(tmp_path / "vertex-tutorial.ipynb", connection.to_env(), tmp_path)
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
    from google.cloud import aiplatform_v1
    from google.oauth2.credentials import Credentials

    models = aiplatform_v1.ModelServiceClient(
        transport="rest",
        client_options=ClientOptions(api_endpoint=emulator.url),
        credentials=Credentials(token=emulator.token),
    )
    model = models.get_model(name=model_line.strip())
    assert model.display_name == "digits-tutorial"
    assert model.container_spec.image_uri == (
        "us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest"
    )
