"""Wiring: settings → platform kit → repositories and units of work, clients, intake →
handlers (with the group commit of single creates) and API.

Tests call ``bootstrap(settings, routing=..., customers=...)`` with their own settings (a
unique database) and, when they want, their own routing/CRM gateways."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

import grpc
from fastapi import FastAPI
from prometheus_client import REGISTRY, CollectorRegistry

from fairwind.events import EventCatalog
from fairwind.mongo.group_commit import GroupCommitter
from fairwind.mongo.uow import Transactions
from fairwind.platform import Platform
from fairwind.rpc import GrpcServer, ServiceBinding
from fairwind.v1 import orders_pb2_grpc
from services.orders.api import create_app
from services.orders.clients import Customers, GrpcCustomers, GrpcRouting, Routing
from services.orders.datafiles import load_commodity_rules
from services.orders.grpc_server import OrdersServicer
from services.orders.handlers import OrdersService, write_orders
from services.orders.intake import Intake, WaybillIssuer
from services.orders.keys import KeyStore
from services.orders.metrics import order_metrics
from services.orders.settings import OrdersSettings
from services.orders.store import OrdersStore, OrdersUnit

log = logging.getLogger(__name__)


@dataclass
class OrdersApp:
    platform: Platform
    service: OrdersService
    api: FastAPI
    grpc_server: GrpcServer
    channels: list[grpc.aio.Channel] = field(default_factory=list)

    async def close(self) -> None:
        for channel in self.channels:
            await channel.close()
        await self.platform.close()


async def bootstrap(
    settings: OrdersSettings | None = None,
    *,
    routing: Routing | None = None,
    customers: Customers | None = None,
    catalog: EventCatalog | None = None,
    registry: CollectorRegistry = REGISTRY,
) -> OrdersApp:
    settings = settings or OrdersSettings()
    rules = load_commodity_rules(settings.commodity_rules_file)  # fail fast on a bad file
    if settings.link_secret is None:
        log.warning(
            "FAIRWIND_LINK_SECRET is not set: tracking links carry no access_token and "
            "show partners the masked view (set the same secret for orders and tracking)"
        )
    platform = await Platform.open(settings, catalog=catalog, registry=registry)
    channels: list[grpc.aio.Channel] = []
    if routing is None:
        channels.append(grpc.aio.insecure_channel(settings.routing_target))
        routing = GrpcRouting(channels[-1], settings.rpc_deadline_s, settings.coverage_cache_s)
    if customers is None:
        channels.append(grpc.aio.insecure_channel(settings.crm_target))
        customers = GrpcCustomers(
            channels[-1],
            settings.rpc_deadline_s,
            settings.tier_cache_s,
            settings.default_customer_tier,
            settings.tier_unknown_cache_s,
        )
    store = OrdersStore(platform.db)
    keys = KeyStore(platform.db, settings.api_key_cache_s)
    await store.create_indexes(timedelta(hours=settings.idempotency_retention_h))
    await keys.create_indexes()
    units = Transactions(platform.mongo, platform.db, platform.outbox, OrdersUnit)
    service = OrdersService(
        settings=settings,
        store=store,
        uow=units,
        keys=keys,
        codec=platform.codec,
        intake=Intake(settings, rules, routing, customers),
        issuer=WaybillIssuer(store.serials, settings.waybill_prefix, settings.waybill_block),
        metrics=order_metrics(registry),
        writer=GroupCommitter(units, write_orders),
        clock=settings.platform_clock(),
    )
    server = GrpcServer(
        [
            ServiceBinding(
                "fairwind.v1.OrdersService",
                orders_pb2_grpc.add_OrdersServiceServicer_to_server,
                OrdersServicer(keys),
            )
        ],
        settings.grpc_host,
        settings.grpc_port,
        platform.metrics,
    )
    return OrdersApp(platform, service, create_app(service, registry), server, channels)
