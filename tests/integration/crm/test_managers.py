"""Account managers on the real broker and mongod: records over REST and the admin import,
the re-rank's balanced assignment of key accounts (SegmentChanged names the manager),
overrides by hand, and refusals that change nothing."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
import pytest
from aiokafka import ConsumerRecord

from fairwind.infra.pytest_plugin import InfraEndpoints
from fairwind.v1 import common_pb2, crm_pb2
from services.crm import handlers
from services.crm.accounts.managers import manager_of
from services.crm.bootstrap import CrmApp
from services.crm.ranking import rerank
from tests.integration.crm.conftest import (
    as_event,
    crm_command,
    eventually,
    import_archive,
    json_lines,
    order_created,
    profile,
    running,
)
from tests.problems import assert_problem

pytestmark = pytest.mark.integration
ReadTopic = Callable[[str], Coroutine[Any, Any, list[ConsumerRecord[bytes, bytes]]]]
# Ten customers: k1 and k2 are the key accounts (Q1), k3 and k4 are Q2, ...
TEN = [{"customer_id": f"k{n}", "revenue_90d_cny": 1000.0 * (11 - n)} for n in range(1, 11)]
LI = {"id": "m.li", "name": "李敏", "email": "li.min@fw.example", "phone": "138 0013 8000"}
WANG = {"id": "m.wang", "name": "王强", "email": "wang@fw.example", "phone": "+86 139 0000 0001"}


async def create(client: httpx.AsyncClient, *specs: dict[str, Any]) -> None:
    for spec in specs:
        answer = await client.post("/v1/managers", json=spec)
        assert answer.status_code == 201, answer.text


async def managers_of(app: CrmApp) -> dict[str, tuple[str | None, bool]]:
    found = app.platform.db["customers"].find({}, {"account_manager_id": 1, "manager_pinned": 1})
    return {
        d["_id"]: (d.get("account_manager_id"), bool(d.get("manager_pinned"))) async for d in found
    }


async def test_managers_are_created_listed_changed_and_refused_cleanly(
    crm: CrmApp, client: httpx.AsyncClient
) -> None:
    made = await client.post("/v1/managers", json=LI | {"capacity": 30})
    assert made.status_code == 201
    body = made.json()
    assert (body["id"], body["phone"], body["capacity"], body["active"]) == (
        "m.li",
        "+8613800138000",
        30,
        True,
    )
    assert_problem(await client.post("/v1/managers", json=LI | {"name": "别人"}), 409, "conflict")
    stored = await crm.service.store.managers.get("m.li")
    assert stored is not None
    assert stored["name"] == "李敏"  # the refused create changed nothing
    for bad in (
        LI | {"id": "m.new", "boss": True},
        LI | {"id": "m.new", "email": "not-an-email"},
        LI | {"id": "m.new", "phone": "12"},
        LI | {"id": "m.new", "name": "x" * 101},
        LI | {"id": "m new"},
        {"id": "m.new", "name": "缺邮箱"},
    ):
        answer = await client.post("/v1/managers", json=bad)
        assert_problem(answer, 422, "invalid_request")
    assert [m["id"] for m in (await client.get("/v1/managers")).json()["managers"]] == ["m.li"]

    changed = await client.patch("/v1/managers/m.li", json={"name": "李敏敏", "capacity": None})
    assert changed.status_code == 200
    assert (changed.json()["name"], changed.json()["capacity"]) == ("李敏敏", None)
    for bad_patch in ({}, {"name": None}, {"active": "maybe"}, {"id": "m.x"}, {"phone": "1"}):
        assert_problem(
            await client.patch("/v1/managers/m.li", json=bad_patch), 422, "invalid_request"
        )
    assert_problem(
        await client.patch("/v1/managers/nobody", json={"active": False}), 404, "not_found"
    )
    assert_problem(await client.get("/v1/managers/nobody"), 404, "not_found")
    shown = (await client.get("/v1/managers/m.li")).json()
    assert (shown["name"], shown["phone"], shown["accounts"]) == ("李敏敏", "+8613800138000", 0)
    await client.patch("/v1/managers/m.li", json={"active": False})
    listed = (await client.get("/v1/managers", params={"active": "false"})).json()["managers"]
    assert [(m["id"], m["active"]) for m in listed] == [("m.li", False)]
    assert (await client.get("/v1/managers", params={"active": "true"})).json()["managers"] == []


async def test_a_rerank_assigns_key_accounts_and_segment_changed_names_the_manager(
    crm: CrmApp, client: httpx.AsyncClient, stub: Any, read_topic: ReadTopic
) -> None:
    await create(client, LI, WANG)
    async with running(crm):
        await import_archive(crm, TEN)  # the import re-ranks: first tiers for everyone

        async def relayed() -> bool:
            return await crm.platform.outbox.backlog() == 0

        await eventually(relayed)
    assigned = await managers_of(crm)
    # Largest first to the least loaded, ties by id: k1 -> m.li, k2 -> m.wang.
    assert (assigned["k1"], assigned["k2"]) == (("m.li", False), ("m.wang", False))
    assert {cid for cid, (m, _) in assigned.items() if m} == {"k1", "k2"}
    topic = crm.platform.catalog.kind_of(crm_pb2.SegmentChanged).topic
    events = {
        r.key.decode(): crm_pb2.SegmentChanged.FromString(r.value)
        for r in await read_topic(topic)
        if dict(r.headers)["ce_type"].endswith(b".SegmentChanged")
    }
    k1 = events["k1"]
    assert (k1.to_tier, k1.account_manager_id) == (common_pb2.CUSTOMER_TIER_Q1, "m.li")
    assert (k1.account_manager_name, k1.account_manager_email) == ("李敏", "li.min@fw.example")
    assert events["k2"].account_manager_email == "wang@fw.example"
    assert events["k3"].account_manager_id == ""  # Q2: no manager
    card = await profile(stub, "k1")
    assert (card.account_manager_id, card.account_manager_name) == ("m.li", "李敏")
    view = (await client.get("/v1/customers/k2")).json()
    assert view["account_manager"] == {"id": "m.wang", "name": "王强", "pinned": False}
    assert (await client.get("/v1/customers/k3")).json()["account_manager"] is None
    manager = await manager_of(crm.service.store, "k1")
    assert manager is not None
    assert manager["email"] == "li.min@fw.example"
    assert await manager_of(crm.service.store, "k3") is None
    assert await manager_of(crm.service.store, "nobody") is None

    # A renamed manager is renamed on their customers too.
    await client.patch("/v1/managers/m.li", json={"name": "李敏敏"})
    assert (await profile(stub, "k1")).account_manager_name == "李敏敏"
    # Nothing changed in the figures: a re-rank moves nobody.
    await rerank(crm.service)
    assert await managers_of(crm) == assigned


async def test_leaving_q1_drops_an_automatic_manager_and_an_inactive_one_hands_over(
    crm: CrmApp, client: httpx.AsyncClient
) -> None:
    await create(client, LI, WANG)
    await import_archive(crm, TEN)
    # k5 (Q3) books enough to overtake everyone: it becomes Q1, k2 drops to Q2.
    big = order_created("FW000000000011", "k5", 20_000.0)
    await handlers.on_orders_created(crm.service, [as_event(crm, big, "FW000000000011")])
    result = await rerank(crm.service)
    demoted = [c for c in result.changes if c.ranked.customer_id == "k2"]
    assert [(c.previous, c.ranked.tier) for c in demoted] == [("Q1", "Q2")]
    assigned = await managers_of(crm)
    assert assigned["k2"] == (None, False)
    assert assigned["k1"] == ("m.li", False)  # kept: no reshuffle
    assert assigned["k5"] == ("m.wang", False)  # the new key account, to the least loaded
    # m.wang leaves: at the next re-rank k5 goes to the one active manager.
    await client.patch("/v1/managers/m.wang", json={"active": False})
    assert await manager_of(crm.service.store, "k5") is None  # nobody to alert meanwhile
    await rerank(crm.service)
    assert (await managers_of(crm))["k5"] == ("m.li", False)
    assert (await client.get("/v1/managers/m.li")).json()["accounts"] == 2


async def test_an_override_by_hand_survives_reranks_until_unpinned(
    crm: CrmApp, client: httpx.AsyncClient
) -> None:
    await create(client, LI, WANG)
    await import_archive(crm, TEN)
    assert (await managers_of(crm))["k1"] == ("m.li", False)
    put = await client.put("/v1/customers/k1/manager", json={"manager_id": "m.wang"})
    assert put.status_code == 200
    assert put.json()["account_manager"] == {"id": "m.wang", "name": "王强", "pinned": True}
    # A Q2 customer pinned by hand keeps the manager too.
    await client.put("/v1/customers/k3/manager", json={"manager_id": "m.li", "pinned": True})
    await rerank(crm.service)
    after = await managers_of(crm)
    assert (after["k1"], after["k3"]) == (("m.wang", True), ("m.li", True))
    assert after["k2"] == ("m.li", False)  # the balance took k2 over: m.wang holds k1 now

    deleted = await client.delete("/v1/customers/k1/manager")
    assert deleted.status_code == 200
    assert (await managers_of(crm))["k1"] == (None, False)
    await rerank(crm.service)
    assert (await managers_of(crm))["k1"] == ("m.wang", False)  # assigned automatically again

    before = await managers_of(crm)
    await client.patch("/v1/managers/m.li", json={"active": False})
    for url, body, status, reason in (
        ("/v1/customers/k2/manager", {"manager_id": "m.li"}, 409, "conflict"),
        ("/v1/customers/k2/manager", {"manager_id": "nobody"}, 404, "not_found"),
        ("/v1/customers/nobody/manager", {"manager_id": "m.wang"}, 404, "not_found"),
        ("/v1/customers/k2/manager", {"manager_id": "m.wang", "extra": 1}, 422, "invalid_request"),
        ("/v1/customers/k2/manager", {"pinned": True}, 422, "invalid_request"),
    ):
        assert_problem(await client.put(url, json=body), status, reason)
    assert_problem(await client.delete("/v1/customers/nobody/manager"), 404, "not_found")
    assert await managers_of(crm) == before


async def cli(infra: InfraEndpoints, database: str, stdin: str) -> subprocess.CompletedProcess[str]:
    return await crm_command(infra, database, "managers", "import", stdin=stdin)


async def test_the_managers_import_is_all_or_nothing_and_assigns_at_once(
    crm: CrmApp, infra: InfraEndpoints, unique_name: str
) -> None:
    await import_archive(crm, TEN)
    bad = json_lines([LI]) + '{"id": "m.x", "name": "x", "email": "x@fw.example", "phone": "12"}\n'
    refused = await cli(infra, unique_name, bad + json_lines([WANG]))
    assert refused.returncode == 2
    assert "line 2" in refused.stderr
    assert "nothing imported" in refused.stderr
    assert refused.stdout == ""
    assert await crm.platform.db["managers"].count_documents({}) == 0

    done = await cli(infra, unique_name, json_lines([LI, WANG | {"capacity": 5}]))
    assert done.returncode == 0, done.stderr
    printed = [json.loads(line) for line in done.stdout.splitlines()]
    assert printed == [
        {"id": "m.li", "name": "李敏", "active": True, "accounts": 1},
        {"id": "m.wang", "name": "王强", "active": True, "accounts": 1},
    ]
    wang = await crm.service.store.managers.get("m.wang")
    assert wang is not None
    assert (wang["phone"], wang["capacity"]) == ("+8613900000001", 5)
    again = await cli(infra, unique_name, json_lines([LI, WANG | {"capacity": 5}]))
    assert again.stdout == done.stdout  # importing the same file twice changes nothing
