"""Wiring: settings → platform kit → store, devices, units of work → handlers → REST and
gRPC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from fastapi import FastAPI
from prometheus_client import REGISTRY, CollectorRegistry

from fairwind.events import EventCatalog
from fairwind.mongo.uow import Transactions
from fairwind.platform import Platform
from fairwind.rpc import GrpcServer, ServiceBinding
from fairwind.v1 import tracking_pb2_grpc
from services.tracking.api import create_app
from services.tracking.devices import DeviceRegistry
from services.tracking.grpc_server import TrackingServicer
from services.tracking.guesses import GuessLimits, GuessThrottle
from services.tracking.metrics import tracking_metrics
from services.tracking.service import TrackingService
from services.tracking.settings import TrackingSettings
from services.tracking.store import TrackingStore, TrackingUnit
from services.tracking.stream import StatusBroadcaster


@dataclass
class TrackingApp:
    platform: Platform
    service: TrackingService
    api: FastAPI
    grpc: GrpcServer
    broadcaster: StatusBroadcaster

    async def close(self) -> None:
        await self.broadcaster.stop()
        await self.platform.close()


async def bootstrap(
    settings: TrackingSettings | None = None,
    *,
    catalog: EventCatalog | None = None,
    registry: CollectorRegistry = REGISTRY,
) -> TrackingApp:
    settings = settings or TrackingSettings()
    platform = await Platform.open(settings, catalog=catalog, registry=registry)
    store = TrackingStore(platform.db)
    await store.create_indexes()
    limits = GuessLimits(
        per_waybill=settings.lookup_guesses_per_waybill,
        per_client=settings.lookup_guesses_per_client,
        window=timedelta(seconds=settings.lookup_guess_window_s),
        lock=timedelta(seconds=settings.lookup_lockout_s),
    )
    service = TrackingService(
        settings=settings,
        store=store,
        uow=Transactions(platform.mongo, platform.db, platform.outbox, TrackingUnit),
        devices=DeviceRegistry(store.devices, store.places, settings.device_cache_s),
        codec=platform.codec,
        guesses=GuessThrottle(store.guesses, limits),
        metrics=tracking_metrics(registry),
        clock=settings.platform_clock(),
    )
    broadcaster = StatusBroadcaster(store.shipments)
    grpc = GrpcServer(
        [
            ServiceBinding(
                "fairwind.v1.TrackingService",
                tracking_pb2_grpc.add_TrackingServiceServicer_to_server,
                TrackingServicer(service),
            )
        ],
        settings.grpc_host,
        settings.grpc_port,
        platform.metrics,
    )
    return TrackingApp(
        platform, service, create_app(service, broadcaster, registry), grpc, broadcaster
    )
