"""The crm benchmark measures what it says (bench/crm.py, bench/crm_callers.py), small, on
the real broker and mongod: the seeded archive ranks, the ceilings leave the measured data
alone, the folded stream counts every distinct order once, and the callers it sends
are found."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import grpc
import pytest
from bson import ObjectId

from bench import crm as bench
from bench import crm_callers
from bench import crm_ranking as ranking
from bench.crm_data import Population, population
from fairwind.events import EventCodec
from fairwind.events.contracts import platform_catalog
from fairwind.v1 import orders_pb2
from services.crm.bootstrap import CrmApp
from services.crm.domain.classification import TIERS
from services.crm.ranking import rerank

pytestmark = pytest.mark.integration
NOW = datetime.now(UTC)


async def seeded(app: CrmApp, size: int = 300) -> Population:
    pop = population(size, NOW)
    spent = await bench.seed(app.service, pop)
    assert set(spent) == {"customers", "revenue_days", "orders"}
    return pop


def db_of(app: CrmApp) -> Any:
    return app.service.store.customers.collection.database


async def test_the_seeded_archive_ranks_and_the_ceiling_leaves_it_alone(crm: CrmApp) -> None:
    pop = await seeded(crm)
    db = db_of(crm)
    marker = ObjectId()
    attempt = await ranking.timed_rerank(crm.service)
    result = attempt.result
    assert result is not None, attempt.error
    events = await ranking.outbox_since(crm.service, marker)
    assert len(result.changes) == len(pop.documents) == len(events)  # a first tier each
    assert sorted(r.rank for r in result.ranking) == list(range(1, 301))
    assert {r.tier for r in result.ranking} == set(TIERS)
    reads, writes = await ranking.rank_ceiling(crm.service, result, events)
    assert reads.wall_s > 0
    assert writes.wall_s > 0
    expected = {r.customer_id: (r.tier, r.rank) for r in result.ranking}
    stored = {
        d["_id"]: (d["tier"], d["revenue_rank"])
        async for d in db["customers"].find({}, {"tier": 1, "revenue_rank": 1})
    }
    assert stored == expected  # the sample the ceiling moved is back
    sample = len(result.ranking[:: ranking.SAMPLE_EVERY])
    assert await db["outbox_ceiling"].count_documents({}) == sample
    # A few customers move: the steady re-rank changes a few tiers, not all.
    assert await ranking.move_a_few(crm.service, pop) == 2
    steady = await ranking.timed_rerank(crm.service)
    assert steady.result is not None
    assert 0 < len(steady.result.changes) < len(pop.documents) // 2


async def test_folding_counts_each_order_once_and_its_ceiling_writes_copies(crm: CrmApp) -> None:
    pop = await seeded(crm)
    db = db_of(crm)
    records = bench.recorded_stream(pop, NOW, count=1_200)
    before = await db["revenue_days"].aggregate(
        [{"$group": {"_id": None, "fen": {"$sum": "$revenue_fen"}, "n": {"$sum": "$shipments"}}}]
    )
    (start,) = await before.to_list()
    codec = EventCodec(platform_catalog(), "bench")  # the recording's topics
    spent = await bench.fold(crm.service, records, codec)
    assert spent.cpu_s > 0
    orders = {}
    for r in records:
        created = codec.decode(r.topic, r.key, r.value, r.headers).message
        assert isinstance(created, orders_pb2.OrderCreated)
        orders[created.order.waybill] = created.order
    folded = await db["orders"].count_documents({"_id": {"$in": list(orders)}})
    assert folded == len(orders) < len(records)  # redeliveries counted once
    cny = sum(
        o.price.units * 100 + o.price.nanos // 10_000_000
        for o in orders.values()
        if o.price.currency_code == "CNY"
    )
    after = await db["revenue_days"].aggregate(
        [{"$group": {"_id": None, "fen": {"$sum": "$revenue_fen"}, "n": {"$sum": "$shipments"}}}]
    )
    (end,) = await after.to_list()
    assert end["fen"] - start["fen"] == cny
    assert end["n"] - start["n"] == len(orders)
    new = {o.customer_id for o in orders.values() if o.customer_id.startswith("N")}
    assert await db["customers"].count_documents({"_id": {"$in": list(new)}}) == len(new)
    await bench.fold_ceiling(crm.service, records)
    copies = await db["orders"].count_documents({"_id": {"$in": [f"X{w}" for w in orders]}})
    assert copies == len(orders)


async def test_the_callers_the_benchmark_sends_are_found(crm: CrmApp, stub: Any) -> None:
    pop = await seeded(crm, 200)
    await rerank(crm.service)
    owners = Counter(p for c in pop.customers for p in c.phones)
    found = 0
    for request in crm_callers.phone_requests(pop)[:60]:
        reply = await stub.LookupByPhone(request)
        numbers = reply.profile.phones
        assert any(owners[n] for n in numbers)
        found += 1
    assert found == 60
    if not crm_callers.serves_names():
        return
    codes = Counter[grpc.StatusCode]()
    for spoken in crm_callers.name_requests(pop)[:60]:
        try:
            await stub.LookupByName(spoken)
            codes[grpc.StatusCode.OK] += 1
        except grpc.aio.AioRpcError as exc:
            codes[exc.code()] += 1
    assert set(codes) <= {grpc.StatusCode.OK, grpc.StatusCode.NOT_FOUND}  # none refused
    assert codes[grpc.StatusCode.OK] >= 45
