"""The re-rank with in-memory repositories and the kit's fake units of work: the tiers it
stores, the SegmentChanged events it stages and the tier history it records, without
MongoDB or Kafka."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest

from fairwind.events.codec import EncodedEvent
from fairwind.v1 import common_pb2, crm_pb2
from services.crm.domain.classification import Totals
from services.crm.ranking import rerank
from services.crm.settings import CrmSettings
from tests.unit.crm_fakes import AT, CODEC, FakeCrm

TODAY = AT.date()
UNSPECIFIED = common_pb2.CUSTOMER_TIER_UNSPECIFIED
Q = {n: getattr(common_pb2, f"CUSTOMER_TIER_Q{n}") for n in range(1, 6)}
# Ten customers, c01 the biggest: two per quintile (c01, c02 in Q1 ... c09, c10 in Q5).
TEN = {f"c{i:02}": (11 - i) * 100_000 for i in range(1, 11)}
FIRST_TIERS = {f"c{i:02}": f"Q{(i + 1) // 2}" for i in range(1, 11)}


def populated(revenues: dict[str, int] = TEN, managers: bool = True) -> FakeCrm:
    """Customers with window revenue only (one bucket each, yesterday) and, if ``managers``,
    two active account managers."""
    db = FakeCrm()
    for customer_id, revenue in revenues.items():
        db.customers.put(
            customer_id,
            name=f"name {customer_id}",
            company=f"company {customer_id}",
            emails=[f"{customer_id}@example.cn"],
        )
        db.days.put(customer_id, TODAY - timedelta(days=1), revenue)
    if managers:
        db.managers.put("m1", "李经理")
        db.managers.put("m2", "王经理")
    return db


def decoded(events: Sequence[EncodedEvent]) -> list[crm_pb2.SegmentChanged]:
    messages = []
    for e in events:
        assert e.topic == "fairwind.crm.v1"
        message: Any = CODEC.decode(e.topic, e.key, e.value, e.headers).message
        assert isinstance(message, crm_pb2.SegmentChanged)
        assert e.key == message.customer_id.encode()
        messages.append(message)
    return messages


def tiers(db: FakeCrm) -> dict[str, str | None]:
    return {c: doc.get("tier") for c, doc in db.customers.docs.items()}


async def test_a_first_rank_tiers_everyone_and_announces_each_first_tier() -> None:
    db = populated()
    result = await rerank(db.service())

    assert tiers(db) == FIRST_TIERS
    assert [db.customers.docs[c]["revenue_rank"] for c in sorted(TEN)] == list(range(1, 11))
    assert [(c.ranked.customer_id, c.previous) for c in result.changes] == [
        (c, None) for c in sorted(TEN)
    ]
    messages = decoded(db.transactions.events)
    assert [m.customer_id for m in messages] == sorted(TEN)
    for m in messages:
        assert m.from_tier == UNSPECIFIED
        assert m.to_tier == Q[int(FIRST_TIERS[m.customer_id][1])]
        assert m.rank == int(m.customer_id[1:])
        assert m.ranked_customers == 10
        assert m.key_account is (m.to_tier == Q[1])
        assert m.revenue_90d == common_pb2.Money(
            currency_code="CNY", units=TEN[m.customer_id] // 100
        )
        assert (m.customer_name, m.company) == (f"name {m.customer_id}", f"company {m.customer_id}")
        assert list(m.emails) == [f"{m.customer_id}@example.cn"]
        assert m.changed_at.ToDatetime().replace(tzinfo=AT.tzinfo) == AT
    # The two key accounts go one to each manager (biggest first, to the least loaded).
    named = {
        m.customer_id: (m.account_manager_id, m.account_manager_name, m.account_manager_email)
        for m in messages
        if m.account_manager_id
    }
    assert named == {
        "c01": ("m1", "李经理", "m1@fairwind.example"),
        "c02": ("m2", "王经理", "m2@fairwind.example"),
    }
    assert all(not m.account_manager_name for m in messages if m.customer_id not in named)
    assert {c: d.get("account_manager_id") for c, d in db.customers.docs.items()} == {
        c: {"c01": "m1", "c02": "m2"}.get(c) for c in TEN
    }
    assert [(h["customer_id"], h["from"], h["to"]) for h in db.tier_history.entries] == [
        (c, None, FIRST_TIERS[c]) for c in sorted(TEN)
    ]


async def test_a_first_rank_names_no_manager_when_there_is_none() -> None:
    db = populated(managers=False)
    await rerank(db.service())

    messages = decoded(db.transactions.events)
    assert [m.key_account for m in messages[:3]] == [True, True, False]
    assert all(m.account_manager_id == m.account_manager_email == "" for m in messages)
    assert all("account_manager_id" not in doc for doc in db.customers.docs.values())


async def test_a_steady_rerank_announces_nothing_and_records_no_history() -> None:
    db = populated()
    svc = db.service()
    await rerank(svc)
    events, history = len(db.transactions.events), list(db.tier_history.entries)
    managers = {c: d.get("account_manager_id") for c, d in db.customers.docs.items()}

    db.now = AT + timedelta(hours=1)
    result = await rerank(svc)

    assert result.changes == []
    assert len(db.transactions.events) == events == 10
    assert db.tier_history.entries == history
    assert tiers(db) == FIRST_TIERS
    assert {c: d.get("account_manager_id") for c, d in db.customers.docs.items()} == managers
    assert {d["ranked_at"] for d in db.customers.docs.values()} == {db.now}  # stored again


async def test_one_customer_moving_up_a_tier_is_announced_once() -> None:
    db = populated()
    svc = db.service()
    await rerank(svc)
    before = len(db.transactions.events)

    # c03 draws level with c02: equal revenue, equal tier (Q1), so only c03 moves.
    db.days.put("c03", TODAY, 100_000)
    db.now = AT + timedelta(hours=1)
    result = await rerank(svc)

    assert [(c.ranked.customer_id, c.previous, c.ranked.tier) for c in result.changes] == [
        ("c03", "Q2", "Q1")
    ]
    assert tiers(db) == FIRST_TIERS | {"c03": "Q1"}
    [message] = decoded(db.transactions.events[before:])
    assert (message.customer_id, message.from_tier, message.to_tier) == ("c03", Q[2], Q[1])
    assert (message.rank, message.ranked_customers, message.key_account) == (3, 10, True)
    assert message.revenue_90d.units == 9_000
    # The new key account goes to the manager with the least assigned revenue (m2: c02).
    assert (message.account_manager_id, message.account_manager_name) == ("m2", "王经理")
    assert db.customers.docs["c03"]["account_manager_id"] == "m2"
    assert db.customers.docs["c02"]["account_manager_id"] == "m2"
    assert db.tier_history.entries[10:] == [
        {"customer_id": "c03", "from": "Q2", "to": "Q1", "at": db.now, "rank": 3}
    ]


@pytest.mark.parametrize(("chunk", "units"), [(1, 10), (3, 4), (9, 2)])
async def test_chunks_smaller_than_the_population_give_the_one_chunk_result(
    chunk: int, units: int
) -> None:
    whole, chunked = populated(), populated()
    expected = await rerank(whole.service())
    result = await rerank(chunked.service(CrmSettings(rerank_chunk=chunk)))

    assert len(whole.transactions.committed) == 1
    assert len(chunked.transactions.committed) == units
    sizes = [len(unit.events) for unit in chunked.transactions.committed]
    assert sizes == [min(chunk, 10 - start) for start in range(0, 10, chunk)]
    assert (result.ranking, result.changes, result.totals) == (
        expected.ranking,
        expected.changes,
        expected.totals,
    )
    assert decoded(chunked.transactions.events) == decoded(whole.transactions.events)
    assert chunked.customers.docs == whole.customers.docs
    assert chunked.tier_history.entries == whole.tier_history.entries


async def test_customers_without_a_baseline_or_window_revenue_are_ranked_last_in_q5() -> None:
    db = FakeCrm()
    db.customers.put("imported", imported_fen=500_000)  # imported today: all of it counts
    db.customers.put("live")
    db.days.put("live", TODAY, 300_000)
    db.customers.put("both", imported_fen=100_000)
    db.days.put("both", TODAY - timedelta(days=89), 100_000)  # the window's first day
    db.customers.put("aged", imported_fen=200_000, as_of=AT - timedelta(days=45))  # half left
    db.customers.put("idle")
    db.customers.put("idle2")
    db.days.put("ghost", TODAY, 900_000)  # buckets of a customer not in the archive

    result = await rerank(db.service())

    assert [(r.customer_id, r.revenue_fen, r.rank, r.tier) for r in result.ranking] == [
        ("imported", 500_000, 1, "Q1"),
        ("live", 300_000, 2, "Q1"),
        ("both", 200_000, 3, "Q2"),
        ("aged", 100_000, 4, "Q3"),
        ("idle", 0, 5, "Q5"),  # rank 5 of 6 earns Q4, but no revenue is Q5
        ("idle2", 0, 6, "Q5"),
    ]
    assert result.totals["idle"] == Totals() == result.totals["idle2"]
    assert "ghost" not in result.totals
    messages = {m.customer_id: m for m in decoded(db.transactions.events)}
    assert set(messages) == {"imported", "live", "both", "aged", "idle", "idle2"}
    idle = messages["idle"]
    assert (idle.from_tier, idle.to_tier, idle.rank, idle.ranked_customers) == (
        UNSPECIFIED,
        Q[5],
        5,
        6,
    )
    assert (idle.revenue_90d.units, idle.revenue_90d.nanos, idle.key_account) == (0, 0, False)
    assert (idle.customer_name, idle.company, list(idle.emails)) == ("", "", [])
    assert db.customers.docs["idle2"]["revenue_90d_fen"] == 0
    assert db.customers.docs["idle2"]["shipments_90d"] == 0


async def test_buckets_past_the_window_do_not_count_and_old_ones_are_pruned() -> None:
    db = FakeCrm()
    db.customers.put("acme")
    db.days.put("acme", TODAY - timedelta(days=90), 700_000)  # a day before the window
    db.days.put("acme", TODAY - timedelta(days=120), 800_000)  # past the 30 days kept
    db.days.put("acme", TODAY, 5_000)

    result = await rerank(db.service())

    assert result.totals["acme"] == Totals(5_000, 1)
    assert set(db.days.buckets) == {
        ("acme", (TODAY - timedelta(days=90)).isoformat()),
        ("acme", TODAY.isoformat()),
    }
