"""One small async function per command or event. Entrypoints (api.py, consumer.py) turn
input into these calls; bootstrap.py wires the dependencies into ``OrdersService``.

Every write goes through the unit of work (``svc.uow``): the order documents and the
events they cause are stored in one transaction, and the relay publishes the events.
Single creates share transactions (group commit, ``svc.writer`` with ``write_orders``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from fairwind.clock import PlatformClock
from fairwind.events import EncodedEvent, Event, EventCodec
from fairwind.mongo.group_commit import GroupCommitter
from fairwind.mongo.uow import Units
from fairwind.problems import Rejected
from fairwind.v1 import common_pb2, orders_pb2, routes_pb2, tracking_pb2
from services.orders import convert
from services.orders.domain.status import Status, follow_reports
from services.orders.intake import Intake, WaybillIssuer, order_document
from services.orders.keys import KeyStore, Partner
from services.orders.metrics import OrderMetrics
from services.orders.schemas import OrderIn
from services.orders.settings import OrdersSettings
from services.orders.store import DuplicateOrder, OrdersStore, OrdersUnit, RoutePlan
from services.orders.views import order_view

Document = dict[str, Any]
NewOrder = tuple[Document, list[EncodedEvent]]  # an order document and its events


@dataclass(frozen=True, slots=True)
class Outcome:
    status: int
    body: Document
    replayed: bool = False


@dataclass
class OrdersService:
    settings: OrdersSettings
    store: OrdersStore  # reads, and writes that need no transaction
    uow: Units[OrdersUnit]  # writes with the events they cause
    keys: KeyStore
    codec: EventCodec
    intake: Intake
    issuer: WaybillIssuer
    metrics: OrderMetrics
    writer: GroupCommitter[OrdersUnit, NewOrder]  # group commit of single creates
    clock: PlatformClock = field(default_factory=PlatformClock)

    def view(self, doc: Document) -> Document:
        secret = self.settings.link_secret
        return order_view(
            doc, self.settings.public_tracking_url, secret.get_secret_value() if secret else None
        )


def replay(record: Document, body_hash: str) -> Outcome:
    if record["hash"] != body_hash:
        raise Rejected(
            409,
            "idempotency_key_reused",
            "this Idempotency-Key was used with a different request body",
        )
    return Outcome(record["status"], record["body"], replayed=True)


async def create_order(
    svc: OrdersService, partner: Partner, order: OrderIn, key: str, body_hash: str
) -> Outcome:
    """Accept one order. The Idempotency-Key is stored in the order itself (unique per
    partner), so the common path costs no lookup: a replay is found when its insert meets
    the first one's key."""
    now = svc.clock.now()
    warnings = svc.intake.check(order, now)
    terms = await svc.intake.accept(order, partner, warnings)
    (waybill,) = await svc.issuer.issue()  # only now: a refused order uses no serial
    doc = order_document(order, partner, waybill, terms, now)
    body = svc.view(doc)
    doc["idem"] = {"k": key, "h": body_hash, "body": body}
    created = convert.created_event(order)
    created.source = orders_pb2.ORDER_SOURCE_API
    convert.complete_message(created.order, doc, terms.quote, convert.timestamp(now))
    event = svc.codec.encode(created, waybill)
    try:
        await svc.writer.submit((doc, [event]))  # with others' orders: write_orders
    except DuplicateOrder as exc:
        # Either unique index may be the one reported: the Idempotency-Key decides first.
        first = await svc.store.orders.by_idempotency_key(partner.id, key)
        if first is not None:
            svc.metrics.replays.inc()
            idem = first["idem"]
            return replay({"hash": idem["h"], "status": 201, "body": idem["body"]}, body_hash)
        raise Rejected(
            409, "duplicate_partner_order_id", await svc.store.orders.duplicate_message([doc])
        ) from exc
    count_accepted(svc, [doc], "api")
    return Outcome(201, body)


async def write_orders(uow: OrdersUnit, items: Sequence[NewOrder]) -> None:
    """One group commit of single creates: the orders and their OrderCreated events."""
    await uow.orders.insert([doc for doc, _ in items])
    uow.emit(*(event for _, events in items for event in events))


def count_accepted(svc: OrdersService, docs: list[Document], source: str) -> None:
    for doc in docs:
        svc.metrics.accepted.labels(doc["service_level"], source).inc()
        if doc["promise_pending"]:
            svc.metrics.promise_pending.inc()


async def cancel_order(svc: OrdersService, partner: Partner, waybill: str, reason: str) -> Outcome:
    doc = await svc.store.orders.get(partner.id, waybill)
    if doc is None:
        raise Rejected(404, "not_found", f"no order {waybill}")
    if doc["status"] == Status.CANCELLED:
        return Outcome(200, svc.view(doc), replayed=True)
    cancellation = {"by": "partner", "reason": "partner_request", "side": None, "detail": reason}
    updated = await _cancel(svc, doc, cancellation)
    if updated is None:
        current = await svc.store.orders.get(partner.id, waybill)
        status = current["status"] if current else "unknown"
        raise Rejected(
            409,
            "not_cancellable",
            f"the order is {status}; cancellation is possible until pickup",
            order_status=status,
        )
    svc.metrics.cancelled.inc()
    return Outcome(200, svc.view(updated))


async def _cancel(svc: OrdersService, doc: Document, cancellation: Document) -> Document | None:
    """Cancel a cancellable order with its OrderCancelled event; None if it is not."""
    now = svc.clock.now()
    waybill = doc["_id"]
    event = svc.codec.encode(
        orders_pb2.OrderCancelled(
            waybill=waybill,
            partner_id=doc["partner_id"],
            partner_order_id=doc.get("partner_order_id") or "",
            customer_id=doc["customer_id"],
            reason=cancellation["detail"],
            cancelled_at=convert.timestamp(now),
            initiator=convert.INITIATORS[cancellation["by"]],
            reason_code=cancellation["reason"],
            side=convert.SIDES.get(cancellation["side"], common_pb2.ADDRESS_SIDE_UNSPECIFIED),
        ),
        waybill,
    )

    async def cancel(uow: OrdersUnit) -> Document | None:
        updated = await uow.orders.cancel(doc["partner_id"], waybill, cancellation, now)
        if updated is not None:
            uow.emit(event)
        return updated

    return await svc.uow.run(cancel)


async def on_routes(
    svc: OrdersService,
    events: Sequence[Event[routes_pb2.RoutePlanned] | Event[routes_pb2.RouteReplanned]],
) -> None:
    """Plans and re-plans of a poll: each order shows its promise, outlets and hubs (the
    newest version wins), and an order accepted without a price gets the planned one."""
    plans = [_route_plan(event.message) for event in events]

    async def follow(uow: OrdersUnit) -> None:
        await uow.orders.follow_routes(plans)

    await svc.uow.run(follow)


def _route_plan(message: routes_pb2.RoutePlanned | routes_pb2.RouteReplanned) -> RoutePlan:
    route = message.route
    fields = convert.route_fields(route)
    if isinstance(message, routes_pb2.RoutePlanned) and message.HasField("price"):
        price = convert.money_doc(message.price)
        return RoutePlan(route.waybill, route.version, fields, price, message.chargeable_weight_kg)
    return RoutePlan(route.waybill, route.version, fields, None, 0.0)


async def on_unroutable(svc: OrdersService, event: Event[routes_pb2.OrderUnroutable]) -> None:
    """Routing cannot carry an order accepted while it was unavailable: Fairwind cancels it,
    saying why, and OrderCancelled closes the shipment everywhere downstream."""
    message = event.message
    doc = await svc.store.orders.by_waybill(message.waybill)
    if doc is None or doc["status"] == Status.CANCELLED:
        return  # not ours, or cancelled already (a redelivery, or the partner was first)
    reason = convert.UNROUTABLE_REASONS.get(message.reason, "no_service")
    cancellation = {
        "by": "fairwind",
        "reason": reason,
        "side": convert.SIDE_NAMES.get(message.side),
        "detail": message.detail or reason,
    }
    if await _cancel(svc, doc, cancellation) is not None:
        svc.metrics.unroutable.labels(reason).inc()


async def on_statuses_changed(
    svc: OrdersService, events: Sequence[Event[tracking_pb2.ShipmentStatusChanged]]
) -> None:
    """Tracking's status changes of a poll, forward only: one read of the orders' statuses
    and one bulk write, in one transaction (run again if a cancellation or another
    consumer changed one of them meanwhile)."""
    reports = []
    for event in events:
        message = event.message
        name = common_pb2.ShipmentStatus.Name(message.to_status).removeprefix("SHIPMENT_STATUS_")
        try:
            status = Status(name.lower())
        except ValueError:
            continue  # UNSPECIFIED or a status this version does not know: nothing to follow
        occurred = (
            convert.from_timestamp(message.occurred_at)
            if message.HasField("occurred_at")
            else event.envelope.time
        )
        reports.append((message.waybill, status, occurred))
    if not reports:
        return

    async def follow(uow: OrdersUnit) -> None:
        current = await uow.orders.statuses([waybill for waybill, _, _ in reports])
        await uow.orders.move_statuses(follow_reports(current, reports))

    await svc.uow.run(follow)
