"""A customer's complaints over 90 days count resolved ones too, until they age out; a
customer without complaints is answered without reading the complaints at all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from fairwind.clock import PlatformClock
from services.crm.bootstrap import CrmApp
from tests.integration.crm.conftest import import_archive

pytestmark = pytest.mark.integration
NOW = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)


def at(moment: datetime) -> PlatformClock:
    return PlatformClock(origin=moment, anchor=datetime.now(UTC))


async def test_a_resolved_complaint_counts_for_ninety_days(
    crm: CrmApp, client: httpx.AsyncClient
) -> None:
    crm.service.clock = at(NOW)
    await import_archive(crm)
    filed = await client.post(
        "/v1/customers/bravo/complaints",
        json={"category": "late", "summary": "两天才到", "filed_by": "cc-7"},
    )
    assert filed.status_code == 201
    complaint = filed.json()["complaint_id"]
    done = await client.post(
        f"/v1/complaints/{complaint}/resolve", json={"resolution": "退运费", "resolved_by": "m-1"}
    )
    assert done.status_code == 200
    view = (await client.get("/v1/customers/bravo")).json()
    assert (view["open_complaints"], view["complaints_90d"]) == (0, 1)
    crm.service.clock = at(NOW + timedelta(days=91))
    later = (await client.get("/v1/customers/bravo")).json()
    assert (later["open_complaints"], later["complaints_90d"]) == (0, 0)
    untouched = (await client.get("/v1/customers/charlie")).json()
    assert untouched["complaints_90d"] == 0
