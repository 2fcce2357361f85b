"""The crm benchmark's synthetic archive and order stream (bench/crm_data.py), and the fen
conversion the folding benchmark made integer (no I/O)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from bench.crm_data import (
    IMPORT_AGE_DAYS,
    caller_formats,
    order_stream,
    population,
    spoken_company,
)
from fairwind.domain.waybill import parse_waybill
from services.crm.domain import phones
from services.crm.domain.classification import WINDOW_DAYS, fen, fen_of_money, window_start
from services.crm.domain.matching import company_fields

NOW = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
POP = population(2_000, NOW)


def test_the_archive_is_the_same_for_a_seed_and_another_for_another() -> None:
    again = population(2_000, NOW)
    assert again.documents == POP.documents
    assert again.days == POP.days
    assert population(2_000, NOW, seed=99).documents != POP.documents


def test_revenue_follows_the_80_20_rule() -> None:
    weights = sorted((c.weight for c in POP.customers), reverse=True)
    top_fifth = sum(weights[: len(weights) // 5]) / sum(weights)
    assert 0.6 < top_fifth < 0.9


def test_customers_look_imported_with_their_caller_id_fields() -> None:
    docs = POP.documents
    assert len({d["_id"] for d in docs}) == len(docs)
    imported = [d for d in docs if "imported" in d]
    assert 0.75 < len(imported) / len(docs) < 0.95
    assert {d["imported"]["as_of"] for d in imported} == {NOW - timedelta(days=IMPORT_AGE_DAYS)}
    for doc in docs[:200]:
        assert doc["company_key"] == company_fields(doc["company"])["company_key"]
        assert doc["contacts"][0]["name"] == doc["name"]
        assert all(p.startswith("+86") for p in doc["phones"])


def test_companies_share_words_but_rarely_a_whole_name() -> None:
    keys = Counter(d["company_key"] for d in POP.documents)
    assert len(keys) > 0.8 * len(POP.documents)  # mostly distinct companies
    grams = Counter(g for d in POP.documents for g in d["company_grams"])
    assert grams.most_common(1)[0][1] > 20  # yet many share a bigram


def test_buckets_are_inside_the_window_and_keyed_as_the_service_keys_them() -> None:
    first = window_start(NOW.date())
    active = {d["customer_id"] for d in POP.days}
    assert 0.3 < len(active) / len(POP.documents) < 0.7
    for bucket in POP.days:
        day = bucket["day"].date()
        assert first <= day <= NOW.date()
        assert bucket["_id"] == f"{bucket['customer_id']}|{day.isoformat()}"
        assert bucket["shipments"] >= 1
    busiest = Counter(d["customer_id"] for d in POP.days).most_common(1)[0][1]
    assert busiest <= WINDOW_DAYS
    assert all(o["customer_id"] in active for o in POP.orders)


def test_every_caller_format_normalises_to_the_stored_number() -> None:
    rng = random.Random(1)
    for customer in POP.customers[:300]:
        for number in customer.phones:
            for _ in range(5):
                assert phones.normalise(caller_formats(number, rng)) == number


def test_a_spoken_company_is_part_of_the_name_on_file() -> None:
    rng = random.Random(2)
    spoken = [(spoken_company(c, rng), c.company) for c in POP.customers[:500]]
    assert all(said and said in company for said, company in spoken)
    assert sum(said != company for said, company in spoken) > 400  # mostly shortened


def test_the_order_stream_is_skewed_timed_and_has_redeliveries() -> None:
    stream = order_stream(POP.customers, 3_000, NOW)
    assert len(stream) == 3_000
    times = [at for at, _, _ in stream]
    assert times == sorted(times)
    assert NOW - timedelta(hours=12) <= times[0]
    assert times[-1] < NOW
    waybills = Counter(key for _, _, key in stream)
    assert 0 < sum(n - 1 for n in waybills.values()) < 60  # a few redelivered
    assert all(parse_waybill(w, "FW") == w for w in waybills)
    customers = Counter(m.order.customer_id for _, m, _ in stream)
    assert customers.most_common(1)[0][1] > 30  # a big shipper, many orders
    assert 10 < sum(c.startswith("N") for c in customers) < 150  # new to the archive
    assert Counter(m.order.price.currency_code for _, m, _ in stream)["USD"] > 0


@given(st.integers(-(10**15), 10**15), st.integers(0, 999_999_999))
def test_fen_of_money_is_the_decimal_rounding_half_up(units: int, nanos: int) -> None:
    nanos = -nanos if units < 0 else nanos  # Money: units and nanos share a sign
    expected = fen(Decimal(units) + Decimal(nanos) / Decimal(1_000_000_000))
    assert fen_of_money(units, nanos) == expected


def test_fen_of_money_ties_go_away_from_zero() -> None:
    assert fen_of_money(12, 345_000_000) == 1235
    assert fen_of_money(-12, -345_000_000) == -1235
    assert fen_of_money(0, 4_999_999) == 0
    assert fen_of_money(0, 5_000_000) == 1
