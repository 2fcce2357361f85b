"""Service records and SLA outcomes from events on the real broker and mongod: failed
deliveries, exceptions, returns, cancellations and breaches as records, met and breached
clocks as outcomes; delivered again, nothing doubles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from prometheus_client import CollectorRegistry

from fairwind.events import PermanentError
from fairwind.v1 import common_pb2, orders_pb2, sla_pb2, tracking_pb2
from services.crm import handlers
from services.crm.bootstrap import CrmApp
from services.crm.outcomes import on_sla_results
from tests.integration.crm.conftest import (
    as_event,
    eventually,
    import_archive,
    order_created,
    publish,
    running,
)

pytestmark = pytest.mark.integration
NOW = datetime.now(UTC).replace(microsecond=0)
W1, W2, W3, W4, UNKNOWN = (f"FW00000000{n:04d}" for n in (201, 202, 203, 204, 999))
S = common_pb2  # statuses, reasons, levels


def status_changed(
    waybill: str, status: Any, *, reason: Any = 0, scan: str = "", minutes_ago: int = 30
) -> tracking_pb2.ShipmentStatusChanged:
    message = tracking_pb2.ShipmentStatusChanged(
        waybill=waybill, to_status=status, reason=reason, scan_id=scan
    )
    message.occurred_at.FromDatetime(NOW - timedelta(minutes=minutes_ago))
    return message


def sla_end(
    breached: bool,
    waybill: str,
    kind: int,
    *,
    customer: str = "bravo",
    tier: int = S.CUSTOMER_TIER_Q2,
    outlet: str = "",
    city: str = "",
) -> sla_pb2.SlaBreached | sla_pb2.SlaMet:
    fields: dict[str, Any] = {
        "waybill": waybill,
        "sla": kind,
        "customer_id": customer,
        "customer_tier": tier,
        "outlet_code": outlet,
        "city_code": city,
        "service_level": S.SERVICE_LEVEL_NEXT_DAY,
    }
    at = NOW - timedelta(minutes=10)
    if breached:
        breach = sla_pb2.SlaBreached(**fields)
        breach.breached_at.FromDatetime(at)
        return breach
    met = sla_pb2.SlaMet(**fields)
    met.met_at.FromDatetime(at)
    return met


def handled(registry: CollectorRegistry, app: CrmApp, message_type: Any) -> float:
    topic = app.platform.catalog.kind_of(message_type).topic
    labels = {"topic": topic, "group": "crm", "outcome": "handled"}
    return registry.get_sample_value("fairwind_events_consumed_total", labels) or 0.0


async def test_records_and_outcomes_from_events_on_the_broker_never_double(
    crm: CrmApp, client: httpx.AsyncClient, registry: CollectorRegistry
) -> None:
    await import_archive(crm)
    orders = [
        (order_created(w, "bravo", 10.0, at=NOW - timedelta(hours=2)), w) for w in (W1, W2, W3, W4)
    ]
    cancel = orders_pb2.OrderCancelled(
        waybill=W4, customer_id="bravo", reason_code="partner_request"
    )
    cancel.cancelled_at.FromDatetime(NOW - timedelta(minutes=50))
    tracking = [
        (
            status_changed(
                W1, S.SHIPMENT_STATUS_DELIVERY_FAILED, reason=200, scan="s1", minutes_ago=40
            ),
            W1,
        ),
        (
            status_changed(
                W1, S.SHIPMENT_STATUS_DELIVERY_FAILED, reason=203, scan="s2", minutes_ago=20
            ),
            W1,
        ),
        (status_changed(W2, S.SHIPMENT_STATUS_EXCEPTION, reason=100, scan="s3"), W2),
        (status_changed(W2, S.SHIPMENT_STATUS_DELIVERED, scan="s4", minutes_ago=5), W2),
        (status_changed(W3, S.SHIPMENT_STATUS_RETURNED, scan="s5"), W3),
        (status_changed(UNKNOWN, S.SHIPMENT_STATUS_EXCEPTION, scan="s6"), UNKNOWN),
    ]
    sla = [
        (sla_end(False, W1, sla_pb2.SLA_KIND_PICKUP, outlet="SZ01", city="SZ"), W1),
        (sla_end(True, W1, sla_pb2.SLA_KIND_PROMISE, outlet="BJ07", city="BJ"), W1),
        (sla_end(False, W1, sla_pb2.SLA_KIND_PROMISE, outlet="BJ07", city="BJ"), W1),
        (sla_end(False, W2, sla_pb2.SLA_KIND_OUTLET_DELIVERY, customer="", outlet="BJ07"), W2),
    ]
    events = {orders_pb2.OrderCreated: 5, tracking_pb2.ShipmentStatusChanged: 6, sla_pb2.SlaMet: 4}
    async with running(crm):
        await publish(crm, *orders)
        await eventually(lambda: _at_least(registry, crm, orders_pb2.OrderCreated, 4))
        await publish(crm, (cancel, W4), *tracking, *sla)
        await eventually(lambda: _all_handled(registry, crm, events, 1))
        first = await _records(client)
        outcomes = await _outcomes(crm)
        # Everything once more, under new event ids: a producer retrying after a crash.
        await publish(crm, *orders, (cancel, W4), *tracking, *sla)
        await eventually(lambda: _all_handled(registry, crm, events, 2))

    assert sorted((r["waybill"], r["kind"], r["detail"], r["reason"]) for r in first) == [
        (W1, "failed_delivery", "delivery_failed", "consignee_not_home"),
        (W1, "failed_delivery", "delivery_failed", "consignee_unreachable"),
        (W1, "sla_breach", "promise", ""),
        (W2, "exception", "exception", "carrier_damaged"),
        (W3, "exception", "returned", ""),
        (W4, "cancellation", "partner_request", ""),
    ]
    assert await _records(client) == first
    assert await _outcomes(crm) == outcomes
    summary = (await client.get("/v1/customers/bravo")).json()["service_records_90d"]
    assert summary == {"sla_breach": 1, "failed_delivery": 2, "exception": 2, "cancellation": 1}
    counts = await crm.service.store.records.counts_since(
        ["bravo", "alpha"], NOW - timedelta(days=1)
    )
    assert counts == {"bravo": summary}

    w1, w2 = outcomes
    assert (w1["_id"], w1["customer_id"], w1["tier"], w1["service_level"]) == (
        W1,
        "bravo",
        "Q2",
        "next_day",
    )
    assert w1["clocks"] == {"pickup": "met", "promise": "breached"}  # met after: still breached
    assert (w1["outlet_code"], w1["city_code"], w1["breached"]) == ("BJ07", "BJ", True)
    assert (w2["customer_id"], w2["clocks"], w2["breached"]) == (
        "bravo",
        {"outlet_delivery": "met"},
        False,
    )

    # Paging: most recent first, the next page before the last one shown.
    # Limit 3 ends the page between W3 and W2, recorded at the very same time.
    page = (await client.get("/v1/customers/bravo/service-records", params={"limit": 3})).json()
    ats = [r["at"] for r in page["records"]]
    assert ats == sorted(ats, reverse=True)
    assert page["next_before"] == ats[-1]
    cursor = {"before": page["next_before"], "before_id": page["next_before_id"]}
    rest = await client.get("/v1/customers/bravo/service-records", params={"limit": 4, **cursor})
    assert [r["waybill"] for r in rest.json()["records"]] == [W2, W1, W4]
    assert rest.json()["next_before"] is None
    only = await client.get("/v1/customers/bravo/service-records", params={"kind": "exception"})
    assert {r["waybill"] for r in only.json()["records"]} == {W2, W3}


async def _outcomes(app: CrmApp) -> list[dict[str, Any]]:
    """The stored outcomes but their write time."""
    found = app.platform.db["outcomes"].find({}, {"updated_at": 0}).sort("_id")
    return await found.to_list()


async def _records(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    answer = await client.get("/v1/customers/bravo/service-records", params={"limit": 100})
    records: list[dict[str, Any]] = answer.json()["records"]
    return records


async def _at_least(registry: CollectorRegistry, app: CrmApp, kind: Any, n: int) -> bool:
    return handled(registry, app, kind) >= n


async def _all_handled(
    registry: CollectorRegistry, app: CrmApp, counts: dict[Any, int], rounds: int
) -> bool:
    return all(handled(registry, app, kind) >= n * rounds for kind, n in counts.items())


async def test_sla_results_without_a_customer_or_a_kind(crm: CrmApp) -> None:
    await import_archive(crm)
    order = order_created(W1, "delta", 10.0)
    await handlers.on_orders_created(crm.service, [as_event(crm, order, W1)])
    breach = sla_end(True, W1, sla_pb2.SLA_KIND_PICKUP, customer="", tier=0, outlet="SZ01")
    stray = sla_end(True, UNKNOWN, sla_pb2.SLA_KIND_PROMISE, customer="")
    await on_sla_results(crm.service, [as_event(crm, breach, W1), as_event(crm, stray, UNKNOWN)])
    records = await crm.platform.db["service_records"].find().to_list()
    assert [(r["customer_id"], r["waybill"], r["detail"]) for r in records] == [
        ("delta", W1, "pickup")
    ]
    w1 = await crm.service.store.outcomes.get(W1)
    assert w1 is not None
    assert (w1["customer_id"], w1["tier"], w1["outlet_code"]) == ("delta", None, "SZ01")
    unknown = await crm.service.store.outcomes.get(UNKNOWN)
    assert unknown is not None
    assert (unknown["customer_id"], unknown["breached"]) == (None, True)
    with pytest.raises(PermanentError):
        await on_sla_results(crm.service, [as_event(crm, sla_end(True, W1, 0), W1)])
