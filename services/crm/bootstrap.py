"""Wiring: settings → platform kit → store → handlers → REST and gRPC.

``bootstrap()`` opens the whole platform (Kafka producer included) for ``serve``;
``admin_service()`` only MongoDB, for the admin commands: their events wait in the outbox
until a serving process's relay publishes them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI
from prometheus_client import REGISTRY, CollectorRegistry

from fairwind.events import EventCatalog, EventCodec
from fairwind.events.contracts import platform_catalog
from fairwind.mongo.client import create_client
from fairwind.mongo.outbox import Outbox
from fairwind.mongo.uow import Transactions
from fairwind.platform import Platform
from fairwind.rpc import GrpcServer, ServiceBinding
from fairwind.v1 import crm_pb2_grpc
from services.crm.api import create_app
from services.crm.grpc_server import CustomerServicer
from services.crm.handlers import CrmService
from services.crm.metrics import crm_metrics
from services.crm.settings import CrmSettings
from services.crm.store import CrmStore, CrmUnit


@dataclass
class CrmApp:
    platform: Platform
    service: CrmService
    api: FastAPI
    grpc: GrpcServer

    async def close(self) -> None:
        await self.platform.close()


async def bootstrap(
    settings: CrmSettings | None = None,
    *,
    catalog: EventCatalog | None = None,
    registry: CollectorRegistry = REGISTRY,
) -> CrmApp:
    settings = settings or CrmSettings()
    platform = await Platform.open(settings, catalog=catalog, registry=registry)
    store = CrmStore(platform.db)
    await store.create_indexes()
    service = CrmService(
        settings=settings,
        store=store,
        uow=Transactions(platform.mongo, platform.db, platform.outbox, CrmUnit),
        codec=platform.codec,
        metrics=crm_metrics(registry),
        clock=settings.platform_clock(),
    )
    grpc = GrpcServer(
        [
            ServiceBinding(
                "fairwind.v1.CustomerService",
                crm_pb2_grpc.add_CustomerServiceServicer_to_server,
                CustomerServicer(service),
            )
        ],
        settings.grpc_host,
        settings.grpc_port,
        platform.metrics,
    )
    return CrmApp(platform, service, create_app(service, registry), grpc)


@asynccontextmanager
async def admin_service(
    settings: CrmSettings, *, catalog: EventCatalog | None = None
) -> AsyncIterator[CrmService]:
    """The service on MongoDB alone, closed on leaving the block."""
    mongo = create_client(settings)
    try:
        db = mongo[settings.database_name]
        store = CrmStore(db)
        outbox = Outbox(db)
        await store.create_indexes()
        await outbox.create_indexes()
        yield CrmService(
            settings=settings,
            store=store,
            uow=Transactions(mongo, db, outbox, CrmUnit),
            codec=EventCodec(catalog or platform_catalog(), source=settings.service_name),
            metrics=crm_metrics(CollectorRegistry()),
            clock=settings.platform_clock(),
        )
    finally:
        await mongo.close()
