"""Wiring: settings → platform kit → store → rules → handlers, and the channels the
senders use (the SMTP server, the SMS provider, the templates)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import time, timedelta

import grpc
from fastapi import FastAPI
from prometheus_client import REGISTRY, CollectorRegistry

from fairwind.events import EventCatalog
from fairwind.mongo.client import create_client
from fairwind.mongo.uow import Transactions
from fairwind.platform import Platform
from services.notify.api import create_app
from services.notify.channels.email import SmtpMailer
from services.notify.channels.sms import SmsProvider
from services.notify.channels.webhook import WebhookPoster
from services.notify.domain.rules import QuietHours, Rules
from services.notify.handlers import NotifyService
from services.notify.metrics import notify_metrics
from services.notify.partner_keys import PartnerKeys
from services.notify.rendering import Renderer
from services.notify.sending import Outbound
from services.notify.settings import NotifySettings
from services.notify.store import NotifyStore, NotifyUnit
from services.notify.webhooks.dispatch import Dispatcher

log = logging.getLogger(__name__)


@dataclass
class NotifyApp:
    platform: Platform
    service: NotifyService
    outbound: Outbound
    dispatcher: Dispatcher
    api: FastAPI
    channels: list[grpc.aio.Channel] = field(default_factory=list)

    async def close(self) -> None:
        await self.outbound.close()
        await self.api.state.poster.close()
        for channel in self.channels:
            await channel.close()
        await self.platform.close()


async def bootstrap(
    settings: NotifySettings | None = None,
    *,
    catalog: EventCatalog | None = None,
    registry: CollectorRegistry = REGISTRY,
    keys: PartnerKeys | None = None,
) -> NotifyApp:
    settings = settings or NotifySettings()
    platform = await Platform.open(settings, catalog=catalog, registry=registry)
    store = NotifyStore(platform.db)
    await store.create_indexes()
    quiet = QuietHours(
        time.fromisoformat(settings.quiet_start), time.fromisoformat(settings.quiet_end)
    )
    service = NotifyService(
        settings=settings,
        store=store,
        uow=Transactions(platform.mongo, platform.db, platform.outbox, NotifyUnit),
        codec=platform.codec,
        metrics=notify_metrics(registry),
        rules=Rules(quiet, settings.frequency_cap, timedelta(seconds=settings.survey_after_s)),
        clock=settings.platform_clock(),
    )
    if settings.message_link_secret is not None:
        service.link_key = settings.message_link_secret.get_secret_value().encode()
    else:
        log.warning(
            "FAIRWIND_MESSAGE_LINK_SECRET is not set: survey and opt-out links die with the process"
        )
    mailer = SmtpMailer(settings.smtp_host, settings.smtp_port, settings.mail_from)
    sms = SmsProvider(
        settings.sms_api_url,
        settings.sms_account_sid,
        settings.sms_auth_token.get_secret_value(),
        settings.sms_from,
    )
    dispatcher = Dispatcher(service, WebhookPoster(settings.webhook_timeout_s))
    channels: list[grpc.aio.Channel] = []
    if keys is None:
        channels.append(grpc.aio.insecure_channel(settings.orders_target))
        keys = PartnerKeys(channels[-1], settings.rpc_deadline_s, settings.partner_key_cache_s)
    pinger = WebhookPoster(settings.webhook_timeout_s)  # the API's own, for test pings
    renderer = Renderer.load()
    api = create_app(service, keys, pinger, registry, renderer)
    outbound = Outbound(mailer, sms, renderer)
    return NotifyApp(platform, service, outbound, dispatcher, api, channels)


@asynccontextmanager
async def admin_store(settings: NotifySettings) -> AsyncIterator[NotifyStore]:
    """The store on MongoDB alone, for the admin commands; closed on leaving the block."""
    mongo = create_client(settings)
    try:
        yield NotifyStore(mongo[settings.database_name])
    finally:
        await mongo.close()
