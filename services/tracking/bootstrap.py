"""Wiring: settings → platform kit → store, devices, recorder → handlers → REST and gRPC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from fastapi import FastAPI
from prometheus_client import REGISTRY, CollectorRegistry

from fairwind.events import EventCatalog
from fairwind.mongo.batching import GroupCommitter
from fairwind.platform import Platform
from fairwind.rpc import GrpcServer, ServiceBinding
from fairwind.v1 import tracking_pb2_grpc
from services.tracking.api import create_app
from services.tracking.devices import DeviceStore
from services.tracking.grpc_server import TrackingServicer
from services.tracking.guesses import GuessLimits, GuessThrottle
from services.tracking.handlers import TrackingService
from services.tracking.metrics import tracking_metrics
from services.tracking.recording import Recorder
from services.tracking.settings import TrackingSettings
from services.tracking.store import TrackingStore
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
    guesses = GuessThrottle(
        platform.db,
        GuessLimits(
            per_waybill=settings.lookup_guesses_per_waybill,
            per_client=settings.lookup_guesses_per_client,
            window=timedelta(seconds=settings.lookup_guess_window_s),
            lock=timedelta(seconds=settings.lookup_lockout_s),
        ),
    )
    await guesses.create_indexes()
    recorder = Recorder(
        store,
        platform.outbox,
        platform.codec,
        timedelta(minutes=settings.late_departure_tolerance_min),
        settings.platform_clock(),
    )
    service = TrackingService(
        settings=settings,
        mongo=platform.mongo,
        store=store,
        devices=DeviceStore(platform.db, settings.device_cache_s),
        outbox=platform.outbox,
        codec=platform.codec,
        recorder=recorder,
        writer=GroupCommitter(platform.mongo, recorder.write, after_commit=platform.outbox.notify),
        guesses=guesses,
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
