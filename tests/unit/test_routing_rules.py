"""Promises, prices, coverage and offers on the sample network."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from services.routing.datafiles import load_network, load_prices
from services.routing.domain.clock import add_working_days, from_minutes, to_minutes
from services.routing.domain.dispatch import choose_courier
from services.routing.domain.network import DAY, CourierRecord, OutletRecord
from services.routing.domain.pricing import Piece
from services.routing.domain.promise import NoService, delivered_by, pickup_by
from services.routing.domain.router import Router

SHANGHAI = ZoneInfo("Asia/Shanghai")
NETWORK = load_network()
ROUTER = Router(NETWORK, load_prices())
BOOK = [Piece(1.0, 20, 15, 5)]


def local(text: str) -> int:
    return to_minutes(datetime.fromisoformat(text).replace(tzinfo=SHANGHAI), SHANGHAI)


def outlet(city: str, district: str) -> OutletRecord:
    found = NETWORK.outlet_for(city, district)
    assert found is not None
    return found


def test_clock_round_trip_and_rounding_up() -> None:
    when = datetime(2026, 11, 26, 2, 30, tzinfo=UTC)  # 10:30 in Shanghai
    minutes = to_minutes(when, SHANGHAI)
    assert minutes % DAY == 10 * 60 + 30
    assert from_minutes(minutes, SHANGHAI) == when
    assert to_minutes(when.replace(second=1), SHANGHAI) == minutes + 1


def test_working_days_skip_weekends() -> None:
    friday = local("2026-11-27T10:00:00")
    assert add_working_days(friday, 1) == local("2026-11-30T10:00:00")  # Monday
    assert add_working_days(friday, 3) == local("2026-12-02T10:00:00")


def test_pickup_is_one_hour_after_the_order_or_the_window() -> None:
    assert pickup_by(local("2026-11-26T10:00:00")) == local("2026-11-26T11:00:00")
    assert pickup_by(local("2026-11-26T10:00:00"), local("2026-11-26T14:00:00")) == local(
        "2026-11-26T15:00:00"
    )


def test_delivery_is_two_hours_after_arrival_inside_opening_hours() -> None:
    shop = outlet("深圳市", "南山区")  # open 08:00-21:00
    assert delivered_by(local("2026-11-26T09:35:00"), shop) == local("2026-11-26T11:35:00")
    assert delivered_by(local("2026-11-26T05:30:00"), shop) == local("2026-11-26T10:00:00")
    assert delivered_by(local("2026-11-26T19:30:00"), shop) == local("2026-11-27T10:00:00")


def test_next_day_from_shenzhen_to_beijing() -> None:
    offer = ROUTER.offer(
        outlet("深圳市", "南山区"),
        outlet("北京市", "朝阳区"),
        "next_day",
        local("2026-11-26T16:00:00"),
        None,
        BOOK,
    )
    assert offer.promise.next_day
    assert offer.promise.deliver_by // DAY == local("2026-11-27T00:00:00") // DAY
    assert offer.plan.hubs[0] == "HSZX"
    assert offer.price.zone == "Z5"
    assert offer.price.total == Decimal("26.00")


def test_next_day_is_refused_when_the_route_is_too_slow() -> None:
    with pytest.raises(NoService, match="next-day"):
        ROUTER.offer(
            outlet("深圳市", "南山区"),
            outlet("北京市", "朝阳区"),
            "next_day",
            local("2026-11-26T20:30:00"),
            None,
            BOOK,
        )


def test_same_day_only_within_a_city() -> None:
    same_city = ROUTER.offer(
        outlet("深圳市", "南山区"),
        outlet("深圳市", "福田区"),
        "same_day",
        local("2026-11-26T09:00:00"),
        None,
        BOOK,
    )
    assert same_city.promise.deliver_by // DAY == local("2026-11-26T09:00:00") // DAY
    with pytest.raises(NoService, match="within one city"):
        ROUTER.offer(
            outlet("深圳市", "南山区"),
            outlet("北京市", "朝阳区"),
            "same_day",
            local("2026-11-26T09:00:00"),
            None,
            BOOK,
        )


def test_remote_areas_add_working_days_and_a_surcharge() -> None:
    lhasa = next(o for o in NETWORK.outlets.values() if o.city_code == "LXA")
    offer = ROUTER.offer(
        outlet("上海市", "徐汇区"),
        lhasa,
        "standard",
        local("2026-11-23T10:00:00"),
        None,
        BOOK,
        Decimal("100"),
    )
    assert offer.promise.remote_area
    assert offer.promise.extra_working_days == 3
    codes = {code: amount for code, _, amount in offer.price.surcharges}
    assert codes == {"REMOTE_AREA": Decimal("15.00"), "COD_FEE": Decimal("3.00")}


def test_economy_uses_road_only() -> None:
    offer = ROUTER.offer(
        outlet("深圳市", "南山区"),
        outlet("北京市", "朝阳区"),
        "economy",
        local("2026-11-26T10:00:00"),
        None,
        BOOK,
    )
    assert {leg.mode for leg in offer.plan.legs} == {"road"}


def test_price_uses_chargeable_weight() -> None:
    table = load_prices()
    bulky = [Piece(2.0, 60, 40, 50)]  # 20 kg volumetric
    assert table.chargeable_weight(bulky) == pytest.approx(20.0)
    price = table.price("standard", 100, bulky)
    assert (price.zone, price.base) == ("Z2", Decimal("59.50"))  # 12 + 19 x 2.5


def test_coverage_answers_with_a_reason() -> None:
    assert ROUTER.coverage("深圳市", "南山区").served
    nowhere = ROUTER.coverage("深圳市", "无人区")
    assert not nowhere.served
    assert "无人区" in nowhere.reason
    remote = next(o for o in NETWORK.outlets.values() if o.remote_extra_days)
    answer = ROUTER.coverage(remote.city, remote.districts[0])
    assert answer.remote_area
    assert "working days" in answer.reason


def test_replan_from_a_hub_keeps_the_destination() -> None:
    destination = outlet("北京市", "朝阳区")
    pickup = local("2026-11-26T11:00:00")
    plan, terms = ROUTER.replan(
        "HWUH", local("2026-11-26T20:00:00"), destination, "standard", pickup
    )
    assert plan.origin == "HWUH"
    assert plan.legs[-1].destination == destination.code
    assert plan.legs[0].depart >= local("2026-11-26T20:00:00") + NETWORK.sort_minutes("HWUH")
    assert terms.pickup_by == pickup


def test_dispatch_prefers_the_least_loaded_courier_on_shift() -> None:
    early = CourierRecord(id="E", shift_start_minute=7 * 60, shift_end_minute=16 * 60)
    late = CourierRecord(id="L", shift_start_minute=12 * 60, shift_end_minute=21 * 60)
    busy_late = CourierRecord(id="B", shift_start_minute=12 * 60, shift_end_minute=21 * 60)
    couriers = [early, late, busy_late]
    load = {"E": 0, "L": 3, "B": 5}
    assert choose_courier(couriers, (13 * 60, 15 * 60), load) == "E"  # all on shift: least load
    assert choose_courier(couriers, (17 * 60, 19 * 60), load) == "L"  # E is off by then
    assert choose_courier(couriers, (17 * 60, 19 * 60), load, exclude={"L"}) == "B"
    assert choose_courier(couriers, (22 * 60, 23 * 60), load) == "E"  # nobody: first on shift
    assert choose_courier(couriers, (9 * 60, 10 * 60), load, exclude={"E", "L", "B"}) is None
