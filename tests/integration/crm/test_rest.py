"""The REST API: profile, ranked list, problem+json errors, health and metrics."""

from __future__ import annotations

import httpx
import pytest

from services.crm.bootstrap import CrmApp
from tests.integration.crm.conftest import import_archive
from tests.problems import assert_problem

pytestmark = pytest.mark.integration


async def test_profile_and_ranked_list(crm: CrmApp, client: httpx.AsyncClient) -> None:
    await import_archive(crm)
    answer = await client.get("/v1/customers/alpha")
    assert answer.status_code == 200
    body = answer.json()
    assert body["customer_id"] == "alpha"
    assert (body["tier"], body["key_account"], body["revenue_rank"]) == ("Q1", True, 1)
    assert body["revenue_90d"] == {"amount": "50000.00", "currency": "CNY"}
    listed = (await client.get("/v1/customers", params={"limit": 3})).json()["customers"]
    assert [(c["customer_id"], c["tier"]) for c in listed] == [
        ("alpha", "Q1"),
        ("bravo", "Q2"),
        ("charlie", "Q3"),
    ]
    q5 = (await client.get("/v1/customers", params={"tier": "Q5"})).json()["customers"]
    assert [c["customer_id"] for c in q5] == ["echo"]
    page = (await client.get("/v1/customers", params={"offset": 4})).json()["customers"]
    assert [c["customer_id"] for c in page] == ["echo"]


async def test_errors_are_problem_json(crm: CrmApp, client: httpx.AsyncClient) -> None:
    missing = await client.get("/v1/customers/nobody")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["status"] == 404
    assert "nobody" in missing.json()["detail"]
    for params, status, reason in (
        ({"tier": "Q9"}, 422, "invalid_request"),
        ({"limit": 0}, 422, "invalid_request"),
        ({"limit": 10_000}, 400, "bad_request"),  # a page past the cap, not a bad type
    ):
        assert_problem(await client.get("/v1/customers", params=params), status, reason)


async def test_health_and_metrics(crm: CrmApp, client: httpx.AsyncClient) -> None:
    await import_archive(crm)
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    metrics = (await client.get("/metrics")).text
    assert 'fairwind_crm_customers{tier="Q1"} 1.0' in metrics
    assert 'fairwind_crm_segment_changes_total{from_tier="none",to_tier="Q5"} 1.0' in metrics
