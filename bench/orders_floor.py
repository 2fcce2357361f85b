"""The ceilings of ``bench.orders``, measured in the same run as its figures: MongoDB
transactions that insert an order and its outbox record, raw ``insert_many`` of order
documents, and the storage floor of an import (what one batch must write, in one
transaction per 1,000), with documents built by the service's own functions."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from bench.helpers import LoadResult
from bench.summary import scaled
from fairwind.events.codec import EncodedEvent, EventCodec
from fairwind.events.contracts import platform_catalog
from fairwind.mongo.client import create_client, in_transaction
from fairwind.mongo.outbox import Outbox
from fairwind.settings import ServiceSettings
from fairwind.v1 import orders_pb2, routes_pb2
from services.orders import convert
from services.orders.intake import Terms, order_document
from services.orders.keys import Partner
from services.orders.schemas import OrderIn
from services.orders.store import OrdersStore
from services.orders.views import order_view
from tests.integration.orders.conftest import ORDER
from tests.integration.orders.fakes import FakeRouting

SECONDS = scaled(10.0, 2.0)
CONCURRENCY = 64
BATCHES, BATCH_SIZE = int(scaled(10, 4)), 1000


async def mongo_ceiling(settings: ServiceSettings) -> LoadResult:
    """Transactions writing an order-sized document and its outbox record."""
    client = create_client(settings)
    db = client[f"bench_ceiling_{uuid.uuid4().hex[:6]}"]
    outbox = Outbox(db)
    codec = EventCodec(platform_catalog(), "bench")
    latencies: list[float] = []
    deadline = time.perf_counter() + SECONDS / 2

    async def writer(worker: int) -> None:
        n = 0
        while time.perf_counter() < deadline:
            n += 1
            waybill = f"W{worker}-{n}"
            event = codec.encode(orders_pb2.OrderCreated(), waybill)

            async def work(session: Any, w: str = waybill, e: Any = event) -> None:
                await db["orders"].insert_one({"_id": w, "request": ORDER}, session=session)
                await outbox.add([e], session)

            started = time.perf_counter()
            await in_transaction(client, work)
            latencies.append(time.perf_counter() - started)

    begin = time.perf_counter()
    await asyncio.gather(*(writer(i) for i in range(CONCURRENCY)))
    elapsed = time.perf_counter() - begin
    await client.drop_database(db.name)
    await client.close()
    return LoadResult(len(latencies), 0, elapsed, latencies)


async def bulk_ceiling(settings: ServiceSettings) -> LoadResult:
    """What MongoDB itself takes: order-sized documents by insert_many, no transaction."""
    client = create_client(settings)
    db = client[f"bench_bulk_{uuid.uuid4().hex[:6]}"]
    latencies: list[float] = []
    count = BATCHES * BATCH_SIZE
    begin = time.perf_counter()
    for start in range(0, count, BATCH_SIZE):
        docs = [{"_id": f"B{n}", "request": ORDER} for n in range(start, start + BATCH_SIZE)]
        started = time.perf_counter()
        await db["orders"].insert_many(docs, ordered=False)
        latencies.append(time.perf_counter() - started)
    elapsed = time.perf_counter() - begin
    await client.drop_database(db.name)
    await client.close()
    return LoadResult(count, 0, elapsed, latencies)


class ImportChunk(NamedTuple):
    """What one batch of ``BATCH_SIZE`` orders stores: the orders, their OrderCreated
    events and the batch's idempotency record (the answer, for replays)."""

    orders: list[dict[str, Any]]
    events: list[EncodedEvent]
    record: dict[str, Any]


def import_chunks(codec: EventCodec, run: str, batches: int) -> list[ImportChunk]:
    """Documents shaped as the import stores them (built by the service's own functions),
    built before the clock starts: no validation, no routing, no HTTP."""
    request = OrderIn.model_validate(ORDER)
    partner = Partner("bench", "bench-customer", frozenset())
    quote = FakeRouting.price(
        routes_pb2.QuoteRequest(
            parcels=[convert.parcel(p) for p in request.parcels],
            service_level=convert.SERVICE_LEVELS[request.service_level],
        )
    )
    terms = Terms(quote, [], "Q3")
    now = datetime.now(UTC)
    stamp = convert.timestamp(now)
    chunks = []
    for b in range(batches):
        docs, created = [], []
        for i in range(BATCH_SIZE):
            doc = order_document(request, partner, f"SF{run}{b:03d}{i:05d}", terms, now)
            doc["partner_order_id"] = f"{run}-{b}-{i}"
            docs.append(doc)
            created.append(convert.created_event(request))
            convert.complete_message(created[-1].order, doc, quote, stamp)
        events = codec.encode_many((c, d["_id"]) for c, d in zip(created, docs, strict=True))
        results = [
            {"index": i, "status": 201, "order": order_view(d, "https://t/")}
            for i, d in enumerate(docs)
        ]
        record = {
            "_id": {"p": partner.id, "k": f"{run}-{b}"},
            "hash": "0" * 64,
            "status": 200,
            "body": {"accepted": len(docs), "rejected": 0, "results": results},
            "created_at": now,
        }
        chunks.append(ImportChunk(docs, events, record))
    return chunks


async def storage_floor(settings: ServiceSettings, batches: int) -> LoadResult:
    """The storage floor of an import: per chunk of 1,000, one transaction with the
    idempotency record, the orders (insert_many) and their outbox records (insert_many),
    into collections with the service's indexes."""
    client = create_client(settings)
    db = client[f"bench_floor_{uuid.uuid4().hex[:6]}"]
    outbox = Outbox(db)
    await OrdersStore(db).create_indexes(timedelta(hours=1))
    await outbox.create_indexes()
    chunks = import_chunks(EventCodec(platform_catalog(), "bench"), uuid.uuid4().hex[:6], batches)
    latencies: list[float] = []
    begin = time.perf_counter()
    for chunk in chunks:

        async def work(session: Any, c: ImportChunk = chunk) -> None:
            await db["idempotency"].insert_one(c.record, session=session)
            await db["orders"].insert_many(c.orders, session=session)
            await outbox.add(c.events, session)

        started = time.perf_counter()
        await in_transaction(client, work)
        latencies.append(time.perf_counter() - started)
    elapsed = time.perf_counter() - begin
    await client.drop_database(db.name)
    await client.close()
    return LoadResult(batches * BATCH_SIZE, 0, elapsed, latencies)


def combined(*results: LoadResult) -> LoadResult:
    return LoadResult(
        sum(r.ok for r in results),
        sum(r.failed for r in results),
        sum(r.seconds for r in results),
        [latency for r in results for latency in r.latencies_s],
    )
