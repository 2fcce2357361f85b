"""Churn scoring on the real mongod: a key account whose volume falls is scored with its
reasons and raises ChurnRiskRaised once, with its manager's address; a steady one raises
nothing; the score and the watch list are served over REST."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from fairwind.clock import PlatformClock
from fairwind.v1 import crm_pb2
from services.crm import handlers
from services.crm.bootstrap import CrmApp
from services.crm.churn import score_accounts
from tests.integration.crm.conftest import as_event, import_archive, order_created, outbox_events
from tests.problems import assert_problem

pytestmark = pytest.mark.integration
START = datetime(2026, 9, 1, 6, 0, tzinfo=UTC)
DAYS = 30
# Ten customers: alpha and bravo are the key accounts (Q1) at 5 shipments a day.
ACCOUNTS: list[dict[str, Any]] = [
    {
        "customer_id": "alpha",
        "name": "王芳",
        "company": "Alpha 电商",
        "revenue_90d_cny": 90000.0,
        "shipments_90d": 450,
    },
    {"customer_id": "bravo", "company": "Bravo", "revenue_90d_cny": 80000.0, "shipments_90d": 450},
] + [
    {"customer_id": f"small{n}", "revenue_90d_cny": 1000.0 * n, "shipments_90d": 20}
    for n in range(1, 9)
]


def clock_at(at: datetime) -> PlatformClock:
    return PlatformClock(origin=at, anchor=datetime.now(UTC))


async def thirty_days(crm: CrmApp) -> None:
    """Bravo ships 5 a day throughout; alpha 5 a day, then 1 a day for the last 14 days."""
    crm.service.clock = clock_at(START)
    await import_archive(crm, ACCOUNTS)
    orders = []
    for day in range(DAYS):
        at = START + timedelta(days=day)
        for n in range(5):
            orders.append(order_created(f"B{day:02d}{n}", "bravo", 100.0, at=at))
            if day < DAYS - 14 or n == 0:
                orders.append(order_created(f"A{day:02d}{n}", "alpha", 100.0, at=at))
    await handlers.on_orders_created(
        crm.service, [as_event(crm, o, o.order.waybill) for o in orders]
    )
    await crm.platform.db["managers"].insert_one(
        {"_id": "m1", "name": "李经理", "email": "li@fairwind.example", "active": True}
    )
    await crm.service.store.customers.collection.update_many(
        {"tier": "Q1"}, {"$set": {"account_manager_id": "m1"}}
    )
    crm.service.clock = clock_at(START + timedelta(days=DAYS))


async def test_a_falling_key_account_raises_one_alert_with_its_reasons(crm: CrmApp) -> None:
    await thirty_days(crm)
    scored = {s.customer_id: s for s in await score_accounts(crm.service)}
    assert set(scored) == {"alpha", "bravo"}  # the key accounts only
    assert scored["alpha"].raised
    assert not scored["bravo"].raised
    assert scored["bravo"].score.risk < 0.1
    assert scored["alpha"].score.codes == ["VOLUME_DROP"]
    [alert] = await outbox_events(crm, crm_pb2.ChurnRiskRaised)
    assert alert.customer_id == "alpha"
    assert alert.churn_risk == pytest.approx(scored["alpha"].score.risk)
    assert list(alert.drivers) == ["VOLUME_DROP"]
    assert "Volume down 80% over the last 7 days" in alert.reasons[0]
    assert (alert.account_manager_name, alert.account_manager_email) == (
        "李经理",
        "li@fairwind.example",
    )
    assert (alert.customer_name, alert.company) == ("王芳", "Alpha 电商")

    again = await score_accounts(crm.service)  # the next day, still falling: no new alert
    assert not any(s.raised for s in again)
    assert len(await outbox_events(crm, crm_pb2.ChurnRiskRaised)) == 1


async def test_the_score_and_the_watch_list_over_rest(
    crm: CrmApp, client: httpx.AsyncClient
) -> None:
    await thirty_days(crm)
    await score_accounts(crm.service)
    alpha = (await client.get("/v1/customers/alpha/churn")).json()
    assert alpha["drivers"] == ["VOLUME_DROP"]
    assert alpha["risk"] > 0.5
    assert alpha["alert_armed"] is False
    assert alpha["raised_at"].startswith("2026-10-01")
    listed = (await client.get("/v1/reports/churn", params={"min_risk": 0.3})).json()
    assert [a["customer_id"] for a in listed["accounts"]] == ["alpha"]
    sheet = await client.get("/v1/reports/churn", params={"min_risk": 0, "format": "csv"})
    assert sheet.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(sheet.text)))
    assert [r["customer_id"] for r in rows] == ["alpha", "bravo"]
    assert rows[0]["drivers"] == "VOLUME_DROP"
    assert_problem(await client.get("/v1/customers/nobody/churn"), 404, "not_found")
    bad = await client.get("/v1/reports/churn", params={"min_risk": 2})
    assert assert_problem(bad, 422, "invalid_request")["errors"][0]["location"] == [
        "query",
        "min_risk",
    ]
