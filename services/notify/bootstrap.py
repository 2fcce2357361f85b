"""Wiring: settings → platform kit → store → rules → handlers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from prometheus_client import REGISTRY, CollectorRegistry

from fairwind.events import EventCatalog
from fairwind.mongo.uow import Transactions
from fairwind.platform import Platform
from services.notify.domain.rules import QuietHours, Rules
from services.notify.handlers import NotifyService
from services.notify.metrics import notify_metrics
from services.notify.settings import NotifySettings
from services.notify.store import NotifyStore, NotifyUnit


@dataclass
class NotifyApp:
    platform: Platform
    service: NotifyService

    async def close(self) -> None:
        await self.platform.close()


async def bootstrap(
    settings: NotifySettings | None = None,
    *,
    catalog: EventCatalog | None = None,
    registry: CollectorRegistry = REGISTRY,
) -> NotifyApp:
    settings = settings or NotifySettings()
    platform = await Platform.open(settings, catalog=catalog, registry=registry)
    store = NotifyStore(platform.db)
    await store.create_indexes()
    quiet = QuietHours(
        time.fromisoformat(settings.quiet_start), time.fromisoformat(settings.quiet_end)
    )
    service = NotifyService(
        store=store,
        uow=Transactions(platform.mongo, platform.db, platform.outbox, NotifyUnit),
        codec=platform.codec,
        metrics=notify_metrics(registry),
        rules=Rules(quiet, settings.frequency_cap),
        clock=settings.platform_clock(),
    )
    return NotifyApp(platform, service)
