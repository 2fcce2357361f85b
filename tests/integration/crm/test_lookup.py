"""Caller ID: a shipper's phone finds the customer and its recent orders, masked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest

from fairwind.v1 import common_pb2, crm_pb2, tracking_pb2
from services.crm import handlers
from services.crm.bootstrap import CrmApp
from tests.integration.crm.conftest import as_event, cny, import_archive, order_created

pytestmark = pytest.mark.integration
NOW = datetime.now(UTC).replace(microsecond=0)
WAYBILLS = ["FW000000000101", "FW000000000102", "FW000000000103"]


async def book(app: CrmApp) -> None:
    """Three orders of bravo's, an hour apart, shipped from a national number."""
    for hours, (waybill, name) in enumerate(
        zip(WAYBILLS, ["张三", "Li Lei", "欧阳娜娜"], strict=True)
    ):
        message = order_created(
            waybill,
            "bravo",
            10.0 + hours,
            phone="0755-8888 1234",
            consignee=name,
            at=NOW - timedelta(hours=3 - hours),
        )
        await handlers.on_orders_created(app.service, [as_event(app, message, waybill)])


async def lookup(stub: Any, phone: str, limit: int = 0) -> crm_pb2.LookupByPhoneResponse:
    request = crm_pb2.LookupByPhoneRequest(phone=phone, recent_orders_limit=limit)
    return await stub.LookupByPhone(request)  # type: ignore[no-any-return]


async def test_lookup_by_a_shipper_phone_lists_recent_orders_masked(crm: CrmApp, stub: Any) -> None:
    await import_archive(crm)
    await book(crm)
    reply = await lookup(stub, "+86 755 8888 1234")
    assert reply.profile.customer_id == "bravo"
    assert reply.profile.tier == common_pb2.CUSTOMER_TIER_Q2
    assert [o.waybill for o in reply.recent_orders] == list(reversed(WAYBILLS))
    assert [o.consignee_name for o in reply.recent_orders] == ["欧***", "L****", "张*"]
    newest = reply.recent_orders[0]
    assert newest.destination_city == "北京市"
    assert newest.service_level == common_pb2.SERVICE_LEVEL_NEXT_DAY
    assert newest.status == common_pb2.SHIPMENT_STATUS_INFO_RECEIVED
    assert cny(newest.price) == 12.0
    assert newest.created_at.ToDatetime(tzinfo=UTC) == NOW - timedelta(hours=1)
    two = await lookup(stub, "075588881234", limit=2)
    assert [o.waybill for o in two.recent_orders] == [WAYBILLS[2], WAYBILLS[1]]
    # A number from the imported archive works as well.
    assert (await lookup(stub, "13900000003")).profile.customer_id == "charlie"


async def test_lookup_errors(crm: CrmApp, stub: Any) -> None:
    await import_archive(crm)
    with pytest.raises(grpc.aio.AioRpcError) as unknown:
        await lookup(stub, "13700000000")
    assert unknown.value.code() == grpc.StatusCode.NOT_FOUND
    for bad in ("", "not a number", "+86 12"):
        with pytest.raises(grpc.aio.AioRpcError) as invalid:
            await lookup(stub, bad)
        assert invalid.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.aio.AioRpcError) as negative:
        await lookup(stub, "13900000003", limit=-1)
    assert negative.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def status_changed(waybill: str, status: Any, at: datetime) -> tracking_pb2.ShipmentStatusChanged:
    message = tracking_pb2.ShipmentStatusChanged(waybill=waybill, to_status=status)
    message.occurred_at.FromDatetime(at)
    return message


async def test_tracking_keeps_the_history_status_current_and_never_regresses(
    crm: CrmApp, stub: Any
) -> None:
    await import_archive(crm)
    await book(crm)
    first, _, last = WAYBILLS
    for waybill, status, at in [
        (last, common_pb2.SHIPMENT_STATUS_DELIVERED, NOW),
        (last, common_pb2.SHIPMENT_STATUS_IN_TRANSIT, NOW - timedelta(minutes=30)),  # late scan
        (first, common_pb2.SHIPMENT_STATUS_PICKED_UP, NOW),
    ]:
        message = status_changed(waybill, status, at)
        await handlers.on_statuses_changed(crm.service, [as_event(crm, message, waybill)])
    reply = await lookup(stub, "+8675588881234")
    statuses = {o.waybill: o.status for o in reply.recent_orders}
    assert statuses[last] == common_pb2.SHIPMENT_STATUS_DELIVERED
    assert statuses[first] == common_pb2.SHIPMENT_STATUS_PICKED_UP
    assert statuses[WAYBILLS[1]] == common_pb2.SHIPMENT_STATUS_INFO_RECEIVED


async def test_recent_orders_come_from_the_index_without_an_in_memory_sort(crm: CrmApp) -> None:
    """A big shipper has many orders: the lookup must read only ``limit`` of them."""
    at = NOW - timedelta(days=1)
    await crm.service.store.orders.collection.insert_many(
        [
            {"_id": f"FW{n:012d}", "customer_id": "bravo", "created_at": at + timedelta(minutes=n)}
            for n in range(300)
        ]
        + [{"_id": f"FX{n:012d}", "customer_id": "other", "created_at": at} for n in range(50)]
    )
    plan = await crm.service.store.orders.recent_cursor("bravo", 10).explain()
    stages = []
    stage = plan["queryPlanner"]["winningPlan"]
    while stage:
        stages.append(stage["stage"])
        stage = stage.get("inputStage")
    assert "SORT" not in stages, stages
    assert plan["executionStats"]["totalDocsExamined"] == 10
    recent = await crm.service.store.orders.recent("bravo", 3)
    assert [o["_id"] for o in recent] == [f"FW{n:012d}" for n in (299, 298, 297)]
