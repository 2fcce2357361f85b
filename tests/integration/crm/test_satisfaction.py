"""Surveys on the real broker into the archive (once, however often delivered), the
customers' 90-day satisfaction, and the reports: satisfaction joined to SLA outcomes,
revenue share per quintile, tier movements; JSON, CSV and problem+json."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import ConsumerRecord
from prometheus_client import CollectorRegistry

from fairwind.clock import PlatformClock
from fairwind.v1 import common_pb2, crm_pb2
from services.crm import handlers
from services.crm.bootstrap import CrmApp
from services.crm.ranking import rerank
from services.crm.surveys import on_surveys_answered, refresh_aged
from tests.integration.crm.conftest import (
    as_event,
    eventually,
    import_archive,
    order_created,
    profile,
    publish,
    running,
)
from tests.problems import assert_problem

pytestmark = pytest.mark.integration
ReadTopic = Callable[[str], Coroutine[Any, Any, list[ConsumerRecord[bytes, bytes]]]]
Document = dict[str, Any]


def answered(
    survey_id: str,
    customer: str,
    score: int,
    *,
    waybill: str = "",
    recommend: int | None = None,
    at: datetime | None = None,
) -> crm_pb2.SurveyAnswered:
    message = crm_pb2.SurveyAnswered(
        survey_id=survey_id,
        customer_id=customer,
        waybill=waybill,
        score=score,
        comment="准时送达" if score >= 4 else "",
        channel=common_pb2.CHANNEL_EMAIL,
    )
    if recommend is not None:
        message.recommend = recommend
    message.answered_at.FromDatetime(at or datetime.now(UTC))
    return message


async def keep(app: CrmApp, *messages: crm_pb2.SurveyAnswered) -> None:
    """Hand answers to the handler as one batch, as the consumer does."""
    await on_surveys_answered(
        app.service, [as_event(app, m, m.waybill or m.customer_id) for m in messages]
    )


def consumed(registry: CollectorRegistry, topic: str, outcome: str) -> float:
    labels = {"topic": topic, "group": "crm", "outcome": outcome}
    return registry.get_sample_value("fairwind_events_consumed_total", labels) or 0.0


def surveys_handled(registry: CollectorRegistry, outcome: str) -> float:
    labels = {"event": "SurveyAnswered", "outcome": outcome}
    return registry.get_sample_value("fairwind_crm_events_total", labels) or 0.0


async def test_answers_on_the_broker_are_kept_once_and_crm_ignores_its_own_events(
    crm: CrmApp,
    stub: Any,
    client: httpx.AsyncClient,
    read_topic: ReadTopic,
    registry: CollectorRegistry,
) -> None:
    await import_archive(crm)  # five first tiers: SegmentChanged on crm's own topic
    topic = crm.platform.catalog.kind_of(crm_pb2.SurveyAnswered).topic
    delivered = answered("sv_FW000000000011", "alpha", 5, waybill="FW000000000011", recommend=10)
    visit = answered("visit:alpha:1", "alpha", 3)
    poison = answered("sv_FW000000000029", "alpha", 9, waybill="FW000000000029")
    async with running(crm):
        # The same answer twice under two event ids: a producer's retry after a crash.
        await publish(
            crm,
            (delivered, delivered.waybill),
            (delivered, delivered.waybill),
            (visit, "alpha"),
            (poison, poison.waybill),
        )

        async def all_taken() -> bool:
            # Four answers and the five SegmentChanged the relay put on the same topic.
            taken = sum(
                consumed(registry, topic, o) for o in ("handled", "ignored", "dead_lettered")
            )
            return taken == 9

        await eventually(all_taken)
    assert consumed(registry, topic, "dead_lettered") == 1
    dead = await read_topic(f"{topic}.dlq")
    assert [(dict(r.headers)["ce_type"], dict(r.headers)["dlq_reason"]) for r in dead] == [
        (f"{topic}.SurveyAnswered".encode(), b"rejected")
    ]
    assert (surveys_handled(registry, "applied"), surveys_handled(registry, "duplicate")) == (2, 1)

    stored = {d["_id"]: d async for d in crm.platform.db["surveys"].find()}
    assert set(stored) == {"sv_FW000000000011", "visit:alpha:1"}
    kept = stored["sv_FW000000000011"]
    assert (kept["source"], kept["waybill"], kept["score"], kept["recommend"]) == (
        "delivery",
        "FW000000000011",
        5,
        10,
    )
    assert (kept["channel"], kept["comment"]) == ("email", "准时送达")
    assert (stored["visit:alpha:1"]["source"], stored["visit:alpha:1"]["waybill"]) == (
        "visit",
        None,
    )
    assert stored["visit:alpha:1"]["recommend"] is None

    alpha = await profile(stub, "alpha")
    assert (alpha.satisfaction_score, alpha.survey_answers_90d) == (4.0, 2)  # (5 + 3) / 2
    body = (await client.get("/v1/customers/alpha")).json()
    assert (body["satisfaction_score"], body["survey_answers_90d"]) == (4.0, 2)
    bravo = (await client.get("/v1/customers/bravo")).json()
    assert (bravo["satisfaction_score"], bravo["survey_answers_90d"]) == (None, 0)


async def test_the_90_day_figure_forgets_answers_as_they_age_out(crm: CrmApp, stub: Any) -> None:
    await import_archive(crm)
    business_now = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    crm.service.clock = PlatformClock(origin=business_now, anchor=datetime.now(UTC))
    await keep(
        crm,
        answered("sv_OLD", "delta", 1, waybill="OLD", at=business_now - timedelta(days=100)),
        answered("sv_AGING", "delta", 1, waybill="AGING", at=business_now - timedelta(days=85)),
        answered("sv_NEW", "delta", 5, waybill="NEW", at=business_now - timedelta(days=1)),
    )
    delta = await profile(stub, "delta")
    assert (delta.satisfaction_score, delta.survey_answers_90d) == (3.0, 2)  # 100 days: out
    doc = await crm.service.store.customers.get("delta")
    assert doc is not None
    # 85 days before 26 November is 2 September: in the window up to 30 November.
    assert doc["satisfaction"]["changes_at"] == datetime(2026, 12, 1, tzinfo=UTC)

    assert await refresh_aged(crm.service) == 0  # nothing has aged yet
    crm.service.clock = PlatformClock(
        origin=business_now + timedelta(days=5), anchor=datetime.now(UTC)
    )
    assert await refresh_aged(crm.service) == 1
    delta = await profile(stub, "delta")
    assert (delta.satisfaction_score, delta.survey_answers_90d) == (5.0, 1)
    assert await refresh_aged(crm.service) == 0

    await keep(crm, answered("sv_AGING", "delta", 5, waybill="AGING"))  # a replay: no change
    assert await crm.platform.db["surveys"].count_documents({}) == 3
    assert (await profile(stub, "delta")).survey_answers_90d == 1


OUTCOMES: list[Document] = [
    {"_id": "W1", "customer_id": "alpha", "tier": "Q1", "outlet_code": "755A",
     "clocks": {"promise": "met"}, "breached": False},
    {"_id": "W2", "customer_id": "alpha", "tier": "Q1", "outlet_code": "755A",
     "clocks": {"outlet_delivery": "breached", "promise": "breached"}, "breached": True},
    {"_id": "W3", "customer_id": "bravo", "tier": "Q2", "outlet_code": "010B",
     "clocks": {"pickup": "met", "promise": "met"}, "breached": False},
    {"_id": "W4", "customer_id": "bravo", "tier": "Q2", "outlet_code": "=HACK()",
     "clocks": {"promise": "breached"}, "breached": True},
]  # fmt: skip


async def seed_surveys(crm: CrmApp) -> None:
    """Outcomes as the archive part writes them, and answers to join them to."""
    now = datetime.now(UTC)
    for outcome in OUTCOMES:
        await crm.platform.db["outcomes"].insert_one(outcome | {"updated_at": now})
    await keep(
        crm,
        answered("sv_W1", "alpha", 5, waybill="W1", recommend=10),
        answered("sv_W2", "alpha", 2, waybill="W2", recommend=3),
        answered("sv_W3", "bravo", 4, waybill="W3", recommend=9),
        answered("sv_W4", "bravo", 3, waybill="W4", recommend=7),
        answered("sv_W5", "charlie", 4, waybill="W5"),  # no outcome yet
        answered("visit:alpha:1", "alpha", 5, recommend=9),
        answered("sv_W6", "delta", 1, waybill="W6", at=now - timedelta(days=40)),
    )


def by(rows: list[Document], key: str) -> dict[str, Document]:
    return {row[key]: row for row in rows}


async def test_satisfaction_joined_to_outcomes_per_tier_outlet_and_sla(
    crm: CrmApp, client: httpx.AsyncClient
) -> None:
    await import_archive(crm)  # alpha Q1, bravo Q2, charlie Q3, delta Q4, echo Q5
    await seed_surveys(crm)
    answer = await client.get("/v1/reports/satisfaction")
    assert answer.status_code == 200
    body = answer.json()
    assert body["window"]["days"] == 30
    overall = body["overall"]
    # Six answers in 30 days: scores 5 2 4 3 4 5 (mean 23 / 6), four of them 4 or 5;
    # recommend 10 3 9 7 9: three promoters, one detractor of five, NPS +40.
    assert (overall["answers"], overall["mean_score"], overall["csat_pct"]) == (6, 3.83, 66.67)
    assert (overall["nps"], overall["nps_answers"]) == (40.0, 5)
    sources = by(body["by_source"], "source")
    assert (sources["delivery"]["answers"], sources["visit"]["answers"]) == (5, 1)

    tiers = by(body["by_tier"], "tier")
    assert list(tiers) == ["Q1", "Q2", "Q3", "Q4", "Q5"]
    # Q1: W1 5, W2 2 and alpha's visit 5; NPS from 10, 3, 9: (2 - 1) / 3.
    assert (tiers["Q1"]["answers"], tiers["Q1"]["mean_score"], tiers["Q1"]["nps"]) == (
        3,
        4.0,
        33.33,
    )
    assert (tiers["Q2"]["answers"], tiers["Q2"]["csat_pct"], tiers["Q2"]["nps"]) == (2, 50.0, 50.0)
    # W5 has no outcome: it counts under charlie's current tier.
    assert (tiers["Q3"]["answers"], tiers["Q3"]["nps"]) == (1, None)
    assert tiers["Q4"]["answers"] == 0  # delta's answer is 40 days old

    outlets = by(body["by_outlet"], "outlet")
    assert list(outlets) == ["010B", "755A", "=HACK()", "unknown"]
    assert (outlets["755A"]["answers"], outlets["755A"]["mean_score"]) == (2, 3.5)

    sla = by(body["by_sla"], "sla")
    assert (sla["met"]["answers"], sla["met"]["mean_score"], sla["met"]["nps"]) == (2, 4.5, 100.0)
    assert (sla["breached"]["csat_pct"], sla["breached"]["nps"]) == (0.0, -50.0)
    assert sla["unknown"]["answers"] == 1
    assert body["breach_effect"] == {
        "mean_score": 2.0,  # 4.5 - 2.5
        "csat_pct": 100.0,  # 100 % - 0 %
        "nps": 150.0,  # 100 - (-50)
        "met_answers": 2,
        "breached_answers": 2,
    }

    wider = (await client.get("/v1/reports/satisfaction", params={"days": 60})).json()
    assert wider["overall"]["answers"] == 7
    assert by(wider["by_tier"], "tier")["Q4"]["mean_score"] == 1.0


async def test_satisfaction_as_csv_is_safe_to_open(crm: CrmApp, client: httpx.AsyncClient) -> None:
    await import_archive(crm)
    await seed_surveys(crm)
    answer = await client.get("/v1/reports/satisfaction", params={"format": "csv"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    cells = {(r["group"], r["key"]): r for r in rows}
    assert cells[("overall", "all")]["answers"] == "6"
    assert ("outlet", "=HACK()") not in cells  # a formula never reaches a spreadsheet raw
    assert cells[("outlet", "'=HACK()")]["answers"] == "1"
    effect = cells[("breach_effect", "met-breached")]
    assert (effect["mean_score"], effect["csat_pct"], effect["nps"]) == ("2.0", "100.0", "150.0")
    assert cells[("tier", "Q3")]["nps"] == ""


TEN = [  # CNY; ten customers, two per tier
    ("c01", 5000.0), ("c02", 3000.0), ("c03", 1000.0), ("c04", 500.0), ("c05", 200.0),
    ("c06", 150.0), ("c07", 80.0), ("c08", 40.0), ("c09", 20.0), ("c10", 10.0),
]  # fmt: skip


async def test_revenue_share_of_an_imported_archive_of_ten(
    crm: CrmApp, client: httpx.AsyncClient
) -> None:
    await import_archive(crm, [{"customer_id": c, "revenue_90d_cny": r} for c, r in TEN])
    body = (await client.get("/v1/reports/revenue-share")).json()
    # 10,000 CNY in all: Q1 5,000 + 3,000 = 80 %, Q2 1,500 = 15 %, Q3 350 = 3.5 %,
    # Q4 120 = 1.2 %, Q5 30 = 0.3 %.
    assert body["customers"] == 10
    assert body["revenue_90d"] == {"amount": "10000.00", "currency": "CNY"}
    rows = [
        (t["tier"], t["customers"], t["revenue_90d"]["amount"], t["share_pct"])
        for t in body["tiers"]
    ]
    assert rows == [
        ("Q1", 2, "8000.00", 80.0),
        ("Q2", 2, "1500.00", 15.0),
        ("Q3", 2, "350.00", 3.5),
        ("Q4", 2, "120.00", 1.2),
        ("Q5", 2, "30.00", 0.3),
    ]
    assert [t["cumulative_pct"] for t in body["tiers"]] == [80.0, 95.0, 98.5, 99.7, 100.0]
    assert body["top_20"] == {
        "customers": 2,
        "customers_pct": 20.0,
        "revenue_90d": {"amount": "8000.00", "currency": "CNY"},
        "share_pct": 80.0,
    }
    assert body["headline"] == "top 20 % of customers (2 of 10, 20.0 %) make 80.0 % of revenue"
    assert body["ranked_at"]

    table = (await client.get("/v1/reports/revenue-share", params={"format": "csv"})).text
    rows_csv = {r["tier"]: r for r in csv.DictReader(io.StringIO(table))}
    assert (rows_csv["Q3"]["revenue_90d"], rows_csv["Q3"]["share_pct"]) == ("350.00", "3.5")
    assert (rows_csv["top_20"]["customers"], rows_csv["top_20"]["share_pct"]) == ("2", "80.0")
    assert rows_csv["all"]["revenue_90d"] == "10000.00"


async def test_tier_history_after_two_reranks_with_a_change(
    crm: CrmApp, client: httpx.AsyncClient
) -> None:
    await import_archive(crm)  # the first re-rank: five first tiers
    big = order_created("FW000000000011", "echo", 100_000.0)
    await handlers.on_orders_created(crm.service, [as_event(crm, big, "FW000000000011")])
    await rerank(crm.service)  # echo Q5 -> Q1, everyone else one down
    await rerank(crm.service)  # nothing changes: nothing recorded
    history = crm.platform.db["tier_history"]
    echo = [
        (d["from"], d["to"], d["rank"])
        async for d in history.find({"customer_id": "echo"}).sort("at", 1)
    ]
    assert echo == [(None, "Q5", 5), ("Q5", "Q1", 1)]
    assert await history.count_documents({}) == 10

    body = (await client.get("/v1/reports/tier-movements", params={"days": 7})).json()
    assert body["period"] == "day"
    assert len(body["periods"]) == 7
    today = body["periods"][-1]
    assert (today["new"], today["upgrades"], today["downgrades"]) == (5, 1, 4)
    # Into Q1: alpha's first tier and echo's move; out of it: alpha's fall to Q2.
    assert today["net_into_q1"] == 1
    assert today["matrix"]["new"] == {"Q1": 1, "Q2": 1, "Q3": 1, "Q4": 1, "Q5": 1}
    assert (today["matrix"]["Q5"]["Q1"], today["matrix"]["Q1"]["Q2"]) == (1, 1)
    assert body["total"]["upgrades"] == 1
    assert all(p["upgrades"] + p["downgrades"] + p["new"] == 0 for p in body["periods"][:-1])

    weeks = (await client.get("/v1/reports/tier-movements", params={"days": 90})).json()
    assert weeks["period"] == "week"
    assert (weeks["total"]["downgrades"], weeks["total"]["net_into_q1"]) == (4, 1)
    table = (await client.get("/v1/reports/tier-movements", params={"format": "csv"})).text
    total = next(r for r in csv.DictReader(io.StringIO(table)) if r["period"] == "total")
    assert (total["Q5>Q1"], total["Q4>Q5"], total["new>Q3"]) == ("1", "1", "1")


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/reports/satisfaction", {"days": 0}),
        ("/v1/reports/satisfaction", {"days": 366}),
        ("/v1/reports/satisfaction", {"days": "a week"}),
        ("/v1/reports/satisfaction", {"format": "xlsx"}),
        ("/v1/reports/revenue-share", {"format": "pdf"}),
        ("/v1/reports/tier-movements", {"days": -1}),
        ("/v1/reports/tier-movements", {"days": 1000}),
        ("/v1/reports/tier-movements", {"format": "CSV "}),
    ],
)
async def test_bad_report_parameters_are_problem_json(
    crm: CrmApp, client: httpx.AsyncClient, path: str, params: dict[str, Any]
) -> None:
    body = assert_problem(await client.get(path, params=params), 422, "invalid_request")
    assert body["errors"][0]["location"][0] == "query"
