"""What partners are sent: public event types, payloads in the Standard Webhooks layout,
and which endpoints want them."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from fairwind.v1 import common_pb2, orders_pb2, routes_pb2, sla_pb2, tracking_pb2
from services.notify.domain.partners import (
    Endpoint,
    EndpointStatus,
    EventType,
    addressed,
    parse_types,
    partner_event,
)
from services.notify.domain.webhooks import WebhookSecret

NOW = datetime(2026, 12, 3, 4, 0, tzinfo=UTC)


def endpoint(
    key: str,
    types: frozenset[EventType] = frozenset(),
    status: EndpointStatus = EndpointStatus.ENABLED,
) -> Endpoint:
    secrets = (WebhookSecret.generate(),)
    return Endpoint(key, "acme", "https://acme.example/hooks", secrets, types, status)


def test_a_status_change_tells_the_status_before_and_after_and_the_partners_reference() -> None:
    message = tracking_pb2.ShipmentStatusChanged(
        waybill="FW1",
        from_status=common_pb2.SHIPMENT_STATUS_IN_TRANSIT,
        to_status=common_pb2.SHIPMENT_STATUS_DELIVERY_FAILED,
        reason=common_pb2.EXCEPTION_REASON_CONSIGNEE_NOT_HOME,
        location=common_pb2.LocationRef(code="755A"),
    )
    message.occurred_at.FromDatetime(NOW)
    event = partner_event(message, NOW)
    assert event is not None
    payload = json.loads(event.body("PO-1"))
    assert payload["type"] == "shipment.status_changed"
    assert payload["timestamp"] == "2026-12-03T04:00:00Z"
    data = payload["data"]
    assert data["waybill"] == "FW1"
    assert data["partner_order_id"] == "PO-1"
    assert (data["previous_status"], data["status"]) == ("in_transit", "delivery_failed")
    assert data["reason"] == "consignee_not_home"
    assert data["location"] == "755A"


def test_a_replan_that_keeps_the_promise_is_nothing_to_partners() -> None:
    kept = routes_pb2.RouteReplanned(route=routes_pb2.Route(waybill="FW1"))
    kept.route.promise.deliver_by.FromDatetime(NOW)
    kept.previous_promise.deliver_by.FromDatetime(NOW)
    assert partner_event(kept, NOW) is None
    kept.previous_promise.deliver_by.FromDatetime(datetime(2026, 12, 2, tzinfo=UTC))
    moved = partner_event(kept, NOW)
    assert moved is not None
    assert moved.type is EventType.PROMISE_CHANGED


def test_a_moved_promise_and_an_sla_at_risk_carry_their_own_times_so_a_replay_is_the_same() -> None:
    planned, detected = (
        datetime(2026, 12, 3, 1, 0, tzinfo=UTC),
        datetime(2026, 12, 3, 2, 0, tzinfo=UTC),
    )
    moved = routes_pb2.RouteReplanned(route=routes_pb2.Route(waybill="FW1"))
    moved.route.promise.deliver_by.FromDatetime(NOW)
    moved.previous_promise.deliver_by.FromDatetime(datetime(2026, 12, 2, tzinfo=UTC))
    moved.route.planned_at.FromDatetime(planned)
    risk = sla_pb2.SlaAtRisk(waybill="FW1", sla=sla_pb2.SLA_KIND_PICKUP)
    risk.detected_at.FromDatetime(detected)
    for message, at in ((moved, planned), (risk, detected)):
        first, replayed = (
            partner_event(message, NOW),
            partner_event(message, NOW + timedelta(days=2)),
        )
        assert first is not None
        assert replayed is not None
        assert first.occurred_at == replayed.occurred_at == at
        assert first.body("msg_1") == replayed.body("msg_1")


def test_an_order_is_created_and_cancelled_in_partners_terms() -> None:
    created = orders_pb2.OrderCreated(order=orders_pb2.Order(waybill="FW1"))
    cancelled = orders_pb2.OrderCancelled(waybill="FW1", reason_code="customer_request")
    assert partner_event(created, NOW).type is EventType.ORDER_CREATED  # type: ignore[union-attr]
    told = partner_event(cancelled, NOW)
    assert told is not None
    assert json.loads(told.body(""))["data"] == {
        "waybill": "FW1",
        "partner_order_id": None,
        "reason": "customer_request",
    }


def test_events_go_to_the_enabled_endpoints_subscribed_to_their_type() -> None:
    event = partner_event(orders_pb2.OrderCreated(order=orders_pb2.Order(waybill="FW1")), NOW)
    assert event is not None
    every = endpoint("ep_all")
    orders_only = endpoint("ep_orders", frozenset({EventType.ORDER_CREATED}))
    status_only = endpoint("ep_status", frozenset({EventType.STATUS_CHANGED}))
    off = endpoint("ep_off", status=EndpointStatus.DISABLED)
    found = addressed(event, [every, orders_only, status_only, off])
    assert [e.id for e in found] == ["ep_all", "ep_orders"]


def test_unknown_event_types_are_refused_by_name() -> None:
    assert parse_types(["order.created"]) == {EventType.ORDER_CREATED}
    with pytest.raises(ValueError, match=r"order\.shipped"):
        parse_types(["order.created", "order.shipped"])
