"""phone_last4 guesses on the public lookup are limited per waybill and per client, across
tracking processes (the counters are in MongoDB), with a lockout the right code does not lift
and the signed tracking link does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from prometheus_client import CollectorRegistry

from fairwind.domain.privacy import tracking_link_token
from fairwind.domain.waybill import format_waybill
from fairwind.infra.pytest_plugin import serving
from services.tracking.bootstrap import TrackingApp, bootstrap
from tests.integration.tracking.conftest import LINK_SECRET, shipment
from tests.problems import assert_problem

pytestmark = pytest.mark.integration
W = format_waybill("FW", 301)
RIGHT = "5678"  # the consignee's 13912345678
WRONG = [f"{n:04d}" for n in range(1000, 1100)]


def client_at(app: TrackingApp, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app.api, client=(address, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://tracking")


@pytest.fixture
async def other(tracking: TrackingApp) -> AsyncIterator[TrackingApp]:
    """A second tracking process on the same database: it shares nothing in memory."""
    settings, catalog = tracking.service.settings, tracking.platform.catalog
    app = await bootstrap(settings, catalog=catalog, registry=CollectorRegistry())
    async with serving(app):
        yield app


async def guess(http: httpx.AsyncClient, waybill: str, last4: str) -> httpx.Response:
    return await http.get(f"/v1/track/{waybill}", params={"phone_last4": last4})


async def test_a_waybill_locks_after_five_wrong_guesses_across_processes(
    tracking: TrackingApp, other: TrackingApp
) -> None:
    await shipment(tracking, W)
    first, second = client_at(tracking, "10.0.0.1"), client_at(other, "10.0.0.2")
    async with first, second:
        for index, last4 in enumerate(WRONG[:5]):  # spread over two processes and clients
            answer = await guess(first if index % 2 else second, W, last4)
            assert answer.status_code == 200
            assert answer.json()["full_details"] is False
        locked = await guess(first, W, RIGHT)
        assert locked.status_code == 429
        assert locked.headers["content-type"] == "application/problem+json"
        assert locked.json()["title"] == "too_many_guesses"
        assert int(locked.headers["retry-after"]) > 0
        assert "张三" not in locked.text
        assert_problem(await guess(second, W, RIGHT), 429, "too_many_guesses")  # the other too
        public = await first.get(f"/v1/track/{W}")
        assert (public.status_code, public.json()["full_details"]) == (200, False)
        link = await first.get(
            f"/v1/track/{W}", params={"access_token": tracking_link_token(LINK_SECRET, W)}
        )
        assert (link.status_code, link.json()["full_details"]) == (200, True)

        later = tracking.service.guesses.now() + timedelta(
            seconds=tracking.service.settings.lookup_lockout_s + 1
        )
        tracking.service.guesses.now = lambda: later
        opened = await guess(first, W, RIGHT)
    assert (opened.status_code, opened.json()["full_details"]) == (200, True)
    assert opened.json()["consignee"]["name"] == "张三"


async def test_one_client_is_limited_across_waybills(tracking: TrackingApp) -> None:
    waybills = [format_waybill("FW", 310 + n) for n in range(6)]
    for waybill in waybills:
        await shipment(tracking, waybill)
    limit = tracking.service.settings.lookup_guesses_per_client
    attacker, owner = client_at(tracking, "10.0.0.66"), client_at(tracking, "10.0.0.7")
    async with attacker, owner:
        for index in range(limit):  # four per waybill: under the waybill's limit
            answer = await guess(attacker, waybills[index // 4], WRONG[index])
            assert answer.status_code == 200
        refused = await guess(attacker, waybills[-1], RIGHT)
        assert refused.status_code == 429
        assert refused.json()["title"] == "too_many_guesses"
        assert (await guess(owner, waybills[-1], RIGHT)).json()["full_details"] is True


async def test_right_guesses_do_not_count_and_counters_expire_in_mongodb(
    tracking: TrackingApp,
) -> None:
    await shipment(tracking, W)
    async with client_at(tracking, "10.0.0.9") as client:
        for _ in range(10):  # the owner looking again and again is never locked out
            assert (await guess(client, W, RIGHT)).json()["full_details"] is True
        for last4 in WRONG[:4]:
            await guess(client, W, last4)
        assert (await guess(client, W, RIGHT)).json()["full_details"] is True
    counters = tracking.service.guesses.counters
    stored = await counters.get(f"waybill:{W}")
    assert stored is not None
    assert stored["count"] == 4
    indexes = await counters.collection.index_information()
    assert indexes["ttl"]["expireAfterSeconds"] == 0
    keys = [doc["_id"] for doc in await counters.collection.find().to_list()]
    assert len(keys) == 2
    assert not any("10.0.0.9" in key for key in keys)  # only a digest of the address
