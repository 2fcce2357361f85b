"""Notify's decisions on the real mongod and broker: an order is kept, each moment becomes
its messages (queued, deferred or suppressed with the reason), every suppression is
published, the same moment twice is one message."""

from __future__ import annotations

import asyncio
import json
import os
import sys

import pytest

from fairwind.v1 import common_pb2, notifications_pb2, orders_pb2
from services.notify import handlers
from services.notify.bootstrap import NotifyApp
from services.notify.consumer import event_consumer
from tests.integration.notify.conftest import NIGHT, as_event, decisions, order, status, suppressed

pytestmark = pytest.mark.integration
W = "FW000000000076"
R = notifications_pb2


async def test_a_booking_queues_mail_and_sms_and_the_sender_without_a_phone_is_told_by_mail(
    notify: NotifyApp,
) -> None:
    await handlers.on_events(notify.service, [as_event(notify, order(W), W)])
    assert await decisions(notify, W) == {
        "booked:sender:email:": ("queued", ""),
        "booked:recipient:email:": ("queued", ""),
        "booked:recipient:sms:": ("queued", ""),
    }
    parcels = await notify.service.store.parcels.many([W])
    assert parcels[W].people["recipient"].phone == "+8613912345678"  # type: ignore[index]


async def test_an_sms_at_night_waits_and_a_missing_address_is_suppressed_and_published(
    notify: NotifyApp,
) -> None:
    await handlers.on_events(notify.service, [as_event(notify, order(W, email=""), W)])
    notify.service.clock.at = NIGHT  # type: ignore[attr-defined]
    out = as_event(notify, status(W, common_pb2.SHIPMENT_STATUS_OUT_FOR_DELIVERY), W)
    await handlers.on_events(notify.service, [out])
    found = await decisions(notify, W)
    occurrence = out.message.occurred_at.ToJsonString()
    assert found[f"out_for_delivery:recipient:sms:{occurrence}"] == ("deferred", "quiet_hours")
    assert found[f"out_for_delivery:recipient:email:{occurrence}"] == ("suppressed", "no_contact")
    assert found["booked:recipient:email:"] == ("suppressed", "no_contact")
    reasons = await suppressed(notify)
    assert reasons == [
        ("booked:recipient:email:", R.SUPPRESSION_REASON_NO_CONTACT),
        (f"out_for_delivery:recipient:email:{occurrence}", R.SUPPRESSION_REASON_NO_CONTACT),
    ]
    docs = await notify.service.store.messages.of_parcel(W)
    deferred = next(d for d in docs if d["status"] == "deferred")
    assert deferred["due_at"].hour == 0  # 08:00 in Shanghai is midnight UTC


async def test_the_same_moment_twice_is_one_message_and_a_duplicate_is_published(
    notify: NotifyApp,
) -> None:
    await handlers.on_events(notify.service, [as_event(notify, order(W), W)])
    delivered = status(W, common_pb2.SHIPMENT_STATUS_DELIVERED)
    await handlers.on_events(notify.service, [as_event(notify, delivered, W)])
    await handlers.on_events(notify.service, [as_event(notify, delivered, W)])  # a second scan
    found = await decisions(notify, W)
    assert found["delivered:recipient:sms:"] == ("queued", "")
    assert sum(key.startswith("delivered:") for key in found) == 3  # sender mail, recipient x2
    duplicates = [
        k for k, reason in await suppressed(notify) if reason == R.SUPPRESSION_REASON_DUPLICATE
    ]
    again = [k for k in found if k.startswith(("delivered:", "survey:"))]  # and its survey
    assert sorted(duplicates) == sorted(again)


async def test_after_a_cancellation_only_the_cancellation_is_told(notify: NotifyApp) -> None:
    await handlers.on_events(notify.service, [as_event(notify, order(W), W)])
    cancel = orders_pb2.OrderCancelled(waybill=W)
    await handlers.on_events(notify.service, [as_event(notify, cancel, W)])
    late = status(W, common_pb2.SHIPMENT_STATUS_PICKED_UP)
    await handlers.on_events(notify.service, [as_event(notify, late, W)])
    found = await decisions(notify, W)
    assert found["cancelled:sender:email:"] == ("queued", "")
    assert found["picked_up:sender:email:"] == ("suppressed", "cancelled")


async def test_a_cancellation_withdraws_what_was_still_waiting_to_be_sent(
    notify: NotifyApp,
) -> None:
    """An SMS held by quiet hours is not sent after the parcel is cancelled: it is
    suppressed (and published) with the reason, and the cancellation itself is told."""
    await handlers.on_events(notify.service, [as_event(notify, order(W), W)])
    notify.service.clock.at = NIGHT  # type: ignore[attr-defined]
    out = as_event(notify, status(W, common_pb2.SHIPMENT_STATUS_OUT_FOR_DELIVERY), W)
    await handlers.on_events(notify.service, [out])
    held = f"out_for_delivery:recipient:sms:{out.message.occurred_at.ToJsonString()}"
    assert (await decisions(notify, W))[held] == ("deferred", "quiet_hours")

    cancel = orders_pb2.OrderCancelled(waybill=W)
    await handlers.on_events(notify.service, [as_event(notify, cancel, W)])

    found = await decisions(notify, W)
    assert found[held] == ("suppressed", "cancelled")
    assert found["cancelled:recipient:email:"] == ("queued", "")
    assert (held, R.SUPPRESSION_REASON_CANCELLED) in await suppressed(notify)


async def test_an_event_read_before_its_order_waits_for_it(notify: NotifyApp) -> None:
    delivered = status(W, common_pb2.SHIPMENT_STATUS_DELIVERED)
    await handlers.on_events(notify.service, [as_event(notify, delivered, W)])
    assert await decisions(notify, W) == {}
    early = notify.service.store.early
    assert [doc["waybill"] for doc in await early.of([W])] == [W]
    await handlers.on_events(notify.service, [as_event(notify, order(W), W)])
    found = await decisions(notify, W)
    assert found["booked:recipient:sms:"] == ("queued", "")
    assert found["delivered:recipient:sms:"] == ("queued", "")
    assert await early.of([W]) == []


async def test_an_event_parked_while_another_process_stored_its_order_is_planned_by_the_sweep(
    notify: NotifyApp,
) -> None:
    """The order's batch read the early events before this one was parked (another
    process, another collection: neither transaction saw the other). The sweep plans it."""
    other = "FW000000000077"
    await handlers.on_events(notify.service, [as_event(notify, order(W), W)])
    early = notify.service.store.early
    out = as_event(notify, status(W, common_pb2.SHIPMENT_STATUS_OUT_FOR_DELIVERY), W)
    raced = {
        "_id": out.id,
        "waybill": W,
        "ce_type": out.type,
        "value": out.message.SerializeToString(),
        "parked_at": notify.service.clock.now(),
    }
    waiting = status(other, common_pb2.SHIPMENT_STATUS_PICKED_UP)  # its order never came
    await handlers.on_events(notify.service, [as_event(notify, waiting, other)])
    async with notify.service.uow() as uow:  # as the racing process parked it
        await uow.early.park([raced])

    assert await handlers.replay_waiting(notify.service) == 1

    occurrence = out.message.occurred_at.ToJsonString()
    assert (await decisions(notify, W))[f"out_for_delivery:recipient:sms:{occurrence}"] == (
        "queued",
        "",
    )
    assert await early.of([W]) == []
    assert [doc["waybill"] for doc in await early.of([other])] == [other]  # still waits
    assert await handlers.replay_waiting(notify.service) == 0


async def test_a_cancellation_read_before_its_order_cancels_it_when_it_comes(
    notify: NotifyApp,
) -> None:
    cancel = orders_pb2.OrderCancelled(waybill=W)
    await handlers.on_events(notify.service, [as_event(notify, cancel, W)])
    await handlers.on_events(notify.service, [as_event(notify, order(W), W)])
    assert (await notify.service.store.parcels.many([W]))[W].cancelled
    late = status(W, common_pb2.SHIPMENT_STATUS_PICKED_UP)
    await handlers.on_events(notify.service, [as_event(notify, late, W)])
    found = await decisions(notify, W)
    assert found["cancelled:sender:email:"] == ("queued", "")
    assert found["picked_up:sender:email:"] == ("suppressed", "cancelled")


async def test_the_consumer_takes_the_events_from_the_broker(notify: NotifyApp) -> None:
    publisher = notify.platform.publisher
    await publisher.publish(order(W), W)
    await publisher.publish(status(W, common_pb2.SHIPMENT_STATUS_PICKED_UP), W)
    consumer = event_consumer(notify.platform, notify.service)
    task = asyncio.create_task(consumer.run())
    found: dict[str, tuple[str, str]] = {}

    async def poll() -> None:
        found.update(await decisions(notify, W))

    try:
        for _ in range(600):  # until both are handled (the test fails below if never)
            await poll()
            if "picked_up:sender:email:" in found:
                break
            await asyncio.sleep(0.05)
    finally:
        consumer.stop()
        await task
    assert found["booked:sender:email:"] == ("queued", "")
    assert found["picked_up:sender:email:"] == ("queued", "")


async def test_the_messages_command_lists_a_parcels_messages(notify: NotifyApp) -> None:
    await handlers.on_events(notify.service, [as_event(notify, order(W), W)])
    settings = notify.platform.settings
    env = os.environ | {
        "FAIRWIND_MONGO_URL": settings.mongo_url,
        "FAIRWIND_MONGO_DB": notify.platform.db.name,
    }
    command = [sys.executable, "-m", "services.notify", "messages"]
    shown = await asyncio.create_subprocess_exec(
        *command, W, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, _ = await shown.communicate()
    rows = [json.loads(line) for line in out.decode().splitlines()]
    assert shown.returncode == 0
    assert sorted(r["_id"] for r in rows) == sorted(f"{W}:{k}" for k in await decisions(notify, W))
    assert all("address" not in r for r in rows)  # no addresses on the operator's screen
    unknown = await asyncio.create_subprocess_exec(
        *command, "FW000000000999", env=env, stderr=asyncio.subprocess.PIPE
    )
    _, err = await unknown.communicate()
    assert (unknown.returncode, b"no messages" in err) == (1, True)
