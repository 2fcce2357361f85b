"""The partner API: endpoints, secrets, pings, the attempts log and replays from the event
log. Keys are checked over real gRPC with an orders stand-in that knows two keys."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import httpx
import pytest
from aiohttp import web
from prometheus_client import CollectorRegistry

from fairwind.infra.processes import free_port
from fairwind.v1 import common_pb2, orders_pb2_grpc
from services.notify import handlers
from services.notify.api import create_app
from services.notify.bootstrap import NotifyApp
from services.notify.channels.webhook import WebhookPoster
from services.notify.partner_keys import PartnerKeys
from services.notify.webhooks.replay import run_next
from tests.integration.notify.conftest import as_event, http_server, order, status
from tests.integration.notify.fakes import FakeOrders
from tests.problems import assert_problem

pytestmark = pytest.mark.integration
ACME = {"Authorization": "Bearer fw_acme_key"}
RIVAL = {"Authorization": "Bearer fw_rival_key"}
READER = {"Authorization": "Bearer fw_reader_key"}
W = "FW000000000300"


@pytest.fixture
async def orders_stand_in() -> AsyncIterator[tuple[FakeOrders, str]]:
    server, fake, port = grpc.aio.server(), FakeOrders(), free_port()
    orders_pb2_grpc.add_OrdersServiceServicer_to_server(fake, server)
    server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    try:
        yield fake, f"127.0.0.1:{port}"
    finally:
        await server.stop(0)


@pytest.fixture
async def api(
    notify: NotifyApp, orders_stand_in: tuple[FakeOrders, str]
) -> AsyncIterator[httpx.AsyncClient]:
    async with grpc.aio.insecure_channel(orders_stand_in[1]) as channel:
        keys = PartnerKeys(channel, deadline_s=2, cache_s=30)
        poster = WebhookPoster(timeout_s=2)
        app = create_app(notify.service, keys, poster, CollectorRegistry())
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://notify") as client:
            yield client
        await poster.close()


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[list[tuple[dict[str, str], bytes]], str]]:
    got: list[tuple[dict[str, str], bytes]] = []

    async def answer(request: web.Request) -> web.Response:
        got.append((dict(request.headers), await request.read()))
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/{tail:.*}", answer)
    async with http_server(app) as url:
        yield got, url


async def test_keys_are_checked_with_orders_and_need_the_webhooks_scope(
    api: httpx.AsyncClient, orders_stand_in: tuple[FakeOrders, str]
) -> None:
    assert_problem(await api.get("/v1/webhooks/endpoints"), 401, "unauthorized")
    assert_problem(
        await api.get("/v1/webhooks/endpoints", headers={"Authorization": "Bearer x"}),
        401,
        "unauthorized",
    )
    assert_problem(await api.get("/v1/webhooks/endpoints", headers=READER), 403, "forbidden")
    for _ in range(3):
        assert (await api.get("/v1/webhooks/endpoints", headers=ACME)).status_code == 200
    fake, _ = orders_stand_in
    assert fake.asked == 3  # x, the reader and acme once: the answers are cached


async def test_a_dead_orders_service_is_a_503_not_a_refusal(notify: NotifyApp) -> None:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{free_port()}") as channel:
        keys = PartnerKeys(channel, deadline_s=0.5, cache_s=30)
        app = create_app(notify.service, keys, WebhookPoster(), CollectorRegistry())
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://notify") as client:
            answer = await client.get("/v1/webhooks/endpoints", headers=ACME)
    assert_problem(answer, 503, "unavailable")
    assert answer.headers["Retry-After"] == "5"


async def test_an_endpoint_is_created_with_its_secret_shown_once_and_kept_to_its_partner(
    api: httpx.AsyncClient,
) -> None:
    body = {"url": "https://acme.example/hooks", "event_types": ["shipment.status_changed"]}
    created = await api.post("/v1/webhooks/endpoints", json=body, headers=ACME)
    assert created.status_code == 201
    endpoint = created.json()
    assert endpoint["secret"].startswith("whsec_")
    assert endpoint["event_types"] == ["shipment.status_changed"]
    assert endpoint["status"] == "enabled"
    path = f"/v1/webhooks/endpoints/{endpoint['id']}"
    shown = (await api.get(path, headers=ACME)).json()
    assert shown["secret"] is None
    assert endpoint["secret"] not in str(shown)
    listed = (await api.get("/v1/webhooks/endpoints", headers=ACME)).json()["endpoints"]
    assert [e["id"] for e in listed] == [endpoint["id"]]
    assert_problem(await api.get(path, headers=RIVAL), 404, "not_found")
    assert_problem(await api.delete(path, headers=RIVAL), 404, "not_found")
    assert (await api.get("/v1/webhooks/endpoints", headers=RIVAL)).json()["endpoints"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"url": "http://acme.example/hooks"},  # plain http off this machine
        {"url": "ftp://acme.example/hooks"},
        {"url": "https://acme.example/hooks", "event_types": ["order.shipped"]},
        {"url": "https://acme.example/hooks", "rate_per_s": 0},
        {"url": "https://acme.example/hooks", "secret": "mine"},
        {"url": "https://acme.example/hooks", "alert_email": "not an address"},
        {"url": "https://acme.example/hooks", "alert_language": "fr"},
    ],
)
async def test_a_bad_endpoint_is_refused_and_nothing_is_stored(
    api: httpx.AsyncClient, notify: NotifyApp, body: dict[str, Any]
) -> None:
    assert_problem(
        await api.post("/v1/webhooks/endpoints", json=body, headers=ACME), 422, "invalid_request"
    )
    assert await notify.service.store.endpoints.of_partner("acme") == []


async def test_an_endpoint_is_changed_disabled_enabled_and_deleted(
    api: httpx.AsyncClient,
) -> None:
    created = await api.post(
        "/v1/webhooks/endpoints", json={"url": "https://acme.example/a"}, headers=ACME
    )
    path = f"/v1/webhooks/endpoints/{created.json()['id']}"
    changed = await api.patch(
        path,
        json={"event_types": ["order.created"], "max_in_flight": 2, "alert_email": "ops@acme.cn"},
        headers=ACME,
    )
    assert changed.json()["event_types"] == ["order.created"]
    assert changed.json()["max_in_flight"] == 2
    assert (changed.json()["alert_email"], changed.json()["alert_language"]) == (
        "ops@acme.cn",
        "zh",
    )
    off = await api.patch(path, json={"status": "disabled"}, headers=ACME)
    assert off.json()["status"] == "disabled"
    on = await api.patch(path, json={"status": "enabled"}, headers=ACME)
    assert on.json()["status"] == "enabled"
    assert_problem(
        await api.patch(path, json={"status": "paused"}, headers=ACME), 422, "invalid_request"
    )
    assert (await api.delete(path, headers=ACME)).status_code == 204
    assert_problem(await api.get(path, headers=ACME), 404, "not_found")


async def test_a_rotation_gives_a_new_secret_while_the_old_one_signs_for_a_while(
    api: httpx.AsyncClient,
) -> None:
    created = await api.post(
        "/v1/webhooks/endpoints", json={"url": "https://acme.example/a"}, headers=ACME
    )
    path = f"/v1/webhooks/endpoints/{created.json()['id']}"
    rotated = await api.post(f"{path}/rotate-secret", json={"keep_old_for_s": 3600}, headers=ACME)
    assert rotated.json()["secret"] != created.json()["secret"]
    new, old = rotated.json()["secrets"]
    assert new["expires_at"] is None
    assert old["expires_at"] is not None


async def test_a_ping_is_signed_answered_and_logged(
    api: httpx.AsyncClient, receiver: tuple[list[tuple[dict[str, str], bytes]], str]
) -> None:
    got, url = receiver
    created = await api.post("/v1/webhooks/endpoints", json={"url": url + "/in"}, headers=ACME)
    path = f"/v1/webhooks/endpoints/{created.json()['id']}"
    pinged = await api.post(f"{path}/ping", headers=ACME)
    assert pinged.json()["status"] == 204
    [(headers, body)] = got
    assert headers["webhook-signature"].startswith("v1,")
    assert b'"type":"webhook.ping"' in body
    log = (await api.get(f"{path}/attempts", headers=ACME)).json()["attempts"]
    assert [(a["type"], a["status"], a["outcome"]) for a in log] == [
        ("webhook.ping", 204, "delivered")
    ]


async def test_a_replay_sends_the_partners_events_again_from_the_event_log(
    api: httpx.AsyncClient, notify: NotifyApp
) -> None:
    created = await api.post(
        "/v1/webhooks/endpoints",
        json={"url": "https://acme.example/a", "event_types": ["shipment.status_changed"]},
        headers=ACME,
    )
    endpoint_id = created.json()["id"]
    since = datetime.now(UTC) - timedelta(seconds=5)
    picked = status(W, common_pb2.SHIPMENT_STATUS_PICKED_UP)
    other = status("FW000000000301", common_pb2.SHIPMENT_STATUS_PICKED_UP)  # not acme's
    for message, key in ((order(W), W), (picked, W), (other, "FW000000000301")):
        await notify.platform.publisher.publish(message, key)
    rival = order("FW000000000301")
    rival.order.partner_id = "rival"
    await handlers.on_events(
        notify.service, [as_event(notify, order(W), W), as_event(notify, rival, "FW000000000301")]
    )
    path = f"/v1/webhooks/endpoints/{endpoint_id}/replays"
    asked = await api.post(path, json={"since": since.isoformat()}, headers=ACME)
    assert asked.status_code == 202
    job = asked.json()
    assert job["status"] == "pending"
    assert await run_next(notify.service, notify.platform.publisher.producer.partitions_for)
    done = (await api.get(f"{path}/{job['id']}", headers=ACME)).json()
    assert (done["status"], done["made"]) == ("done", 1)  # acme's status change, not its order
    replayed = [
        d for d in await notify.service.store.deliveries.of_waybill(W) if d["replay"] == job["id"]
    ]
    assert [d["type"] for d in replayed] == ["shipment.status_changed"]


async def test_a_replay_window_must_make_sense(api: httpx.AsyncClient) -> None:
    created = await api.post(
        "/v1/webhooks/endpoints", json={"url": "https://acme.example/a"}, headers=ACME
    )
    path = f"/v1/webhooks/endpoints/{created.json()['id']}/replays"
    now = datetime.now(UTC)
    backwards = {"since": now.isoformat(), "until": (now - timedelta(hours=1)).isoformat()}
    assert_problem(await api.post(path, json=backwards, headers=ACME), 400, "invalid_window")
    ancient = {"since": (now - timedelta(days=30)).isoformat()}
    assert_problem(await api.post(path, json=ancient, headers=ACME), 400, "invalid_window")
    naive = {"since": "2026-12-01T00:00:00"}
    assert_problem(await api.post(path, json=naive, headers=ACME), 422, "invalid_request")
