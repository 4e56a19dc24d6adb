"""Seed the embedded Vertex with Google's own clients (blocking: call via to_thread)."""

from __future__ import annotations

import io
import pickle
from typing import Any

SKLEARN_IMAGE = "us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest"
CUSTOM_IMAGE = "us-central1-docker.pkg.dev/my-project/serving/cpr-digits:v1"


class Seeder:
    """GAPIC clients on the emulator, plus its local Cloud Storage."""

    def __init__(self, emulator: Any, project: str, region: str = "us-central1") -> None:
        from google.api_core.client_options import ClientOptions
        from google.cloud import aiplatform_v1
        from google.oauth2.credentials import Credentials

        self.emulator = emulator
        self.project = project
        self.region = region
        self.parent = f"projects/{project}/locations/{region}"
        options = ClientOptions(api_endpoint=emulator.url)
        credentials = Credentials(token=emulator.token)
        self.models = aiplatform_v1.ModelServiceClient(
            transport="rest", client_options=options, credentials=credentials
        )
        self.endpoints = aiplatform_v1.EndpointServiceClient(
            transport="rest", client_options=options, credentials=credentials
        )

    def upload_artifact(self, bucket: str, folder: str) -> str:
        """A real (tiny) scikit-learn model as ``gs://bucket/folder/model.pkl``."""
        from google.api_core.client_options import ClientOptions
        from google.cloud import storage  # type: ignore[attr-defined]
        from google.oauth2.credentials import Credentials
        from sklearn.linear_model import LogisticRegression

        client = storage.Client(
            project=self.project,
            credentials=Credentials(token=self.emulator.token),
            client_options=ClientOptions(api_endpoint=self.emulator.storage_url),
        )
        found = client.lookup_bucket(bucket)
        target = found if found is not None else client.create_bucket(bucket)
        model = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
        data = io.BytesIO()
        pickle.dump(model, data)
        target.blob(f"{folder}/model.pkl").upload_from_string(data.getvalue())
        return f"gs://{bucket}/{folder}/"

    def upload_model(
        self,
        display_name: str,
        *,
        image: str = CUSTOM_IMAGE,
        artifact_uri: str = "",
        labels: dict[str, str] | None = None,
        description: str = "",
        parent_model: str = "",
        version_aliases: list[str] | None = None,
        version_description: str = "",
    ) -> Any:
        """Upload (a version of) a model and return it as ModelService.GetModel does."""
        from google.cloud import aiplatform_v1

        model = aiplatform_v1.Model(
            display_name=display_name,
            description=description,
            labels=labels or {},
            artifact_uri=artifact_uri,
            container_spec=aiplatform_v1.ModelContainerSpec(image_uri=image),
            version_aliases=version_aliases or [],
            version_description=version_description,
        )
        request = aiplatform_v1.UploadModelRequest(
            parent=self.parent, model=model, parent_model=parent_model
        )
        operation = self.models.upload_model(request=request)
        result = operation.result(timeout=60)
        name = result.model
        if result.model_version_id:
            name = f"{name}@{result.model_version_id}"
        return self.models.get_model(name=name)

    def create_endpoint(self, display_name: str, **fields: Any) -> Any:
        from google.cloud import aiplatform_v1

        endpoint = aiplatform_v1.Endpoint(display_name=display_name, **fields)
        return self.endpoints.create_endpoint(parent=self.parent, endpoint=endpoint).result(
            timeout=60
        )
