"""Partners, keys, scopes, isolation and rate limits."""

from __future__ import annotations

import asyncio
import os
import sys

import httpx
import pytest

from services.orders.bootstrap import OrdersApp
from services.orders.keys import KeyStore
from tests.integration.orders.conftest import api_key, order_body
from tests.problems import assert_problem

pytestmark = pytest.mark.integration


async def create(
    client: httpx.AsyncClient, headers: dict[str, str], key: str = "k", **changes: object
) -> httpx.Response:
    return await client.post(
        "/v1/orders", json=order_body(**changes), headers=headers | {"Idempotency-Key": key}
    )


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer fw_000000000000_" + "A" * 43],
)
async def test_missing_or_bad_keys_are_401(
    client: httpx.AsyncClient, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = await client.get("/v1/orders", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_revoked_key_stops_working(orders: OrdersApp, client: httpx.AsyncClient) -> None:
    issued = await orders.service.keys.create("acme", {"orders:read"})
    headers = {"Authorization": f"Bearer {issued.plain}"}
    assert (await client.get("/v1/orders", headers=headers)).status_code == 200
    assert await orders.service.keys.revoke(issued.key_id)
    assert_problem(await client.get("/v1/orders", headers=headers), 401, "unauthorized")


async def test_keys_are_stored_hashed(orders: OrdersApp) -> None:
    issued = await orders.service.keys.create("acme", {"orders:read"})
    record = await orders.platform.db["api_keys"].find_one({"_id": issued.key_id})
    assert record is not None
    secret = issued.plain.split("_", 2)[2]  # fw_<id>_<secret>; secrets may contain "_"
    assert secret not in str(record)


async def test_a_key_without_the_scope_is_403(orders: OrdersApp, client: httpx.AsyncClient) -> None:
    reader = await api_key(orders, scopes=frozenset({"orders:read"}))
    body = assert_problem(await create(client, reader), 403, "forbidden")
    assert "orders:write" in body["detail"]
    assert (await client.get("/v1/orders", headers=reader)).status_code == 200


async def test_a_partner_sees_only_its_own_orders(
    orders: OrdersApp, client: httpx.AsyncClient
) -> None:
    acme = await api_key(orders, "acme")
    other = await api_key(orders, "globex")
    waybill = (await create(client, acme)).json()["waybill"]
    assert (await client.get(f"/v1/orders/{waybill}", headers=acme)).status_code == 200
    for response in (
        await client.get(f"/v1/orders/{waybill}", headers=other),
        await client.get(f"/v1/orders/{waybill}/label", headers=other),
        await client.post(f"/v1/orders/{waybill}/cancel", headers=other),
    ):
        assert_problem(response, 404, "not_found")
    assert (await client.get("/v1/orders", headers=other)).json()["orders"] == []


async def test_the_rate_limit_answers_429_with_retry_after(
    orders: OrdersApp, client: httpx.AsyncClient
) -> None:
    headers = await api_key(orders, "tiny")
    assert await orders.service.keys.set_rate_limit("tiny", rate_per_s=0.2, burst=2)
    statuses = [(await client.get("/v1/orders", headers=headers)).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    limited = await client.get("/v1/orders", headers=headers)
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.headers["content-type"] == "application/problem+json"
    assert limited.json()["title"] == "rate_limited"
    assert limited.json()["type"] == "https://fairwind.dev/problems/rate_limited"
    other = await api_key(orders, "roomy")
    assert (await client.get("/v1/orders", headers=other)).status_code == 200


async def run_cli(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services.orders",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    return process.returncode or 0, out.decode(), err.decode()


async def test_the_command_line_creates_a_key_printed_once(
    orders: OrdersApp, client: httpx.AsyncClient
) -> None:
    settings = orders.service.settings
    env = os.environ | {
        "FAIRWIND_MONGO_URL": settings.mongo_url,
        "FAIRWIND_MONGO_DB": settings.database_name,
        "FAIRWIND_LOG_JSON": "false",
    }
    code, out, err = await run_cli(
        env, "keys", "create", "--partner", "cli-partner", "--scopes", "orders:read"
    )
    assert code == 0, err
    key = out.strip()
    assert key.startswith("fw_")
    assert "not shown again" in err
    response = await client.get("/v1/orders", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    code, listed, _ = await run_cli(env, "keys", "list")
    assert "cli-partner" in listed
    assert key not in listed
    code, _, err = await run_cli(env, "keys", "create", "--partner", "cli-two", "--scopes", "admin")
    assert code == 2
    assert "scopes" in err


async def test_bad_scopes_are_refused(orders: OrdersApp) -> None:
    keys: KeyStore = orders.service.keys
    with pytest.raises(ValueError, match="scopes"):
        await keys.create("acme", {"orders:admin"})
    with pytest.raises(ValueError, match="partner"):
        await keys.create("Not A Name", {"orders:read"})
