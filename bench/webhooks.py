"""Webhook deliveries per second: 100 partners' endpoints on one local receiver, one of
them slow (each answer takes a second), the dispatcher on the real MongoDB.

Three figures from the same run:
- the dispatcher's rate to the 99 fast endpoints while the slow one has its own backlog
  (the target: at least 2,000/s);
- the same without the slow endpoint: the slow one must not lower the others' rate;
- the ceiling: the same signed POSTs to the same receiver with the same concurrency, no
  queue, no records (what the receiver and the HTTP client allow).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from bench.helpers import Service
from bench.infra import bench_settings, machine
from bench.summary import Figure, record, scaled
from services.notify.bootstrap import NotifyApp, bootstrap
from services.notify.channels.webhook import WebhookPoster
from services.notify.domain.partners import EventType, PartnerEvent
from services.notify.domain.planning import Parcel
from services.notify.domain.webhooks import WebhookSecret, signed_headers
from services.notify.settings import NotifySettings
from services.notify.store import endpoint_of
from services.notify.store.endpoints import endpoint_doc
from services.notify.webhooks.dispatch import Dispatcher
from services.notify.webhooks.planning import deliveries

ENDPOINTS = 100
PER_ENDPOINT = int(scaled(100, 20))
IN_FLIGHT = 8
RATE = 200.0  # per endpoint per second: the limit is not what is measured
SLOW_S = 1.0


async def prepare(app: NotifyApp, base: str, slow: bool) -> list[dict[str, Any]]:
    """The endpoints (the first one slow, if ``slow``) and their queued deliveries."""
    store = app.service.store
    await store.endpoints.collection.delete_many({})
    await store.deliveries.collection.delete_many({})
    now = app.service.clock.now()
    docs = []
    for n in range(ENDPOINTS if slow else ENDPOINTS - 1):
        path = f"/slow/{n}" if slow and n == 0 else f"/fast/{n}"
        doc = endpoint_doc(
            f"partner-{n}",
            base + path,
            WebhookSecret.generate(),
            now,
            rate_per_s=RATE,
            max_in_flight=IN_FLIGHT,
        )
        await store.endpoints.insert(doc)
        docs.append(doc)
    made = []
    for doc in docs:
        endpoint = endpoint_of(doc, now)
        parcel = Parcel("FW0", {}, partner_id=endpoint.partner_id, partner_order_id="PO-1")
        for i in range(PER_ENDPOINT):
            event = PartnerEvent(
                EventType.STATUS_CHANGED, f"FW{i:012d}", now, {"status": "in_transit"}
            )
            made += deliveries(event, parcel, [endpoint], (uuid.uuid4().hex, "bench"), now)
    await store.deliveries.collection.insert_many(made)
    return docs


async def dispatch(app: NotifyApp, base: str, slow: bool) -> tuple[float, int]:
    """Deliveries per second to the fast endpoints, until all of theirs are delivered."""
    endpoints = await prepare(app, base, slow)
    fast = {"$in": [doc["_id"] for doc in endpoints if "/fast/" in doc["url"]]}
    dispatcher = Dispatcher(app.service, WebhookPoster(timeout_s=10))
    fast_total = (ENDPOINTS - 1) * PER_ENDPOINT
    collection = app.service.store.deliveries.collection
    started = time.perf_counter()
    fast_done, counted = 0, started
    while fast_done < fast_total:
        await dispatcher.round()
        await asyncio.sleep(0.005)
        await dispatcher.flush()
        if time.perf_counter() - counted > 0.2:
            counted = time.perf_counter()
            fast_done = await collection.count_documents(
                {"status": "delivered", "endpoint_id": fast}
            )
    elapsed = time.perf_counter() - started
    slow_done = await collection.count_documents({"status": "delivered"}) - fast_done
    await dispatcher.close(within_s=SLOW_S + 1)
    return fast_done / elapsed, slow_done


async def ceiling(base: str) -> float:
    """The same signed POSTs, 99 endpoints, ``IN_FLIGHT`` at once each, nothing recorded."""
    poster = WebhookPoster(timeout_s=10)
    secret = WebhookSecret.generate()
    body = PartnerEvent(EventType.STATUS_CHANGED, "FW1", datetime.now(UTC), {}).body("PO-1")

    async def lane(n: int) -> None:
        for _ in range(PER_ENDPOINT // IN_FLIGHT):
            headers = signed_headers([secret], f"msg_{uuid.uuid4().hex}", int(time.time()), body)
            await poster.post(f"{base}/fast/{n}", headers, body)

    started = time.perf_counter()
    await asyncio.gather(*(lane(n) for n in range(ENDPOINTS - 1) for _ in range(IN_FLIGHT)))
    elapsed = time.perf_counter() - started
    await poster.close()
    return (ENDPOINTS - 1) * (PER_ENDPOINT // IN_FLIGHT) * IN_FLIGHT / elapsed


async def main() -> None:
    print(f"\n== webhooks: {ENDPOINTS} endpoints, one slow ({SLOW_S:g} s an answer); {machine()}")
    with bench_settings("bench-webhooks") as base:
        settings = NotifySettings(
            kafka_bootstrap=base.kafka_bootstrap,
            mongo_url=base.mongo_url,
            broker_profile=base.broker_profile,
            message_link_secret=SecretStr("bench"),
            mongo_db=f"bench_webhooks_{uuid.uuid4().hex[:6]}",
        )
        receiver = Service(["-m", "bench.webhook_receiver"], {})
        receiver.argv = [*receiver.argv, str(receiver.port), str(SLOW_S)]
        receiver.start()
        url = f"http://127.0.0.1:{receiver.port}"
        app = await bootstrap(settings, registry=CollectorRegistry())
        try:
            top = await ceiling(url)
            with_slow, slow_done = await dispatch(app, url, slow=True)
            without = await dispatch(app, url, slow=False)
        finally:
            await app.close()
            receiver.stop()
    print(f"  ceiling (signed POSTs, no queue):      {top:8,.0f} /s")
    print(
        f"  dispatcher, 99 fast + 1 slow:          {with_slow:8,.0f} /s to the fast ones "
        f"(the slow one got {slow_done} meanwhile); ratio to ceiling {with_slow / top:.2f}"
    )
    print(
        f"  dispatcher, 99 fast alone:             {without[0]:8,.0f} /s; with the slow one "
        f"{with_slow / without[0]:.2f} of that"
    )
    record(
        Figure(
            "webhooks",
            "deliveries/s to 99 endpoints beside a slow one",
            with_slow,
            "/s",
            "≥ 2,000/s",
            "signed POSTs alone",
            top,
        )
    )
    record(
        Figure(
            "webhooks",
            "the same, slow endpoint absent",
            without[0],
            "/s",
            "with slow ≈ without",
            "with the slow one",
            with_slow,
        )
    )
