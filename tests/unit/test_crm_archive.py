"""The archive's pure rules: per-week figures, service-record ids and the classification of
statuses, the SLA outcome merge (breached stays breached), contacts' phones, the city, and
the request bodies' limits; the cancellation record through the handler with fakes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from pydantic import ValidationError

from fairwind.domain.status import ShipmentStatus
from fairwind.events import Event, EventCodec
from fairwind.events.contracts import platform_catalog
from fairwind.mongo.uow import UnitOfWork
from fairwind.testing import FakeTransactions
from fairwind.v1 import orders_pb2, sla_pb2
from services.crm import handlers
from services.crm.archive_models import ContactsIn, EvaluationIn, contacts_of
from services.crm.convert import sla_kind_name
from services.crm.domain.archive import (
    BREACHED,
    MET,
    Outcome,
    ServiceRecord,
    SlaResult,
    breach_record,
    cancellation_record,
    city_key,
    contact_phones_change,
    fault_of,
    level_figures,
    merge_outcome,
    merge_outcomes,
    per_week,
    record_id,
    status_record,
    status_record_kind,
    top_city,
)
from services.crm.handlers import CrmService
from services.crm.metrics import crm_metrics
from services.crm.records import reason_name
from services.crm.settings import CrmSettings
from services.crm.store import CrmStore, CrmUnit, OrderHistory, RevenueDays
from services.crm.store.records import ServiceRecords

AT = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
CODEC = EventCodec(platform_catalog(), "tests")


def test_orders_per_week_over_the_window() -> None:
    assert per_week(12) == 0.93  # 12 * 7 / 90 = 0.9333..
    assert per_week(90) == 7.0
    assert per_week(0) == 0.0
    assert per_week(5, days=0) == 0.0
    figures = level_figures({"standard": 3, "next_day": 12, "same_day": 0})
    assert list(figures) == ["next_day", "standard"]  # busiest first, none left out
    assert figures["next_day"] == {"shipments_90d": 12, "orders_per_week": 0.93}


def test_every_status_is_classified_once() -> None:
    kinds = {status.value: status_record_kind(status.value) for status in ShipmentStatus}
    assert {s for s, k in kinds.items() if k} == {"delivery_failed", "exception", "returned"}
    assert kinds["delivery_failed"] == "failed_delivery"
    assert kinds["exception"] == kinds["returned"] == "exception"
    assert status_record("acme", "FW1", "delivered", "", AT, "scan-1") is None


def test_record_ids_are_deterministic_and_tell_attempts_apart() -> None:
    first = status_record("acme", "FW1", "delivery_failed", "consignee_not_home", AT, "scan-1")
    again = status_record("acme", "FW1", "delivery_failed", "consignee_not_home", AT, "scan-1")
    second = status_record("acme", "FW1", "delivery_failed", "consignee_not_home", AT, "scan-2")
    assert first is not None
    assert again is not None
    assert second is not None
    assert first.id == again.id == "FW1:failed_delivery:delivery_failed:scan-1"
    assert second.id != first.id
    assert (first.kind, first.detail, first.reason, first.fault) == (
        "failed_delivery",
        "delivery_failed",
        "consignee_not_home",
        "consignee",
    )
    assert record_id("FW1", "sla_breach", "promise") == "FW1:sla_breach:promise"
    result = SlaResult("FW1", "promise", BREACHED, AT, "acme")
    assert breach_record(result).id == breach_record(result).id == "FW1:sla_breach:promise"


def test_faults_and_cancellations() -> None:
    assert [fault_of(r) for r in ("carrier_lost", "customs_held", "weather_typhoon", "x", "")] == [
        "carrier",
        "customs",
        "weather",
        "",
        "",
    ]
    by_partner = cancellation_record("acme", "FW1", "", False, AT)
    by_carrier = cancellation_record("acme", "FW1", "unserved_area", True, AT)
    assert (by_partner.detail, by_partner.fault) == ("partner_request", "")
    assert (by_carrier.detail, by_carrier.fault) == ("unserved_area", "carrier")
    assert by_partner.id == by_carrier.id == "FW1:cancellation:"  # one per waybill


def test_enum_names() -> None:
    assert reason_name(100) == "carrier_damaged"
    assert reason_name(0) == reason_name(99_999) == ""
    assert sla_kind_name(sla_pb2.SLA_KIND_OUTLET_DELIVERY) == "outlet_delivery"
    assert sla_kind_name(sla_pb2.SLA_KIND_UNSPECIFIED) == ""


def result(clock: str, state: str, **fields: Any) -> SlaResult:
    return SlaResult("FW1", clock, state, AT, **fields)


def test_a_breached_clock_stays_breached_whatever_comes_after() -> None:
    outcome = merge_outcome(None, result("promise", BREACHED, customer_id="acme", tier="Q1"))
    outcome = merge_outcome(outcome, result("promise", MET))
    assert outcome.clocks == {"promise": BREACHED}
    assert outcome.breached
    # Met first, then breached (out of order): the breach wins too.
    late = merge_outcome(merge_outcome(None, result("pickup", MET)), result("pickup", BREACHED))
    assert late.clocks == {"pickup": BREACHED}
    met = merge_outcome(None, result("pickup", MET))
    assert not met.breached
    # Facts are not erased by an event that lacks them.
    assert (outcome.customer_id, outcome.tier) == ("acme", "Q1")


def test_the_outlet_is_the_destination_and_pickup_only_fills_a_gap() -> None:
    origin = result("pickup", MET, outlet_code="SZ01", city_code="SZ")
    destination = result("outlet_delivery", MET, outlet_code="BJ07", city_code="BJ")
    first_origin = merge_outcomes({}, [origin, destination])["FW1"]
    first_destination = merge_outcomes({}, [destination, origin])["FW1"]
    assert (first_origin.outlet_code, first_origin.city_code) == ("BJ07", "BJ")
    assert (first_destination.outlet_code, first_destination.city_code) == ("BJ07", "BJ")
    alone = merge_outcome(None, origin)
    assert alone.outlet_code == "SZ01"  # nothing else known
    stored = {"FW1": Outcome("FW1", "acme", "Q2", "BJ07", "BJ", "next_day", {"promise": MET})}
    merged = merge_outcomes(stored, [origin, result("promise", BREACHED)])["FW1"]
    assert merged.outlet_code == "BJ07"
    assert merged.clocks == {"promise": BREACHED, "pickup": MET}
    assert (merged.tier, merged.service_level) == ("Q2", "next_day")


def test_contact_phones_leave_with_their_contact_others_stay() -> None:
    phones, brought = contact_phones_change(["+86755"], [], ["+86139", "+86755", ""])
    assert phones == ["+86755", "+86139"]
    assert brought == ["+86139"]  # +86755 was known before (an order): not the contact's
    phones, brought = contact_phones_change(phones, brought, ["+86755"])
    assert (phones, brought) == (["+86755"], [])
    assert contact_phones_change([], [], ["+1", "+1"]) == (["+1"], ["+1"])


def test_the_top_city_keeps_the_first_of_equals() -> None:
    assert top_city({}) is None
    assert top_city({"深圳市": 2, "广州市": 2}) == "深圳市"
    assert top_city({"深圳市": 2, "广州市": 3}) == "广州市"
    assert city_key(" St. Louis ") == "St_ Louis"
    assert city_key("$where") == "where"
    assert city_key("   ") == ""


def test_contacts_and_evaluations_are_bounded() -> None:
    one = {"name": "王经理", "title": "物流经理", "phone": "0755-8888 1234"}
    contacts = contacts_of(ContactsIn.model_validate({"contacts": [one]}).contacts, "86")
    assert contacts[0].phone == "+8675588881234"
    with pytest.raises(ValueError, match=r"contacts\.0\.phone"):
        contacts_of(
            ContactsIn.model_validate({"contacts": [one | {"phone": "abc"}]}).contacts, "86"
        )
    for bad in (
        {"contacts": [one] * 21},
        {"contacts": [one | {"fax": "1"}]},
        {"contacts": [{"title": "x"}]},
        {"contacts": [one | {"email": "not-an-email"}]},
    ):
        with pytest.raises(ValidationError):
            ContactsIn.model_validate(bad)
    rival = {"name": "京东物流", "share_pct": 60, "price_vs_us": "cheaper", "service_vs_us": "same"}
    ok = EvaluationIn.model_validate({"competitors": [rival], "recorded_by": "mgr-1"})
    assert ok.competitors[0].share_pct == 60
    bad_evaluations: list[dict[str, Any]] = [
        {"competitors": [rival, rival | {"name": "京东物流 "}], "recorded_by": "m"},  # twice
        {"competitors": [rival, rival | {"name": "中通"}], "recorded_by": "m"},  # 120 %
        {"competitors": [rival | {"price_vs_us": "cheap"}], "recorded_by": "m"},
        {"competitors": [rival], "recorded_by": "m", "extra": 1},
        {"competitors": [rival]},
    ]
    for bad in bad_evaluations:
        with pytest.raises(ValidationError):
            EvaluationIn.model_validate(bad)


class FakeOrders(OrderHistory):
    def __init__(self) -> None:
        self.docs: dict[str, dict[str, Any]] = {}

    async def insert(self, docs: Sequence[dict[str, Any]]) -> None:
        self.docs.update((d["_id"], dict(d)) for d in docs)

    async def cancel(self, waybill: str, at: datetime) -> dict[str, Any] | None:
        before = self.docs.get(waybill)
        if before is not None:
            self.docs[waybill] = before | {"status": "cancelled"}
        return before


class FakeDays(RevenueDays):
    def __init__(self) -> None:
        pass

    async def add(self, deltas: Any) -> None:
        pass


class FakeRecords(ServiceRecords):
    def __init__(self) -> None:
        self.stored: dict[str, ServiceRecord] = {}

    async def add(self, records: Sequence[ServiceRecord]) -> list[ServiceRecord]:
        new = [r for r in records if r.id not in self.stored]
        self.stored.update((r.id, r) for r in new)
        return new


class FakeUnit(CrmUnit):
    def __init__(self, orders: FakeOrders, records: FakeRecords) -> None:
        UnitOfWork.__init__(self)
        self.orders, self.days, self.records = orders, FakeDays(), records


async def test_a_cancellation_makes_one_record_in_its_unit_of_work() -> None:
    orders, records = FakeOrders(), FakeRecords()
    created = AT - timedelta(hours=1)
    orders.docs["FW1"] = {
        "_id": "FW1",
        "customer_id": "acme",
        "created_at": created,
        "counted": True,
        "status": "info_received",
        "revenue_fen": 100,
    }
    svc = CrmService(
        settings=CrmSettings(),
        store=CrmStore.__new__(CrmStore),
        uow=FakeTransactions(lambda: FakeUnit(orders, records)),
        codec=CODEC,
        metrics=crm_metrics(CollectorRegistry()),
    )
    for waybill, customer in (("FW1", ""), ("FW1", ""), ("FW2", "bravo"), ("FW3", "")):
        message = orders_pb2.OrderCancelled(waybill=waybill, customer_id=customer)
        message.cancelled_at.FromDatetime(AT)
        encoded = CODEC.encode(message, waybill)
        event: Event[Any] = CODEC.decode(encoded.topic, encoded.key, encoded.value, encoded.headers)
        await handlers.on_order_cancelled(svc, event)
    # FW1 under its order's customer, once; FW2 never seen created: the message's customer;
    # FW3 has no customer anywhere: no record.
    assert {(r.waybill, r.customer_id, r.kind, r.at) for r in records.stored.values()} == {
        ("FW1", "acme", "cancellation", AT),
        ("FW2", "bravo", "cancellation", AT),
    }
