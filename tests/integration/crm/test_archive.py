"""The archive on the real broker and mongod: contacts and caller ID, the import's contacts
and city, the shipper city, volume per service level, the competitor evaluation,
problem+json refusals (service records and outcomes: test_service_records.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import httpx
import pytest

from fairwind.v1 import common_pb2, crm_pb2, orders_pb2
from services.crm import handlers
from services.crm.archive import BadImport, parse
from services.crm.bootstrap import CrmApp
from tests.integration.crm.conftest import (
    ARCHIVE,
    as_event,
    import_archive,
    order_created,
    profile,
)
from tests.problems import assert_problem

pytestmark = pytest.mark.integration
NOW = datetime.now(UTC).replace(microsecond=0)
W1, W2, W3, W4, UNKNOWN = (f"FW00000000{n:04d}" for n in (201, 202, 203, 204, 999))
S = common_pb2  # statuses, reasons, levels


def contact(name: str, phone: str, title: str = "物流经理") -> dict[str, str]:
    return {"name": name, "title": title, "phone": phone, "email": f"{len(name)}@acme.example"}


async def lookup(stub: Any, phone: str) -> crm_pb2.LookupByPhoneResponse:
    return await stub.LookupByPhone(crm_pb2.LookupByPhoneRequest(phone=phone))  # type: ignore[no-any-return]


async def stored(app: CrmApp, customer_id: str) -> dict[str, Any]:
    doc = await app.platform.db["customers"].find_one({"_id": customer_id})
    assert doc is not None
    return doc


async def test_contacts_replace_the_list_and_their_phones_find_the_caller(
    crm: CrmApp, client: httpx.AsyncClient, stub: Any
) -> None:
    await import_archive(crm)  # charlie's own number: +8613900000003
    main, deputy = contact("赵主管", "0755-2222 3333"), contact("钱助理", "+86 139 1111 2222")
    answer = await client.put("/v1/customers/charlie/contacts", json={"contacts": [main, deputy]})
    assert answer.status_code == 200, answer.text
    assert [c["phone"] for c in answer.json()["contacts"]] == ["+8675522223333", "+8613911112222"]

    reply = await lookup(stub, "0755 2222 3333")
    assert reply.profile.customer_id == "charlie"
    assert [(c.name, c.title, c.phone) for c in reply.profile.contacts] == [
        ("赵主管", "物流经理", "+8675522223333"),
        ("钱助理", "物流经理", "+8613911112222"),
    ]
    listed = (await client.get("/v1/customers/charlie/contacts")).json()["contacts"]
    assert listed[0]["name"] == "赵主管"  # the main contact stays first

    # The main contact leaves: its number no longer finds charlie; the import's still does.
    await client.put("/v1/customers/charlie/contacts", json={"contacts": [deputy]})
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await lookup(stub, "0755 2222 3333")
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    assert (await lookup(stub, "+8613911112222")).profile.customer_id == "charlie"
    assert (await lookup(stub, "+8613900000003")).profile.customer_id == "charlie"
    assert (await stored(crm, "charlie"))["phones"] == ["+8613900000003", "+8613911112222"]


async def test_bad_bodies_are_problems_and_change_nothing(
    crm: CrmApp, client: httpx.AsyncClient
) -> None:
    await import_archive(crm)
    deputy = contact("钱助理", "+86 139 1111 2222")
    await client.put("/v1/customers/charlie/contacts", json={"contacts": [deputy]})
    rival = {"name": "京东物流", "share_pct": 30, "price_vs_us": "cheaper", "service_vs_us": "same"}
    good = {"competitors": [rival], "notes": "价格敏感", "recorded_by": "mgr-7"}
    assert (await client.put("/v1/customers/charlie/evaluation", json=good)).status_code == 200
    before = await stored(crm, "charlie")

    bad_contacts: list[dict[str, Any]] = [
        {"contacts": [deputy] * 21},
        {"contacts": [deputy | {"phone": "not a number"}]},
        {"contacts": [deputy | {"fax": "x"}]},
        {"contacts": [deputy | {"name": "x" * 101}]},
        {},
    ]
    for body in bad_contacts:
        assert_problem(
            await client.put("/v1/customers/charlie/contacts", json=body), 422, "invalid_request"
        )
    bad_evaluations: list[dict[str, Any]] = [
        good
        | {"competitors": [rival | {"share_pct": 60}, rival | {"name": "中通", "share_pct": 60}]},
        good | {"competitors": [rival | {"service_vs_us": "faster"}]},
        good | {"recorded_by": ""},
        good | {"rating": 5},
    ]
    for body in bad_evaluations:
        assert_problem(
            await client.put("/v1/customers/charlie/evaluation", json=body), 422, "invalid_request"
        )
    assert await stored(crm, "charlie") == before

    customers = await crm.platform.db["customers"].count_documents({})
    fine: list[tuple[str, dict[str, Any]]] = [
        ("contacts", {"contacts": [deputy]}),
        ("evaluation", good),
    ]
    for path, body in fine:
        assert_problem(
            await client.put(f"/v1/customers/nobody/{path}", json=body), 404, "not_found"
        )
    assert await crm.platform.db["customers"].count_documents({}) == customers
    for path in ("contacts", "evaluation", "evaluations", "service-records"):
        assert_problem(await client.get(f"/v1/customers/nobody/{path}"), 404, "not_found")
    assert_problem(await client.get("/v1/customers/delta/evaluation"), 404, "not_found")
    for params, status, reason in (
        ({"kind": "late"}, 422, "invalid_request"),
        ({"limit": 0}, 422, "invalid_request"),
        ({"before": "yesterday"}, 422, "invalid_request"),
        ({"limit": 10_000}, 400, "bad_request"),
    ):
        answer = await client.get("/v1/customers/charlie/service-records", params=params)
        assert_problem(answer, status, reason)


async def test_the_import_takes_contacts_and_a_city_orders_do_not_override(
    crm: CrmApp, stub: Any
) -> None:
    lines = [
        *ARCHIVE[:4],
        ARCHIVE[4] | {"city": "杭州市", "contacts": [contact("孙经理", "0571 8888 0001")]},
    ]
    await import_archive(crm, lines)
    echo = await profile(stub, "echo")
    assert (echo.city, [c.name for c in echo.contacts]) == ("杭州市", ["孙经理"])
    assert (await lookup(stub, "0571-8888-0001")).profile.customer_id == "echo"

    for n in range(3):
        message = order_created(f"FW00000003{n:04d}", "echo", 10.0)
        message.order.shipper.address.city = "深圳市"
        await handlers.on_orders_created(
            crm.service, [as_event(crm, message, message.order.waybill)]
        )
    doc = await stored(crm, "echo")
    assert (doc["city"], doc["cities"]) == ("杭州市", {"深圳市": 3})

    # A line without contacts keeps them; a contact with an unknown field refuses the file.
    await import_archive(crm, [ARCHIVE[4]])
    assert [c.name for c in (await profile(stub, "echo")).contacts] == ["孙经理"]
    bad = ARCHIVE[4] | {"contacts": [{"name": "周", "wechat": "x"}]}
    with pytest.raises(BadImport, match=r"line 1: contacts\.0\.wechat"):
        parse([json.dumps(bad)], "86", 10, 16 * 1024)


async def test_the_city_is_where_the_customer_ships_from_most(crm: CrmApp, stub: Any) -> None:
    await import_archive(crm)

    waybills = (f"FW00000004{n:04d}" for n in range(100))

    async def ship(*cities: str) -> str:
        events = []
        for city in cities:
            message = order_created(next(waybills), "delta", 10.0)
            message.order.shipper.address.city = city
            events.append(as_event(crm, message, message.order.waybill))
        await handlers.on_orders_created(crm.service, events)
        return (await profile(stub, "delta")).city

    assert await ship("深圳市") == "深圳市"
    assert await ship("广州市", "") == "深圳市"  # a tie: the city counted first stays
    assert await ship("广州市", "广州市") == "广州市"
    assert (await stored(crm, "delta"))["cities"] == {"深圳市": 1, "广州市": 3}


async def test_volume_per_service_level_over_the_window(
    crm: CrmApp, client: httpx.AsyncClient
) -> None:
    await import_archive(crm)
    specs = [
        ("FW000000050001", S.SERVICE_LEVEL_NEXT_DAY, 1),
        ("FW000000050002", S.SERVICE_LEVEL_NEXT_DAY, 2),
        ("FW000000050003", S.SERVICE_LEVEL_NEXT_DAY, 3),  # cancelled below
        ("FW000000050004", S.SERVICE_LEVEL_STANDARD, 4),
        ("FW000000050005", S.SERVICE_LEVEL_STANDARD, 120),  # before the window
    ]
    for waybill, level, days_ago in specs:
        message = order_created(waybill, "bravo", 10.0, at=NOW - timedelta(days=days_ago))
        message.order.service_level = level
        await handlers.on_orders_created(crm.service, [as_event(crm, message, waybill)])
    cancel = orders_pb2.OrderCancelled(waybill="FW000000050003", customer_id="bravo")
    cancel.cancelled_at.FromDatetime(NOW)
    await handlers.on_order_cancelled(crm.service, as_event(crm, cancel, "FW000000050003"))

    body = (await client.get("/v1/customers/bravo")).json()
    assert body["levels"] == {
        "next_day": {"shipments_90d": 2, "orders_per_week": 0.16},
        "standard": {"shipments_90d": 1, "orders_per_week": 0.08},
    }
    assert body["service_records_90d"]["cancellation"] == 1
    assert (await client.get("/v1/customers/alpha")).json()["levels"] == {}


async def test_the_evaluation_round_trip_and_its_bounded_history(
    crm: CrmApp, client: httpx.AsyncClient, stub: Any
) -> None:
    await import_archive(crm)
    rivals = [
        {"name": "京东物流", "share_pct": 30, "price_vs_us": "cheaper", "service_vs_us": "same"},
        {"name": "中通快递", "share_pct": 10, "price_vs_us": "cheaper", "service_vs_us": "worse"},
    ]
    body = {"competitors": rivals, "notes": "对时效满意", "recorded_by": "mgr-7"}
    put = await client.put("/v1/customers/alpha/evaluation", json=body)
    assert put.status_code == 200, put.text
    got = (await client.get("/v1/customers/alpha/evaluation")).json()
    assert got == put.json()
    assert (got["competitors"], got["notes"], got["recorded_by"]) == (rivals, "对时效满意", "mgr-7")
    assert got["evaluated_at"].endswith("Z")
    assert (await client.get("/v1/customers/alpha")).json()["competitors"] == [
        "京东物流",
        "中通快递",
    ]
    assert list((await profile(stub, "alpha")).competitors) == ["京东物流", "中通快递"]

    for n in range(21):
        later = body | {"notes": f"visit {n}", "competitors": rivals[:1]}
        assert (await client.put("/v1/customers/alpha/evaluation", json=later)).status_code == 200
    history = (await client.get("/v1/customers/alpha/evaluations")).json()["evaluations"]
    assert len(history) == crm.service.settings.evaluation_history == 20
    assert [h["notes"] for h in history[:2]] == ["visit 20", "visit 19"]  # newest first
    assert history[-1]["notes"] == "visit 1"
    assert list((await profile(stub, "alpha")).competitors) == ["京东物流"]
