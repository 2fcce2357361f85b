"""Wiring: settings → network, prices, platform kit → store → handlers → gRPC servicer."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import REGISTRY, CollectorRegistry

from fairwind.events import EventCatalog
from fairwind.mongo.uow import Transactions
from fairwind.platform import Platform
from fairwind.rpc import GrpcServer, ServiceBinding
from fairwind.v1 import routes_pb2_grpc
from services.routing.datafiles import load_network, load_prices
from services.routing.domain.router import Router
from services.routing.grpc_server import RouteServicer
from services.routing.metrics import routing_metrics
from services.routing.service import RoutingService
from services.routing.settings import RoutingSettings
from services.routing.store import RoutingStore, RoutingUnit

SERVICE_NAME = "fairwind.v1.RouteService"


@dataclass
class RoutingApp:
    platform: Platform
    service: RoutingService
    grpc: GrpcServer

    async def close(self) -> None:
        await self.platform.close()


async def bootstrap(
    settings: RoutingSettings | None = None,
    *,
    catalog: EventCatalog | None = None,
    registry: CollectorRegistry = REGISTRY,
) -> RoutingApp:
    settings = settings or RoutingSettings()
    # Data files first: a malformed network or price table fails here, naming the record.
    router = Router(load_network(settings.network_file), load_prices(settings.prices_file))
    platform = await Platform.open(settings, catalog=catalog, registry=registry)
    store = RoutingStore(platform.db)
    await store.create_indexes()
    service = RoutingService(
        settings=settings,
        router=router,
        store=store,
        uow=Transactions(platform.mongo, platform.db, platform.outbox, RoutingUnit),
        codec=platform.codec,
        metrics=routing_metrics(registry),
        clock=settings.platform_clock(),
    )
    binding = ServiceBinding(
        SERVICE_NAME, routes_pb2_grpc.add_RouteServiceServicer_to_server, RouteServicer(service)
    )
    grpc = GrpcServer([binding], settings.grpc_host, settings.grpc_port, platform.metrics)
    return RoutingApp(platform, service, grpc)
