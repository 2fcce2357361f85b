"""The shipments table's changelog forms: the compact one written now, the keyed one that
earlier workers wrote, both read back to the same shipment."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from services.sla.domain import Budgets, Shipment, on_order, on_status, tick
from services.sla.stored import as_shipment, encode_state, from_compact, load_state
from services.sla.views import at_risk

T0 = datetime(2026, 11, 26, 2, 0, 0, 123456, tzinfo=UTC)
BUDGETS = Budgets()


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def shipment() -> Shipment:
    """Clocks met (closed), open and warned (not closed), a dimension with the count key's
    separator, an empty one, and times with microseconds; the tests change it further."""
    s = Shipment(
        "FW1",
        origin_outlet="SZX|001",
        destination_outlet="BJS003",
        origin_city="SZX",
        destination_city="",
        level="next_day",
        tier="Q1",
        remote=True,
    )
    on_order(s, at(0), None, at(1440), BUDGETS)
    on_status(s, "picked_up", at(40.5), BUDGETS)
    on_status(s, "at_delivery_outlet", at(600), BUDGETS)
    tick(s, at(700))  # outlet delivery at risk
    return s


def recovered(value: Any) -> Any:
    """What the table's json serializer reads back from the changelog record."""
    return json.loads(encode_state(value))


def test_the_compact_form_reads_back_the_same_shipment() -> None:
    original = shipment()
    raw = recovered(original)
    assert isinstance(raw, list)
    assert from_compact(raw) == original
    assert list(from_compact(raw).clocks) == list(original.clocks)  # the clocks' order kept
    assert len(encode_state(original)) < len(json.dumps(original.to_dict())) * 0.7


def test_every_clock_state_survives_the_compact_form() -> None:
    breached = shipment()
    tick(breached, at(5000))
    cancelled = shipment()
    on_status(cancelled, "cancelled", at(601), BUDGETS)
    for original in (breached, cancelled, Shipment("FW2")):
        assert load_state(recovered(original)) == original


def test_the_keyed_form_of_earlier_workers_is_still_read() -> None:
    original = shipment()
    keyed = json.loads(json.dumps(original.to_dict()))
    assert load_state(keyed) == original
    assert as_shipment(keyed) == original


def test_early_events_stay_a_dict() -> None:
    early = {"waybill": "FW1", "pending": [{"type": "x", "at": at(1).isoformat()}]}
    assert recovered(early) == early
    assert load_state(early) is early
    assert as_shipment(early) is None
    assert load_state(None) is None


def test_load_state_copies_the_worker_s_own_object_and_as_shipment_does_not() -> None:
    original = shipment()
    copy = load_state(original)
    assert copy == original
    assert copy is not original
    assert as_shipment(original) is original


def test_the_at_risk_list_reads_every_form_alike() -> None:
    original = shipment()
    forms = (original, recovered(original), original.to_dict())
    rows = [at_risk([("FW1", form)], at(700)) for form in forms]
    assert rows[0] == rows[1] == rows[2]
    assert [row["sla"] for row in rows[0]] == ["outlet_delivery"]
