"""Routing's handlers with a fake unit of work and in-memory repositories: a batch of new
orders is planned once per waybill, spread over the couriers as one by one, and an order no
outlet can serve is announced as unroutable. The router is the real one, on the real
network file."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from fairwind.events import EncodedEvent, Event, EventCodec
from fairwind.events.contracts import platform_catalog
from fairwind.mongo.uow import UnitOfWork
from fairwind.testing import FakeTransactions
from fairwind.v1 import common_pb2, orders_pb2, routes_pb2
from services.routing import handlers
from services.routing.datafiles import load_network, load_prices
from services.routing.domain.promise import NoService
from services.routing.domain.router import Router
from services.routing.metrics import routing_metrics
from services.routing.service import RoutingService
from services.routing.settings import RoutingSettings
from services.routing.store import (
    OPEN_TASKS,
    AlreadyPlanned,
    PickupTasks,
    Routes,
    RoutingStore,
    RoutingUnit,
)

Document = dict[str, Any]
CODEC = EventCodec(platform_catalog(), "tests")
ROUTER = Router(load_network(), load_prices())
PLACED = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)  # 10:00 in Shenzhen


class FakeRoutes(Routes):
    def __init__(self) -> None:
        self.docs: dict[str, Document] = {}

    async def get(self, waybill: str) -> Document | None:
        return self.docs.get(waybill)

    async def known(self, waybills: Collection[str]) -> set[str]:
        return {w for w in waybills if w in self.docs}

    async def insert(self, docs: Sequence[Document]) -> None:
        if any(doc["_id"] in self.docs for doc in docs):
            raise AlreadyPlanned("duplicate key")
        self.docs |= {doc["_id"]: doc for doc in docs}


class FakeTasks(PickupTasks):
    def __init__(self) -> None:
        self.docs: dict[str, Document] = {}

    async def insert(self, tasks: Sequence[Document]) -> None:
        self.docs |= {task["_id"]: task for task in tasks}

    async def load(self, couriers: Iterable[str]) -> dict[str, int]:
        counts = dict.fromkeys(couriers, 0)
        for task in self.docs.values():
            if task["courier_id"] in counts and task["status"] in OPEN_TASKS:
                counts[task["courier_id"]] += 1
        return counts


class FakeRoutingUnit(RoutingUnit):
    def __init__(self, routes: FakeRoutes, tasks: FakeTasks) -> None:
        UnitOfWork.__init__(self)
        self.routes, self.tasks = routes, tasks


class Fakes:
    def __init__(self) -> None:
        self.routes, self.tasks = FakeRoutes(), FakeTasks()
        self.units = FakeTransactions(lambda: FakeRoutingUnit(self.routes, self.tasks))
        store = RoutingStore.__new__(RoutingStore)
        store.routes, store.tasks = self.routes, self.tasks
        self.svc = RoutingService(
            settings=RoutingSettings(),
            router=ROUTER,
            store=store,
            uow=self.units,
            codec=CODEC,
            metrics=routing_metrics(CollectorRegistry()),
        )

    def events(self, name: str) -> list[Any]:
        kind = getattr(routes_pb2, name)
        return [kind.FromString(e.value) for e in self.units.events if _named(e, name)]


def _named(event: EncodedEvent, name: str) -> bool:
    return event.event_type.rsplit(".", 1)[1] == name


@pytest.fixture
def fakes() -> Fakes:
    return Fakes()


def address(city: str, district: str) -> common_pb2.Address:
    return common_pb2.Address(country_code="CN", city=city, district=district, street="1号")


def created(waybill: str, district: str = "朝阳区") -> Event[Any]:
    order = orders_pb2.Order(
        waybill=waybill,
        service_level=common_pb2.SERVICE_LEVEL_STANDARD,
        shipper=common_pb2.Contact(name="寄件人", address=address("深圳市", "南山区")),
        consignee=common_pb2.Contact(name="张三", address=address("北京市", district)),
        parcels=[common_pb2.Parcel(weight_kg=1.0, quantity=1)],
    )
    order.created_at.FromDatetime(PLACED)
    encoded = CODEC.encode(orders_pb2.OrderCreated(order=order), waybill)
    return CODEC.decode(encoded.topic, encoded.key, encoded.value, encoded.headers)


async def test_a_batch_plans_each_waybill_once_and_a_redelivery_changes_nothing(
    fakes: Fakes,
) -> None:
    await handlers.on_orders_created(fakes.svc, [created("FW1"), created("FW2"), created("FW1")])
    await handlers.on_orders_created(fakes.svc, [created("FW2")])  # redelivered

    assert len(fakes.units.committed) == 1  # one transaction for the batch, none after
    names = [e.event_type.rsplit(".", 1)[1] for e in fakes.units.events]
    assert names == ["RoutePlanned", "PickupDispatched"] * 2  # each order's pair, in order
    assert [m.route.waybill for m in fakes.events("RoutePlanned")] == ["FW1", "FW2"]
    assert set(fakes.routes.docs) == set(fakes.tasks.docs) == {"FW1", "FW2"}
    assert fakes.svc.metrics.planned.labels("standard")._value.get() == 2


async def test_the_least_loaded_courier_is_chosen_across_a_batch_as_one_by_one(
    fakes: Fakes,
) -> None:
    # SZX001's couriers on shift at 10:00-11:00 are C1, C2 and C4; C1 has two open tasks.
    for waybill in ("OLD1", "OLD2"):
        fakes.tasks.docs[waybill] = {
            "_id": waybill,
            "courier_id": "SZX001-C1",
            "status": "assigned",
        }
    one_by_one = Fakes()
    one_by_one.tasks.docs = dict(fakes.tasks.docs)
    orders = [created(f"FW{i}") for i in range(6)]

    await handlers.on_orders_created(fakes.svc, orders)
    for order in orders:
        await handlers.on_orders_created(one_by_one.svc, [order])

    chosen = [m.courier_id for m in fakes.events("PickupDispatched")]
    assert chosen == [m.courier_id for m in one_by_one.events("PickupDispatched")]
    load = Counter(t["courier_id"] for t in fakes.tasks.docs.values())
    assert load == {"SZX001-C1": 3, "SZX001-C2": 3, "SZX001-C4": 2}


async def test_an_unserved_district_is_announced_unroutable_once(fakes: Fakes) -> None:
    batch = [created("FW1"), created("FW9", district="无人区")]
    await handlers.on_orders_created(fakes.svc, batch)
    await handlers.on_orders_created(fakes.svc, batch[1:])  # redelivered

    (unroutable,) = fakes.events("OrderUnroutable")
    assert (unroutable.waybill, unroutable.reason, unroutable.side) == (
        "FW9",
        routes_pb2.UNROUTABLE_REASON_UNSERVED_AREA,
        common_pb2.ADDRESS_SIDE_DELIVERY,
    )
    assert "无人区" in unroutable.detail
    assert fakes.routes.docs["FW9"]["versions"] == []
    assert set(fakes.tasks.docs) == {"FW1"}  # planned beside it, in the same transaction
    assert [m.route.waybill for m in fakes.events("RoutePlanned")] == ["FW1"]
    assert fakes.svc.metrics.unroutable.labels("unserved_area")._value.get() == 1


async def test_a_waybill_planned_meanwhile_fails_the_batch_and_the_retry_skips_it(
    fakes: Fakes,
) -> None:
    batch = [created("FW1"), created("FW2")]
    real_known = fakes.routes.known

    async def stale_known(waybills: Collection[str]) -> set[str]:
        found = await real_known(waybills)
        fakes.routes.docs.setdefault("FW2", {"_id": "FW2", "versions": [{}]})  # PlanRoute
        return found

    fakes.routes.known = stale_known  # type: ignore[method-assign]
    with pytest.raises(AlreadyPlanned):
        await handlers.on_orders_created(fakes.svc, batch)
    assert fakes.units.committed == []
    await handlers.on_orders_created(fakes.svc, batch)  # the consumer's retry

    assert [m.route.waybill for m in fakes.events("RoutePlanned")] == ["FW1"]
    assert set(fakes.tasks.docs) == {"FW1"}


async def test_plan_route_of_an_unroutable_waybill_is_refused(fakes: Fakes) -> None:
    await handlers.on_orders_created(fakes.svc, [created("FW9", district="无人区")])
    request = routes_pb2.PlanRouteRequest(
        waybill="FW9", origin=address("深圳市", "南山区"), destination=address("北京市", "朝阳区")
    )
    with pytest.raises(NoService, match="无人区"):
        await handlers.plan_route(fakes.svc, request)
