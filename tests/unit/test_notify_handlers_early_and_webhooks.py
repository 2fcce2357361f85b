"""Notify's event handler on in-memory repositories and the kit's fake unit of work, for
what does not come in order or is not a message: an event read before its order waits for
it and is planned after it (a cancellation then cancels the order as it comes), and
webhooks go once to the partner's enabled endpoints subscribed to the event's type."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fairwind.v1 import common_pb2, notifications_pb2
from services.notify import handlers
from services.notify.domain.partners import EndpointStatus, EventType
from services.notify.domain.webhooks import WebhookSecret
from services.notify.store.endpoints import endpoint_doc
from tests.unit.notify_fakes import NOON, Fakes, cancelled, order, status

Document = dict[str, Any]
W = "FW000000000076"
S, R = common_pb2, notifications_pb2
BOOKED = ("booked:sender:email:", "booked:recipient:email:", "booked:recipient:sms:")


@pytest.fixture
def fakes() -> Fakes:
    return Fakes()


async def test_an_event_before_its_order_waits_for_it_and_is_planned_after_it(
    fakes: Fakes,
) -> None:
    (delivered,) = await fakes.handle(status(W, S.SHIPMENT_STATUS_DELIVERED))
    assert fakes.messages.docs == {}
    assert list(fakes.early.docs.values()) == [
        {
            "_id": delivered.id,
            "waybill": W,
            "value": delivered.message.SerializeToString(),
            "ce_type": delivered.type,
            "parked_at": NOON,
        }
    ]
    assert fakes.decided("none", "park", "before_its_order") == 1

    await fakes.handle(order(W))
    found = fakes.decisions(W)
    assert {k: found[k] for k in BOOKED} == dict.fromkeys(BOOKED, ("queued", ""))
    assert found["delivered:recipient:sms:"] == ("queued", "")
    assert fakes.message(W, "delivered:recipient:sms:")["trigger"] == {
        "ce_id": delivered.id,
        "ce_type": delivered.type,
    }
    assert fakes.early.docs == {}  # forgotten once planned


async def test_a_cancellation_before_its_order_cancels_it_when_it_comes(fakes: Fakes) -> None:
    await fakes.handle(cancelled(W))
    await fakes.handle(order(W))

    assert fakes.parcels.docs[W]["cancelled_at"] == NOON
    found = fakes.decisions(W)
    assert {k: found[k] for k in BOOKED} == dict.fromkeys(BOOKED, ("suppressed", "cancelled"))
    assert found["cancelled:recipient:email:"] == ("queued", "")
    assert fakes.reasons() == dict.fromkeys(BOOKED, R.SUPPRESSION_REASON_CANCELLED)


def endpoint(
    key: str, partner: str = "acme", types: frozenset[EventType] = frozenset(), on: bool = True
) -> Document:
    doc = endpoint_doc(
        partner, "https://x.example/h", WebhookSecret.generate(), NOON, event_types=types
    )
    return doc | {
        "_id": key,
        "status": (EndpointStatus.ENABLED if on else EndpointStatus.DISABLED).value,
    }


def with_endpoints(fakes: Fakes) -> None:
    docs = [
        endpoint("ep_all"),
        endpoint("ep_status", types=frozenset({EventType.STATUS_CHANGED})),
        endpoint("ep_off", on=False),
        endpoint("ep_globex", partner="globex"),
    ]
    fakes.endpoints.docs = {doc["_id"]: doc for doc in docs}


async def test_webhooks_go_to_the_partners_enabled_endpoints_subscribed_to_the_type_once(
    fakes: Fakes,
) -> None:
    with_endpoints(fakes)
    (booked,) = await fakes.handle(order(W))
    assert list(fakes.deliveries.docs) == [f"{booked.id}:ep_all"]
    delivery = fakes.deliveries.docs[f"{booked.id}:ep_all"]
    assert (delivery["webhook_id"], delivery["type"], delivery["status"], delivery["due_at"]) == (
        f"msg_{booked.id}",
        "order.created",
        "queued",
        NOON,
    )
    body = json.loads(delivery["body"])
    assert (body["type"], body["data"]["waybill"], body["data"]["partner_order_id"]) == (
        "order.created",
        W,
        "PO-076",
    )

    (moved,) = await fakes.handle(status(W, S.SHIPMENT_STATUS_IN_TRANSIT))
    made = sorted(key for key in fakes.deliveries.docs if key.startswith(moved.id))
    assert made == [f"{moved.id}:ep_all", f"{moved.id}:ep_status"]
    await handlers.on_events(fakes.svc, [moved])  # the same event read again
    assert len(fakes.deliveries.docs) == 3
    assert fakes.decided("webhook", "send", "") == 3  # counted once, as made
    assert set(fakes.decisions(W)) == set(BOOKED)  # in transit: for partners only


async def test_a_partner_event_before_its_order_is_delivered_after_the_orders_own(
    fakes: Fakes,
) -> None:
    with_endpoints(fakes)
    (moved,) = await fakes.handle(status(W, S.SHIPMENT_STATUS_IN_TRANSIT))
    assert (fakes.deliveries.docs, list(fakes.early.docs)) == ({}, [moved.id])

    (booked,) = await fakes.handle(order(W))
    assert sorted(fakes.deliveries.docs) == sorted(
        [f"{booked.id}:ep_all", f"{moved.id}:ep_all", f"{moved.id}:ep_status"]
    )
    assert fakes.deliveries.docs[f"{moved.id}:ep_status"]["type"] == "shipment.status_changed"
    assert fakes.early.docs == {}
