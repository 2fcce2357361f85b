"""Importing the archive ranks customers into Q1..Q5; GetProfile serves the tiers."""

from __future__ import annotations

from typing import Any

import grpc
import pytest

from fairwind.v1 import common_pb2, crm_pb2
from services.crm.bootstrap import CrmApp
from tests.integration.crm.conftest import ARCHIVE, cny, import_archive, profile

pytestmark = pytest.mark.integration


async def test_import_gives_partners_of_different_volumes_different_tiers(
    crm: CrmApp, stub: Any
) -> None:
    result = await import_archive(crm)
    assert [(r.customer_id, r.tier) for r in result.ranking] == [
        ("alpha", "Q1"),
        ("bravo", "Q2"),
        ("charlie", "Q3"),
        ("delta", "Q4"),
        ("echo", "Q5"),
    ]
    alpha = await profile(stub, "alpha")
    assert alpha.tier == common_pb2.CUSTOMER_TIER_Q1
    assert alpha.key_account
    assert alpha.revenue_rank == 1
    assert (alpha.name, alpha.company) == ("王经理", "Alpha 电商")
    assert cny(alpha.revenue_90d) == 50000.0
    assert alpha.revenue_90d.currency_code == "CNY"
    bravo = await profile(stub, "bravo")
    assert (bravo.tier, bravo.shipments_90d) == (common_pb2.CUSTOMER_TIER_Q2, 400)
    assert bravo.orders_per_week == pytest.approx(400 * 7 / 90)
    assert not bravo.key_account
    charlie = await profile(stub, "charlie")
    assert list(charlie.phones) == ["+8613900000003"]
    echo = await profile(stub, "echo")
    assert (echo.tier, list(echo.emails)) == (common_pb2.CUSTOMER_TIER_Q5, ["ops@echo.example"])
    # Every first tier is announced once, through the outbox.
    assert await crm.platform.outbox.records.count_documents({}) == len(ARCHIVE)


async def test_reimporting_the_same_archive_changes_nothing(crm: CrmApp, stub: Any) -> None:
    await import_archive(crm)
    before = {spec["customer_id"]: await profile(stub, spec["customer_id"]) for spec in ARCHIVE}
    again = await import_archive(crm)
    assert again.changes == []
    assert await crm.service.store.customers.count() == len(ARCHIVE)
    assert await crm.platform.outbox.records.count_documents({}) == len(ARCHIVE)
    for customer_id, earlier in before.items():
        now = await profile(stub, customer_id)
        assert cny(now.revenue_90d) == cny(earlier.revenue_90d)
        assert (now.tier, now.shipments_90d, list(now.phones)) == (
            earlier.tier,
            earlier.shipments_90d,
            list(earlier.phones),
        )


async def test_a_new_import_replaces_the_history_instead_of_adding_to_it(
    crm: CrmApp, stub: Any
) -> None:
    await import_archive(crm)
    changed = [dict(spec) for spec in ARCHIVE]
    changed[4]["revenue_90d_cny"] = 60000.0  # echo grew past everyone
    result = await import_archive(crm, changed)
    echo = await profile(stub, "echo")
    assert cny(echo.revenue_90d) == 60000.0
    assert echo.tier == common_pb2.CUSTOMER_TIER_Q1
    assert {(c.ranked.customer_id, c.previous, c.ranked.tier) for c in result.changes} == {
        ("echo", "Q5", "Q1"),
        ("alpha", "Q1", "Q2"),
        ("bravo", "Q2", "Q3"),
        ("charlie", "Q3", "Q4"),
        ("delta", "Q4", "Q5"),
    }


async def test_get_profile_errors(crm: CrmApp, stub: Any) -> None:
    await import_archive(crm)
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await stub.GetProfile(crm_pb2.GetProfileRequest(customer_id="nobody"))
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.aio.AioRpcError) as empty:
        await stub.GetProfile(crm_pb2.GetProfileRequest(customer_id=""))
    assert empty.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.aio.AioRpcError) as long:
        await stub.GetProfile(crm_pb2.GetProfileRequest(customer_id="x" * 65))
    assert long.value.code() == grpc.StatusCode.INVALID_ARGUMENT
