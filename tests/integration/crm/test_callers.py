"""Complaints over REST, open issues in caller ID, caller ID by name and company over real
gRPC and REST, the complaint backlog report; on the real broker and mongod."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import subprocess
import sys
from datetime import timedelta
from typing import Any

import grpc
import httpx
import pytest

from fairwind.infra.pytest_plugin import InfraEndpoints
from fairwind.v1 import common_pb2, crm_pb2
from services.crm import handlers
from services.crm.bootstrap import CrmApp
from services.crm.domain.complaints import new_complaint
from tests.integration.crm.conftest import as_event, import_archive, order_created, profile
from tests.problems import assert_problem

pytestmark = pytest.mark.integration
BRAVO_PHONE = "+8675588881234"
# The caller says "顺丰"; the archive holds the full names, and decoys around them.
CALLER_ARCHIVE: list[dict[str, Any]] = [
    {
        "customer_id": "sf",
        "name": "李四",
        "company": "深圳市顺丰速运有限公司",
        "revenue_90d_cny": 900.0,
    },
    {"customer_id": "sf_food", "company": "顺丰泰森食品", "revenue_90d_cny": 5000.0},
    {
        "customer_id": "fengshun",
        "name": "王芳",
        "company": "丰顺贸易有限公司",
        "revenue_90d_cny": 8e3,
    },
    {
        "customer_id": "shunda",
        "name": "王芳",
        "company": "顺达电子有限公司",
        "revenue_90d_cny": 7e3,
    },
    {"customer_id": "acme", "name": "Amy Chen", "company": "ACME Limited", "revenue_90d_cny": 6e3},
]


async def book(app: CrmApp, waybill: str, customer: str) -> None:
    message = order_created(waybill, customer, 12.0, phone="0755-8888 1234")
    await handlers.on_orders_created(app.service, [as_event(app, message, waybill)])


async def file(client: httpx.AsyncClient, customer: str, **body: Any) -> httpx.Response:
    payload = {"category": "late", "summary": "parcel two days late", "filed_by": "agent-7"}
    return await client.post(f"/v1/customers/{customer}/complaints", json=payload | body)


async def open_count(app: CrmApp, customer: str) -> int:
    doc = await app.service.store.customers.get(customer)
    assert doc is not None
    return int(doc.get("open_complaints", 0))


async def test_complaint_lifecycle_keeps_the_open_count(
    crm: CrmApp, client: httpx.AsyncClient
) -> None:
    await import_archive(crm)
    await book(crm, "FW000000000201", "bravo")
    filed = await file(client, "bravo", waybill="FW000000000201", category="damaged")
    assert filed.status_code == 201, filed.text
    first = filed.json()
    assert filed.headers["location"] == f"/v1/complaints/{first['complaint_id']}"
    assert first["complaint_id"].startswith("CP-")
    assert (first["status"], first["waybill"], first["owner"]) == ("open", "FW000000000201", None)
    second = (await file(client, "bravo", owner="mgr-1")).json()
    assert await open_count(crm, "bravo") == 2
    fetched = await client.get(f"/v1/complaints/{first['complaint_id']}")
    assert fetched.json() == first

    assigned = await client.patch(
        f"/v1/complaints/{first['complaint_id']}", json={"owner": "mgr-2"}
    )
    assert assigned.status_code == 200
    assert assigned.json()["owner"] == "mgr-2"
    resolved = await client.post(
        f"/v1/complaints/{first['complaint_id']}/resolve",
        json={"resolution": "refunded the freight", "resolved_by": "mgr-2"},
    )
    assert resolved.status_code == 200, resolved.text
    body = resolved.json()
    assert (body["status"], body["resolution"], body["resolved_by"]) == (
        "resolved",
        "refunded the freight",
        "mgr-2",
    )
    assert body["resolved_at"] is not None
    assert await open_count(crm, "bravo") == 1

    # Resolving twice, or reassigning a resolved one, is a conflict and changes nothing.
    again = await client.post(
        f"/v1/complaints/{first['complaint_id']}/resolve",
        json={"resolution": "something else", "resolved_by": "mgr-3"},
    )
    assert_problem(again, 409, "conflict")
    late = await client.patch(f"/v1/complaints/{first['complaint_id']}", json={"owner": "mgr-9"})
    assert_problem(late, 409, "conflict")
    assert (await client.get(f"/v1/complaints/{first['complaint_id']}")).json() == body
    assert await open_count(crm, "bravo") == 1

    listed = await client.get("/v1/customers/bravo/complaints", params={"status": "open"})
    assert [c["complaint_id"] for c in listed.json()["complaints"]] == [second["complaint_id"]]
    every = (await client.get("/v1/customers/bravo/complaints")).json()["complaints"]
    assert [c["complaint_id"] for c in every] == [second["complaint_id"], first["complaint_id"]]
    view = (await client.get("/v1/customers/bravo")).json()
    assert (view["open_complaints"], view["complaints_90d"]) == (1, 2)


async def test_refused_complaints_change_nothing(crm: CrmApp, client: httpx.AsyncClient) -> None:
    await import_archive(crm)
    await book(crm, "FW000000000301", "bravo")
    assert_problem(await file(client, "nobody"), 404, "not_found")
    assert await crm.service.store.customers.get("nobody") is None
    # A waybill of another customer, or one crm never saw.
    for waybill in ("FW000000000301", "FW999999999999"):
        assert_problem(await file(client, "alpha", waybill=waybill), 422, "invalid_request")
    for bad in (
        {"category": "rude"},
        {"summary": "x" * 2001},
        {"summary": "   "},
        {"filed_by": ""},
        {"owner": "not a staff id"},
        {"priority": "high"},
    ):
        assert_problem(await file(client, "alpha", **bad), 422, "invalid_request")
    assert await crm.service.store.complaints.collection.count_documents({}) == 0
    assert await open_count(crm, "alpha") == 0
    assert await open_count(crm, "bravo") == 0
    for response in (
        await client.get("/v1/complaints/CP-NONE"),
        await client.patch("/v1/complaints/CP-NONE", json={"owner": "mgr-1"}),
        await client.post(
            "/v1/complaints/CP-NONE/resolve", json={"resolution": "x", "resolved_by": "mgr-1"}
        ),
        await client.get("/v1/customers/nobody/complaints"),
    ):
        assert_problem(response, 404, "not_found")
    bad_status = await client.get("/v1/customers/alpha/complaints", params={"status": "closed"})
    assert_problem(bad_status, 422, "invalid_request")


async def test_lookup_by_phone_lists_open_issues_oldest_first(
    crm: CrmApp, client: httpx.AsyncClient, stub: Any
) -> None:
    await import_archive(crm)
    await book(crm, "FW000000000401", "bravo")
    late = (await file(client, "bravo", waybill="FW000000000401", summary="late\nagain")).json()
    billing = (await file(client, "bravo", category="billing", summary="charged " * 40)).json()
    done = (await file(client, "bravo", category="lost")).json()
    await client.post(
        f"/v1/complaints/{done['complaint_id']}/resolve",
        json={"resolution": "found it", "resolved_by": "mgr-1"},
    )
    # One filed long ago counts in neither the open issues nor the 90 days once resolved.
    old = new_complaint(
        "CP-OLD", "bravo", "other", "last year", None, None, "agent-1",
        crm.service.clock.now() - timedelta(days=91),
    ) | {"status": "resolved"}  # fmt: skip
    await crm.service.store.complaints.insert(old)

    reply = await stub.LookupByPhone(crm_pb2.LookupByPhoneRequest(phone=BRAVO_PHONE))
    assert reply.profile.customer_id == "bravo"
    assert next(iter(reply.open_issues)) == (
        f"{late['complaint_id']} late FW000000000401: late again"
    )
    second = reply.open_issues[1]
    assert second.startswith(f"{billing['complaint_id']} billing: charged charged")
    assert len(second) == 120
    assert second.endswith("…")
    assert len(reply.open_issues) == 2
    assert reply.profile.complaints_90d == 3
    assert (await profile(stub, "bravo")).complaints_90d == 3
    charlie = await stub.LookupByPhone(crm_pb2.LookupByPhoneRequest(phone="13900000003"))
    assert (list(charlie.open_issues), charlie.profile.complaints_90d) == ([], 0)


async def seed_callers(app: CrmApp) -> None:
    await import_archive(app, CALLER_ARCHIVE)
    contact = {"name": "王芳", "title": "物流经理", "phone": "+8613800138000", "email": "wf@sf.cn"}
    await app.service.store.customers.collection.update_one(
        {"_id": "sf"}, {"$set": {"contacts": [contact]}}
    )


async def by_name(stub: Any, name: str, company: str, **more: int) -> crm_pb2.LookupByNameResponse:
    request = crm_pb2.LookupByNameRequest(name=name, company=company, **more)
    return await stub.LookupByName(request)  # type: ignore[no-any-return]


async def test_lookup_by_name_finds_the_company_among_decoys(
    crm: CrmApp, client: httpx.AsyncClient, stub: Any
) -> None:
    await seed_callers(crm)
    await book(crm, "FW000000000501", "sf")
    issue = (await file(client, "sf", waybill="FW000000000501")).json()

    reply = await by_name(stub, "王芳", "顺丰")
    assert reply.profile.customer_id == "sf"
    assert reply.profile.tier == common_pb2.CUSTOMER_TIER_Q5
    assert reply.match_score == 1.0
    assert (reply.contact.name, reply.contact.title) == ("王芳", "物流经理")
    assert reply.contact.phone == "+*********8000"
    assert [o.waybill for o in reply.recent_orders] == ["FW000000000501"]
    assert reply.recent_orders[0].consignee_name == "张*"
    assert list(reply.open_issues) == [
        f"{issue['complaint_id']} late FW000000000501: parcel two days late"
    ]
    # 顺丰泰森 contains the name; 丰顺 and 顺达 (sharing characters, and the caller's
    # name) do not reach the threshold.
    assert [(c.customer_id, c.contact_name) for c in reply.candidates] == [("sf_food", "")]
    assert 0.6 <= reply.candidates[0].score < 1.0

    # Misheard: nothing has 顺达电器, so the names sharing its bigrams are scored.
    misheard = await by_name(stub, "", "顺达电器")
    assert misheard.profile.customer_id == "shunda"
    assert misheard.match_score == pytest.approx(0.667)
    # Without the name: the company alone, and no contact.
    alone = await by_name(stub, "", "顺丰速运")
    assert alone.profile.customer_id == "sf"
    assert not alone.HasField("contact")
    english = await by_name(stub, "amy chen", "Acme Ltd")
    assert (english.profile.customer_id, english.contact.name) == ("acme", "Amy Chen")
    assert english.contact.phone == ""
    assert len(english.candidates) == 0
    # By the person's name only: two customers know a 王芳; the better-ranked is the caller.
    person = await by_name(stub, "王芳", "")
    assert person.profile.customer_id == "fengshun"
    assert [c.customer_id for c in person.candidates] == ["shunda", "sf"]
    assert [c.contact_name for c in person.candidates] == ["王*", "王*"]
    one = await by_name(stub, "王芳", "", max_candidates=1)
    assert [c.customer_id for c in one.candidates] == ["shunda"]


async def test_lookup_by_name_refusals(crm: CrmApp, stub: Any) -> None:
    await seed_callers(crm)
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await by_name(stub, "", "中通快递")
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    for name, company, more in (
        ("", "", {}),
        ("  ", " ", {}),
        ("王" * 201, "顺丰", {}),
        ("王芳", "顺" * 201, {}),
        ("王芳", "顺丰", {"max_candidates": -1}),
        ("王芳", "顺丰", {"recent_orders_limit": -1}),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as invalid:
            await by_name(stub, name, company, **more)
        assert invalid.value.code() == grpc.StatusCode.INVALID_ARGUMENT, (name, company)


async def cli(infra: InfraEndpoints, database: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | infra.env() | {"FAIRWIND_MONGO_DB": database, "FAIRWIND_LOG_JSON": "false"}
    command = [sys.executable, "-m", "services.crm", "customers", *args]
    return await asyncio.to_thread(
        subprocess.run, command, capture_output=True, text=True, env=env, timeout=120, check=False
    )


async def test_reindex_names_makes_older_customers_findable(
    crm: CrmApp, stub: Any, infra: InfraEndpoints, unique_name: str
) -> None:
    await seed_callers(crm)
    # Stored before company keys existed: no key, no grams.
    await crm.service.store.customers.collection.insert_one(
        {"_id": "legacy", "name": "赵六", "company": "中通快递股份有限公司", "phones": []}
    )
    with pytest.raises(grpc.aio.AioRpcError) as before:
        await by_name(stub, "", "中通")
    assert before.value.code() == grpc.StatusCode.NOT_FOUND
    done = await cli(infra, unique_name, "reindex-names")
    assert done.returncode == 0, done.stderr
    assert "reindexed 6 customers" in done.stderr
    legacy = await crm.service.store.customers.get("legacy")
    assert legacy is not None
    assert legacy["company_key"] == "中通"
    assert (await by_name(stub, "", "中通")).profile.customer_id == "legacy"


async def test_rest_caller_id(crm: CrmApp, client: httpx.AsyncClient) -> None:
    await seed_callers(crm)
    await import_archive(crm)
    await book(crm, "FW000000000601", "bravo")
    issue = (await file(client, "bravo", category="billing", summary="=1+1")).json()
    by_phone = await client.get("/v1/callers", params={"phone": "0755 8888 1234"})
    assert by_phone.status_code == 200, by_phone.text
    card = by_phone.json()
    assert card["profile"]["customer_id"] == "bravo"
    assert card["profile"]["open_complaints"] == 1
    assert card["open_issues"] == [f"{issue['complaint_id']} billing: =1+1"]
    order = card["recent_orders"][0]
    assert (order["waybill"], order["consignee_name"], order["status"]) == (
        "FW000000000601",
        "张*",
        "info_received",
    )
    assert order["price"] == {"amount": "12.00", "currency": "CNY"}

    named = await client.get("/v1/callers", params={"name": "王芳", "company": "顺丰"})
    assert named.status_code == 200, named.text
    match = named.json()
    assert (match["profile"]["customer_id"], match["match_score"]) == ("sf", 1.0)
    assert match["contact"] == {
        "name": "王芳",
        "title": "物流经理",
        "phone": "+*********8000",
        "email": "wf@sf.cn",
    }
    assert [c["customer_id"] for c in match["candidates"]] == ["sf_food"]
    only_company = (await client.get("/v1/callers", params={"company": "ACME"})).json()
    assert (only_company["profile"]["customer_id"], only_company["contact"]) == ("acme", None)

    refusals: list[tuple[dict[str, str | int], int, str]] = [
        ({}, 400, "bad_request"),
        ({"name": " ", "company": ""}, 400, "bad_request"),
        ({"phone": "not a number"}, 400, "bad_request"),
        ({"phone": "13700000000"}, 404, "not_found"),
        ({"company": "中通快递"}, 404, "not_found"),
        ({"company": "顺" * 201}, 422, "invalid_request"),
        ({"company": "顺丰", "max_candidates": -1}, 422, "invalid_request"),
    ]
    for params, status, reason in refusals:
        assert_problem(await client.get("/v1/callers", params=params), status, reason)


async def test_complaint_backlog_report_json_and_csv(
    crm: CrmApp, client: httpx.AsyncClient
) -> None:
    await import_archive(crm)
    now = crm.service.clock.now()
    store = crm.service.store.complaints
    # Opened 30 hours ago; resolved after 6 hours; resolved after 2 hours long ago.
    oldest = new_complaint("CP-OLDEST", "alpha", "lost", "-2+3", None, "mgr-1", "agent-1",
                           now - timedelta(hours=30))  # fmt: skip
    quick = new_complaint("CP-QUICK", "bravo", "late", "ok", None, None, "agent-1",
                          now - timedelta(hours=10))  # fmt: skip
    ancient = new_complaint("CP-ANCIENT", "bravo", "late", "ok", None, None, "agent-1",
                            now - timedelta(days=40))  # fmt: skip
    await store.insert(oldest)
    await store.insert(quick | {"status": "resolved", "resolved_at": now - timedelta(hours=4)})
    await store.insert(
        ancient | {"status": "resolved", "resolved_at": now - timedelta(days=40, hours=-2)}
    )
    for customer, category, owner in (
        ("alpha", "late", None),
        ("bravo", "late", "mgr-1"),
        ("charlie", "damaged", None),
    ):
        body = {"category": category} | ({"owner": owner} if owner else {})
        assert (await file(client, customer, **body)).status_code == 201

    report = (await client.get("/v1/reports/complaints")).json()
    assert report["open"] == 4
    assert report["open_by_category"] == {
        "late": 2,
        "damaged": 1,
        "lost": 1,
        "courier_conduct": 0,
        "billing": 0,
        "other": 0,
    }
    assert report["open_by_owner"] == {"mgr-1": 2, "unassigned": 2}
    first = report["oldest_open"][0]
    assert (first["complaint_id"], first["age_hours"]) == ("CP-OLDEST", 30.0)
    assert len(report["oldest_open"]) == 4
    assert (report["resolved_30d"], report["mean_hours_to_resolve_30d"]) == (1, 6.0)

    exported = await client.get("/v1/reports/complaints", params={"format": "csv"})
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == 4
    assert (rows[0]["complaint_id"], rows[0]["summary"], rows[0]["age_hours"]) == (
        "CP-OLDEST",
        "'-2+3",
        "30.0",
    )
    assert {r["customer_id"] for r in rows} == {"alpha", "bravo", "charlie"}
    bad = await client.get("/v1/reports/complaints", params={"format": "xlsx"})
    assert_problem(bad, 422, "invalid_request")
