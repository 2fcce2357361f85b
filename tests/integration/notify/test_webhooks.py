"""Partner webhooks to a local receiver that checks signatures the way the Standard Webhooks
spec says (its own HMAC code, not the service's), answers as told, fails, stalls and
recovers."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web

from fairwind.v1 import common_pb2
from services.notify import handlers
from services.notify.bootstrap import NotifyApp
from services.notify.channels.webhook import WebhookPoster
from services.notify.domain.partners import EventType
from services.notify.domain.webhooks import WebhookSecret
from services.notify.store.endpoints import endpoint_doc
from services.notify.webhooks.dispatch import Dispatcher
from tests.integration.notify.conftest import as_event, http_server, order, records, status

pytestmark = pytest.mark.integration
W = "FW000000000092"


def spec_verify(secret: str, headers: Any, body: bytes) -> bool:
    """The receiver's side, from the spec: strip ``whsec_``, base64-decode the key, HMAC-SHA256
    over ``id.timestamp.body``, compare with each ``v1,`` signature; 5 minutes' tolerance."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    msg_id, stamp = headers["webhook-id"], headers["webhook-timestamp"]
    if abs(time.time() - int(stamp)) > 300:
        return False
    mac = hmac.new(key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
    expected = base64.b64encode(mac).decode()
    offered = [s.split(",", 1)[1] for s in headers["webhook-signature"].split() if "," in s]
    return any(hmac.compare_digest(expected, s) for s in offered)


@dataclass
class Receiver:
    """Answers each path with the statuses it is given in turn (the last one for ever);
    ``hold`` keeps a path's answers back until released."""

    secrets: dict[str, str] = field(default_factory=dict)  # path → the secret it verifies with
    answers: dict[str, list[int]] = field(default_factory=dict)
    held: dict[str, asyncio.Event] = field(default_factory=dict)
    got: dict[str, list[tuple[dict[str, str], bytes]]] = field(default_factory=dict)
    retry_after: str | None = None

    async def handle(self, request: web.Request) -> web.Response:
        path = request.path
        body = await request.read()
        if path in self.held:
            await self.held[path].wait()
        if not spec_verify(self.secrets[path], request.headers, body):
            return web.Response(status=400, text="bad signature")
        self.got.setdefault(path, []).append((dict(request.headers), body))
        queue = self.answers.get(path, [204])
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        headers = {"Retry-After": self.retry_after} if self.retry_after and answer == 429 else {}
        return web.Response(status=answer, headers=headers)

    def bodies(self, path: str) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.got.get(path, [])]


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    found = Receiver()
    app = web.Application()
    app.router.add_post("/{tail:.*}", found.handle)
    async with http_server(app) as url:
        try:
            yield found, url
        finally:
            for event in found.held.values():
                event.set()


@pytest.fixture
async def dispatcher(notify: NotifyApp) -> AsyncIterator[Dispatcher]:
    # Sees new endpoints at once.
    settings = notify.service.settings.model_copy(update={"webhook_refresh_s": 0.001})
    found = Dispatcher(replace(notify.service, settings=settings), WebhookPoster(timeout_s=1.0))
    try:
        yield found
    finally:
        await found.close(within_s=1.0)


async def endpoint(
    notify: NotifyApp,
    receiver: tuple[Receiver, str],
    path: str,
    types: tuple[EventType, ...] = (),
    **limits: Any,
) -> str:
    handler, base = receiver
    secret = WebhookSecret.generate()
    handler.secrets[path] = str(secret)
    now = notify.service.clock.now()
    doc = endpoint_doc("acme", base + path, secret, now, event_types=types, **limits)
    await notify.service.store.endpoints.insert(doc)
    return str(doc["_id"])


async def pump(dispatcher: Dispatcher, done: Callable[[], bool], rounds: int = 200) -> None:
    """Claim, let the lanes send and record, until ``done`` (or give up)."""
    for _ in range(rounds):
        await dispatcher.round()
        await asyncio.sleep(0.01)
        await dispatcher.flush()
        if done():
            return


async def booked_and_picked_up(notify: NotifyApp) -> None:
    created = order(W)
    created.order.partner_order_id = "PO-7731"
    picked = status(W, common_pb2.SHIPMENT_STATUS_PICKED_UP)
    picked.from_status = common_pb2.SHIPMENT_STATUS_PICKUP_DISPATCHED
    await handlers.on_events(
        notify.service, [as_event(notify, created, W), as_event(notify, picked, W)]
    )


async def test_a_partners_endpoint_gets_each_status_change_signed_as_the_spec_says(
    notify: NotifyApp, receiver: tuple[Receiver, str], dispatcher: Dispatcher
) -> None:
    handler, _ = receiver
    key = await endpoint(notify, receiver, "/hooks")
    await booked_and_picked_up(notify)
    await pump(dispatcher, lambda: len(handler.got.get("/hooks", [])) == 2)
    bodies = sorted(handler.bodies("/hooks"), key=lambda b: b["type"])
    assert [b["type"] for b in bodies] == ["order.created", "shipment.status_changed"]
    changed = bodies[1]["data"]
    assert changed["waybill"] == W
    assert changed["partner_order_id"] == "PO-7731"
    assert (changed["previous_status"], changed["status"]) == ("pickup_dispatched", "picked_up")
    assert all(h["webhook-id"].startswith("msg_") for h, _ in handler.got["/hooks"])
    await pump(dispatcher, lambda: False, rounds=3)
    sent = await records(notify, "NotificationSent")
    webhooks = [s for s in sent if s.channel == common_pb2.CHANNEL_WEBHOOK]
    assert len(webhooks) == 2
    assert {s.recipient for s in webhooks} == {"127.0.0.1"}
    assert {s.http_status for s in webhooks} == {204}
    log = await notify.service.store.attempts.of_endpoint(key, limit=10)
    assert [a["outcome"] for a in log] == ["delivered", "delivered"]


async def test_an_endpoint_gets_only_the_types_it_subscribed_to(
    notify: NotifyApp, receiver: tuple[Receiver, str], dispatcher: Dispatcher
) -> None:
    handler, _ = receiver
    await endpoint(notify, receiver, "/status-only", (EventType.STATUS_CHANGED,))
    await booked_and_picked_up(notify)
    await pump(dispatcher, lambda: len(handler.got.get("/status-only", [])) == 1)
    await pump(dispatcher, lambda: False, rounds=5)
    assert [b["type"] for b in handler.bodies("/status-only")] == ["shipment.status_changed"]


async def test_a_failing_endpoint_is_retried_with_the_same_id_until_it_recovers(
    notify: NotifyApp, receiver: tuple[Receiver, str], dispatcher: Dispatcher
) -> None:
    handler, _ = receiver
    handler.answers["/flaky"] = [503, 500, 200]
    key = await endpoint(notify, receiver, "/flaky", (EventType.ORDER_CREATED,))
    await handlers.on_events(notify.service, [as_event(notify, order(W), W)])
    clock = notify.service.clock
    for _ in range(3):
        await pump(dispatcher, lambda: False, rounds=5)
        clock.at += timedelta(hours=1)  # type: ignore[attr-defined]
    ids = {headers["webhook-id"] for headers, _ in handler.got["/flaky"]}
    assert len(handler.got["/flaky"]) == 3
    assert len(ids) == 1
    log = await notify.service.store.attempts.of_endpoint(key, limit=10)
    assert [a["status"] for a in reversed(log)] == [503, 500, 200]
    [doc] = await notify.service.store.deliveries.of_waybill(W)
    assert doc["status"] == "delivered"
    failed = await records(notify, "NotificationFailed")
    assert [f.will_retry for f in failed] == [True, True]


async def test_a_refusal_is_not_retried_and_429_waits_as_asked(
    notify: NotifyApp, receiver: tuple[Receiver, str], dispatcher: Dispatcher
) -> None:
    handler, _ = receiver
    handler.answers["/gone"] = [410]
    handler.answers["/busy"] = [429]
    handler.retry_after = "900"
    await endpoint(notify, receiver, "/gone", (EventType.ORDER_CREATED,))
    await endpoint(notify, receiver, "/busy", (EventType.ORDER_CREATED,))
    start = notify.service.clock.now()
    await handlers.on_events(notify.service, [as_event(notify, order(W), W)])
    await pump(dispatcher, lambda: len(handler.got) == 2)
    await pump(dispatcher, lambda: False, rounds=5)
    by_path = {d["endpoint_id"]: d for d in await notify.service.store.deliveries.of_waybill(W)}
    statuses = sorted((d["status"], d["last_status"]) for d in by_path.values())
    assert statuses == [("failed", 410), ("queued", 429)]
    [busy] = [d for d in by_path.values() if d["status"] == "queued"]
    assert busy["due_at"] >= start + timedelta(seconds=900)


async def test_a_slow_partner_never_holds_up_another(
    notify: NotifyApp, receiver: tuple[Receiver, str], dispatcher: Dispatcher
) -> None:
    handler, _ = receiver
    handler.held["/slow"] = asyncio.Event()  # answers nothing until released
    await endpoint(notify, receiver, "/slow", max_in_flight=2)
    await endpoint(notify, receiver, "/fast", max_in_flight=2)
    events = []
    for n in range(6):
        waybill = f"FW0000000001{n:02d}"
        events.append(as_event(notify, order(waybill), waybill))
    await handlers.on_events(notify.service, events)
    await pump(dispatcher, lambda: len(handler.got.get("/fast", [])) == 6)
    assert len(handler.got.get("/fast", [])) == 6  # all six, while the slow one answers none
    assert "/slow" not in handler.got
    handler.held["/slow"].set()
    await pump(dispatcher, lambda: len(handler.got.get("/slow", [])) == 6)
    assert len(handler.got["/slow"]) == 6


async def test_an_endpoint_failing_for_a_day_is_disabled_and_its_deliveries_wait(
    notify: NotifyApp, receiver: tuple[Receiver, str], dispatcher: Dispatcher
) -> None:
    handler, _ = receiver
    handler.answers["/down"] = [503]
    key = await endpoint(
        notify, receiver, "/down", (EventType.ORDER_CREATED,), alert=("ops@acme.example", "en")
    )
    clock = notify.service.clock
    waybill = W
    for hour in range(26):
        if hour % 12 == 0:  # new deliveries keep coming while it is down
            waybill = f"FW00000000{200 + hour:04d}"
            await handlers.on_events(notify.service, [as_event(notify, order(waybill), waybill)])
        await pump(dispatcher, lambda: False, rounds=2)
        clock.at += timedelta(hours=1)  # type: ignore[attr-defined]
    doc = await notify.service.store.endpoints.get(key)
    assert doc is not None
    assert doc["status"] == "disabled"
    [told] = await records(notify, "WebhookEndpointDisabled")
    assert told.endpoint_id == key
    assert told.last_error == "HTTP 503"
    seen = len(handler.got["/down"])
    await pump(dispatcher, lambda: False, rounds=5)
    assert len(handler.got["/down"]) == seen  # nothing more is sent to it
    waiting = await notify.service.store.deliveries.of_waybill(waybill)
    assert [d["status"] for d in waiting] == ["queued"]
    # the partner's on-call is told by e-mail, in the language it chose
    (mail,) = [
        m for m in await notify.service.store.messages.of_parcel("") if m["audience"] == "partner"
    ]
    assert (mail["moment"], mail["address"], mail["status"]) == (
        "webhook_disabled",
        "ops@acme.example",
        "queued",
    )
    assert (mail["person"]["language"], mail["context"]["host"]) == ("en", "127.0.0.1")
    assert mail["context"]["last_error"] == "HTTP 503"


async def test_during_a_rotation_both_secrets_sign(
    notify: NotifyApp, receiver: tuple[Receiver, str], dispatcher: Dispatcher
) -> None:
    handler, _ = receiver
    key = await endpoint(notify, receiver, "/rotating", (EventType.ORDER_CREATED,))
    old = handler.secrets["/rotating"]
    new = WebhookSecret.generate()
    now = notify.service.clock.now()
    await notify.service.store.endpoints.rotate(key, "acme", new, now + timedelta(hours=24), now)
    handler.secrets["/rotating"] = str(new)
    await handlers.on_events(notify.service, [as_event(notify, order(W), W)])
    await pump(dispatcher, lambda: len(handler.got.get("/rotating", [])) == 1)
    [(headers, body)] = handler.got["/rotating"]
    assert len(headers["webhook-signature"].split()) == 2
    assert spec_verify(old, headers, body)  # a receiver not yet switched still verifies


async def test_a_partner_that_never_answers_is_tried_again(
    notify: NotifyApp, receiver: tuple[Receiver, str], dispatcher: Dispatcher
) -> None:
    handler, _ = receiver
    handler.held["/stuck"] = asyncio.Event()
    await endpoint(notify, receiver, "/stuck", (EventType.ORDER_CREATED,))
    await handlers.on_events(notify.service, [as_event(notify, order(W), W)])
    await pump(dispatcher, lambda: bool(dispatcher_errors_seen(notify)), rounds=300)
    [doc] = await notify.service.store.deliveries.of_waybill(W)
    assert doc["status"] == "queued"
    assert doc["last_error"] == "timeout"
    assert doc["last_status"] is None


def dispatcher_errors_seen(notify: NotifyApp) -> float:
    counter = notify.service.metrics.webhook_attempts
    return sum(
        sample.value
        for metric in counter.collect()
        for sample in metric.samples
        if sample.name.endswith("_total") and sample.labels["outcome"] == "retry"
    )
