"""The account managers' day on the real broker and mongod: the activity log (a visit
survey becomes SurveyAnswered on the broker), the due list of visits and the portfolio."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import ConsumerRecord

from fairwind.v1 import crm_pb2
from services.crm.bootstrap import CrmApp
from tests.integration.crm.conftest import eventually, import_archive, running
from tests.problems import assert_problem

pytestmark = pytest.mark.integration
ReadTopic = Callable[[str], Coroutine[Any, Any, list[ConsumerRecord[bytes, bytes]]]]
# Twenty customers: k1..k4 are the key accounts (Q1).
TWENTY = [{"customer_id": f"k{n}", "revenue_90d_cny": 1000.0 * (21 - n)} for n in range(1, 21)]
LI = {"id": "m.li", "name": "李敏", "email": "li.min@fw.example", "phone": "138 0013 8000"}
WANG = {"id": "m.wang", "name": "王强", "email": "wang@fw.example", "phone": "139 0000 0001"}


def ago(**delta: float) -> str:
    return (datetime.now(UTC) - timedelta(**delta)).isoformat()


async def setup(app: CrmApp, client: httpx.AsyncClient) -> None:
    """Two managers and the twenty customers: k1, k4 -> m.li; k2, k3 -> m.wang."""
    for spec in (LI, WANG):
        assert (await client.post("/v1/managers", json=spec)).status_code == 201
    await import_archive(app, TWENTY)


async def log(client: httpx.AsyncClient, customer: str, **body: Any) -> httpx.Response:
    spec = {"kind": "visit", "manager_id": "m.li", "summary": "季度回访"} | body
    return await client.post(f"/v1/customers/{customer}/activities", json=spec)


async def test_a_visit_moves_the_last_visit_and_its_survey_reaches_the_broker(
    crm: CrmApp, client: httpx.AsyncClient, read_topic: ReadTopic
) -> None:
    await setup(crm, client)
    visited_at = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
    async with running(crm):
        survey = {"score": 4, "recommend": 9, "comment": "取件很准时"}
        made = await log(client, "k1", at=visited_at.isoformat(), survey=survey)
        assert made.status_code == 201, made.text
        activity = made.json()
        assert activity["survey_id"] == f"visit:{activity['id']}"

        async def relayed() -> bool:
            return await crm.platform.outbox.backlog() == 0

        await eventually(relayed)
    topic = crm.platform.catalog.kind_of(crm_pb2.SurveyAnswered).topic
    answers = [
        (r.key, crm_pb2.SurveyAnswered.FromString(r.value))
        for r in await read_topic(topic)
        if dict(r.headers)["ce_type"].endswith(b".SurveyAnswered")
    ]
    assert len(answers) == 1
    key, answer = answers[0]
    assert (key, answer.survey_id, answer.customer_id) == (b"k1", activity["survey_id"], "k1")
    assert (answer.waybill, answer.score, answer.recommend, answer.comment) == (
        "",
        4,
        9,
        "取件很准时",
    )
    assert answer.channel == 0  # unspecified: given in person
    assert answer.answered_at.ToDatetime(tzinfo=UTC) == visited_at

    # A call is no visit; a visit logged late does not move the last visit back.
    assert (await log(client, "k1", kind="call", summary="电话确认")).status_code == 201
    assert (await log(client, "k1", at=ago(days=10))).status_code == 201
    k1 = await crm.service.store.customers.get("k1")
    assert k1 is not None
    assert k1["last_visit_at"] == visited_at
    shown = (await client.get("/v1/customers/k1")).json()
    assert shown["last_visit_at"] == visited_at.isoformat().replace("+00:00", "Z")
    listed = (await client.get("/v1/customers/k1/activities")).json()["activities"]
    assert [(a["kind"], a["survey"] is not None) for a in listed] == [
        ("call", False),
        ("visit", True),
        ("visit", False),
    ]
    paged = await client.get("/v1/customers/k1/activities", params={"limit": 1, "offset": 1})
    assert [a["id"] for a in paged.json()["activities"]] == [activity["id"]]


async def test_bad_activities_are_problems_and_change_nothing(
    crm: CrmApp, client: httpx.AsyncClient
) -> None:
    await setup(crm, client)
    outbox = await crm.platform.outbox.records.count_documents({})
    for customer, body, status, reason in (
        ("nobody", {}, 404, "not_found"),
        ("k1", {"manager_id": "m.nobody"}, 404, "not_found"),
        ("k1", {"kind": "call", "survey": {"score": 5}}, 422, "invalid_request"),
        ("k1", {"survey": {"score": 0}}, 422, "invalid_request"),
        ("k1", {"at": ago(days=-1), "survey": {"score": 5}}, 422, "invalid_request"),
        ("k1", {"at": "2026-11-26T09:00:00"}, 422, "invalid_request"),
        ("k1", {"summary": "长" * 2001}, 422, "invalid_request"),
        ("k1", {"kind": "lunch"}, 422, "invalid_request"),
        ("k1", {"mood": "good"}, 422, "invalid_request"),
    ):
        assert_problem(await log(client, customer, **body), status, reason)
    not_json = await client.post(
        "/v1/customers/k1/activities", content=b"kind=visit", headers={"content-type": "text/plain"}
    )
    assert_problem(not_json, 415, "unsupported_media_type")
    assert await crm.platform.db["activities"].count_documents({}) == 0
    assert await crm.platform.outbox.records.count_documents({}) == outbox
    k1 = await crm.service.store.customers.get("k1")
    assert k1 is not None
    assert "last_visit_at" not in k1
    assert_problem(await client.get("/v1/customers/nobody/activities"), 404, "not_found")
    too_many = await client.get("/v1/customers/k1/activities", params={"limit": 10_000})
    assert_problem(too_many, 400, "bad_request")


async def test_the_due_list_puts_never_visited_first_then_the_most_overdue(
    crm: CrmApp, client: httpx.AsyncClient
) -> None:
    await setup(crm, client)
    assert (await log(client, "k1", at=ago(days=40))).status_code == 201
    assert (await log(client, "k4", at=ago(days=3))).status_code == 201
    assert (await log(client, "k2", manager_id="m.wang", at=ago(days=35))).status_code == 201
    # k3 was never visited; k5.. are not key accounts and never due.
    everyone = (await client.get("/v1/visits/due")).json()
    assert (everyone["interval_days"], everyone["total"]) == (30, 3)
    due = [(d["customer_id"], d["never_visited"], d["days_overdue"]) for d in everyone["due"]]
    assert due == [("k3", True, None), ("k1", False, 10), ("k2", False, 5)]
    assert everyone["due"][0]["account_manager"] == {"id": "m.wang", "name": "王强"}
    assert everyone["due"][1]["revenue_90d"] == {"amount": "20000.00", "currency": "CNY"}
    mine = (await client.get("/v1/managers/m.li/due-visits")).json()
    assert [d["customer_id"] for d in mine["due"]] == ["k1"]
    first = (await client.get("/v1/visits/due", params={"limit": 1})).json()
    assert ([d["customer_id"] for d in first["due"]], first["total"]) == (["k3"], 3)
    assert_problem(await client.get("/v1/managers/nobody/due-visits"), 404, "not_found")
    assert_problem(await client.get("/v1/visits/due", params={"limit": 0}), 422, "invalid_request")
    assert_problem(await client.get("/v1/visits/due", params={"limit": 9999}), 400, "bad_request")


async def test_the_portfolio_shows_the_accounts_biggest_first_with_their_signals(
    crm: CrmApp, client: httpx.AsyncClient
) -> None:
    await setup(crm, client)
    await client.put("/v1/customers/k10/manager", json={"manager_id": "m.li"})
    assert (await log(client, "k4", at=ago(days=1))).status_code == 201
    # Fields other parts keep on the customer: complaints and the churn score.
    customers = crm.platform.db["customers"]
    await customers.update_one({"_id": "k1"}, {"$set": {"open_complaints": 2, "churn.risk": 0.7}})
    answer = await client.get("/v1/managers/m.li/portfolio")
    assert answer.status_code == 200
    body = answer.json()
    assert body["manager"]["id"] == "m.li"
    lines = [
        (a["customer_id"], a["tier"], a["pinned"], a["open_complaints"], a["churn_risk"])
        for a in body["accounts"]
    ]
    assert lines == [
        ("k1", "Q1", False, 2, 0.7),
        ("k4", "Q1", False, 0, None),
        ("k10", "Q3", True, 0, None),
    ]
    assert [a["visit_due"] for a in body["accounts"]] == [True, False, False]
    assert body["accounts"][1]["last_visit_at"] is not None
    assert body["totals"] == {
        "accounts": 3,
        "key_accounts": 2,
        "revenue_90d": {"amount": "48000.00", "currency": "CNY"},
        "visits_due": 1,
        "open_complaints": 2,
    }
    assert_problem(await client.get("/v1/managers/nobody/portfolio"), 404, "not_found")
