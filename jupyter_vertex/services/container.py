"""The services of one extension app, built in one place from one client factory.

``VertexApp.initialize_settings`` calls :func:`build_services`; handlers reach the result
through the web app's settings (``settings[SETTINGS_KEY]``), never through the app itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..backend.clients import ClientFactory
from .artifacts import ArtifactsService
from .batch.service import BatchService
from .instances import InstancesService
from .metrics import MetricsService
from .pipelines.service import PipelinesService
from .serving.bundle import ServingServices
from .serving.endpoints import EndpointsService
from .serving.examples import ModelExamples
from .serving.models import ModelsService
from .status import StatusService
from .training.packaging import DEFAULT_MAX_BYTES
from .training.preview import TrainingPreview
from .training.rerun import Rerun
from .training.service import TrainingService

__all__ = ["SETTINGS_KEY", "Services", "build_services"]

#: Where the services live in the Tornado application's settings.
SETTINGS_KEY = "jupyter_vertex_services"


@dataclass
class Services:
    clients: ClientFactory
    status: StatusService
    models: ModelsService
    model_examples: ModelExamples
    endpoints: EndpointsService
    training: TrainingService
    training_preview: TrainingPreview
    serving: ServingServices
    metrics: MetricsService
    instances: InstancesService
    batch: BatchService
    pipelines: PipelinesService
    rerun: Rerun
    artifacts: ArtifactsService

    async def close(self) -> None:
        """Stop what runs in this process (bulk predictions, sessions, the parse helper)."""
        await self.serving.close()


def build_services(
    clients: ClientFactory, *, root_dir: str, max_package_bytes: int = DEFAULT_MAX_BYTES
) -> Services:
    """Every service over ``clients``; nothing is started and no Google library imported."""
    training = TrainingService(clients, root_dir=root_dir, max_package_bytes=max_package_bytes)
    return Services(
        clients=clients,
        status=StatusService(clients),
        models=ModelsService(clients),
        model_examples=ModelExamples(clients),
        endpoints=EndpointsService(clients),
        training=training,
        training_preview=TrainingPreview(clients, root_dir=root_dir),
        serving=ServingServices.create(clients),
        metrics=MetricsService(clients),
        instances=InstancesService(clients),
        batch=BatchService(clients, root_dir=root_dir),
        pipelines=PipelinesService(clients, root_dir=root_dir),
        rerun=Rerun(training),
        artifacts=ArtifactsService(clients, root_dir=root_dir),
    )
