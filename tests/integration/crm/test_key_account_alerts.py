"""A key account's late parcel reaches its manager as KeyAccountBreached: once per breach
however often the SLA event comes, at most once per quiet period per account, never for
an account that is not a key account."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from fairwind.clock import PlatformClock
from fairwind.v1 import crm_pb2, sla_pb2
from services.crm.bootstrap import CrmApp
from services.crm.outcomes import on_sla_results
from tests.integration.crm.conftest import as_event, import_archive, outbox_events

pytestmark = pytest.mark.integration
NOW = datetime(2026, 10, 5, 8, 0, tzinfo=UTC)


def breach(waybill: str, customer: str, at: datetime) -> sla_pb2.SlaBreached:
    message = sla_pb2.SlaBreached(
        waybill=waybill, sla=sla_pb2.SLA_KIND_PICKUP, customer_id=customer, outlet_code="SZX-01"
    )
    message.breached_at.FromDatetime(at)
    return message


async def test_the_manager_hears_of_a_key_accounts_late_parcels_once_per_quiet_period(
    crm: CrmApp, client: httpx.AsyncClient
) -> None:
    crm.service.clock = PlatformClock(origin=NOW, anchor=datetime.now(UTC))
    await import_archive(crm)  # alpha is the key account (Q1), delta is not
    manager = {
        "id": "m-li",
        "name": "李经理",
        "email": "li@fairwind.example",
        "phone": "+8613800000001",
    }
    assert (await client.post("/v1/managers", json=manager)).status_code == 201
    chosen = await client.put(
        "/v1/customers/alpha/manager", json={"manager_id": "m-li", "pinned": True}
    )
    assert chosen.status_code == 200
    first = [breach("FW1", "alpha", NOW), breach("FW2", "alpha", NOW), breach("FW3", "delta", NOW)]
    events = [as_event(crm, m, m.waybill) for m in first]
    await on_sla_results(crm.service, events)
    await on_sla_results(crm.service, events)  # delivered again: nothing new
    [told] = await outbox_events(crm, crm_pb2.KeyAccountBreached)
    assert (told.customer_id, told.waybill, told.sla) == ("alpha", "FW1", sla_pb2.SLA_KIND_PICKUP)
    assert (told.account_manager_name, told.account_manager_email) == (
        "李经理",
        "li@fairwind.example",
    )
    assert told.breaches_7d == 2
    assert told.company == "Alpha 电商"

    soon = NOW + timedelta(hours=1)
    await on_sla_results(crm.service, [as_event(crm, breach("FW4", "alpha", soon), "FW4")])
    assert len(await outbox_events(crm, crm_pb2.KeyAccountBreached)) == 1  # within the quiet period
    later = NOW + timedelta(hours=5)
    crm.service.clock = PlatformClock(origin=later, anchor=datetime.now(UTC))
    await on_sla_results(crm.service, [as_event(crm, breach("FW5", "alpha", later), "FW5")])
    second = (await outbox_events(crm, crm_pb2.KeyAccountBreached))[-1]
    assert (second.waybill, second.breaches_7d) == ("FW5", 4)


async def test_a_tier_change_names_who_to_tell(crm: CrmApp) -> None:
    await import_archive(crm)
    changes = {m.customer_id: m for m in await outbox_events(crm, crm_pb2.SegmentChanged)}
    assert list(changes["echo"].emails) == ["ops@echo.example"]
    assert (changes["alpha"].customer_name, changes["alpha"].company) == ("王经理", "Alpha 电商")
