"""The serving services one extension app holds: deploy, predict, bulk, operations, and what
predict and bulk share (the transport to Vertex, the helper process for big bodies)."""

from __future__ import annotations

from dataclasses import dataclass

from ...backend.clients import ClientFactory
from ..operations import OperationsService
from .bulk import BulkService
from .bulk_parse import ParseProcess
from .deploy import DeployService
from .predict import PredictService, TransportCache

__all__ = ["ServingServices"]


@dataclass
class ServingServices:
    deploy: DeployService
    predict: PredictService
    bulk: BulkService
    operations: OperationsService
    transports: TransportCache
    parser: ParseProcess

    @classmethod
    def create(cls, clients: ClientFactory) -> ServingServices:
        transports = TransportCache(clients)
        return cls(
            deploy=DeployService(clients),
            predict=PredictService(clients, transports),
            bulk=BulkService(clients, transports),
            operations=OperationsService(clients),
            transports=transports,
            parser=ParseProcess(),
        )

    async def close(self) -> None:
        """Cancel running bulk predictions and close sessions (the server stops)."""
        await self.bulk.close()
        await self.transports.close()
        self.parser.close()
