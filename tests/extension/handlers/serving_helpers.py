"""Helpers of the serving API tests: a digits model, a deployment, polling with a deadline."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from ..seed import SKLEARN_IMAGE, Seeder

FIRST_WAIT = 120.0


def digits_model_dir(folder: Path) -> tuple[Any, Path]:
    """A scikit-learn digits classifier, in process and saved as model.joblib."""
    import joblib
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression

    features, target = load_digits(return_X_y=True)
    model = LogisticRegression(max_iter=300).fit(features[:500], target[:500])
    joblib.dump(model, folder / "model.joblib")
    return model, folder


def upload_digits(seeder: Seeder, folder: Path, name: str) -> Any:
    """Register the saved classifier (copied to local Cloud Storage) as a model."""
    from google.api_core.client_options import ClientOptions
    from google.cloud import storage  # type: ignore[attr-defined]
    from google.oauth2.credentials import Credentials

    client = storage.Client(
        project=seeder.project,
        credentials=Credentials(token=seeder.emulator.token),
        client_options=ClientOptions(api_endpoint=seeder.emulator.storage_url),
    )
    bucket_name = f"{seeder.project}-models"
    bucket = client.lookup_bucket(bucket_name) or client.create_bucket(bucket_name)
    bucket.blob(f"{name}/model.joblib").upload_from_filename(str(folder / "model.joblib"))
    return seeder.upload_model(
        name, image=SKLEARN_IMAGE, artifact_uri=f"gs://{bucket_name}/{name}/"
    )


def deploy_blocking(seeder: Seeder, endpoint: Any, model: Any) -> str:
    """Deploy with Google's client (not the extension); answer the deployed model id."""
    from google.cloud import aiplatform_v1

    deployed = aiplatform_v1.DeployedModel(
        model=model.name.partition("@")[0],
        dedicated_resources=aiplatform_v1.DedicatedResources(
            machine_spec=aiplatform_v1.MachineSpec(machine_type="n1-standard-2"),
            min_replica_count=1,
        ),
    )
    operation = seeder.endpoints.deploy_model(
        endpoint=endpoint.name, deployed_model=deployed, traffic_split={"0": 100}
    )
    return str(operation.result(timeout=FIRST_WAIT).deployed_model.id)


async def poll(
    what: str, fetch: Callable[[], Awaitable[Any]], done: Callable[[Any], bool], timeout: float
) -> list[Any]:
    """Fetch until ``done`` says so (within ``timeout`` seconds); answer every value seen."""
    seen = []
    deadline = time.monotonic() + timeout
    while True:
        value = await fetch()
        seen.append(value)
        if done(value):
            return seen
        assert time.monotonic() < deadline, f"timed out waiting for {what}: {value!r}"
        await asyncio.sleep(0.05)
