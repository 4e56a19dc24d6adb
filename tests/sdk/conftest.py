"""The real google-cloud-aiplatform SDK against the session's embedded Vertex."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sdk_helpers import LOCATION, Sdk

from jupyter_vertex.emulator.testing import EmulatorProcess


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.sdk)


@pytest.fixture
def sdk(emulator: EmulatorProcess, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sdk]:
    """``jupyter_vertex.emulator.init()`` for a fresh project, found through the env vars."""
    import jupyter_vertex.emulator as vertex

    project = f"sdk-{uuid.uuid4().hex[:10]}"
    connection = emulator.connection()  # with its gRPC address: init() picks gRPC
    for key, value in connection.to_env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("JUPYTER_VERTEX_PROJECT", project)
    monkeypatch.setenv("JUPYTER_VERTEX_REGION", LOCATION)
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", emulator.storage_url)
    vertex.init()
    from google.cloud.aiplatform import initializer

    yield Sdk(emulator, project, LOCATION, str(initializer.global_config.staging_bucket))


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scikit-learn digits classifier saved as model.joblib (no download needed)."""
    import joblib
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression

    features, target = load_digits(return_X_y=True)
    model = LogisticRegression(max_iter=300).fit(features[:500], target[:500])
    folder = tmp_path_factory.mktemp("digits-model")
    joblib.dump(model, folder / "model.joblib")
    return folder


@pytest.fixture
def quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    """A job's ``wait()`` polls every 0.2 s instead of the SDK's 5 s."""
    from google.cloud.aiplatform import jobs

    monkeypatch.setattr(jobs, "_JOB_WAIT_TIME", 0.2)
