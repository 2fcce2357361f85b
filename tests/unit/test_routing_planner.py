"""Route computation on small hand-made networks, and properties on random ones."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from services.routing.datafiles import load_network
from services.routing.domain.network import (
    DAY,
    Network,
    NetworkError,
    build_network,
)
from services.routing.domain.planner import NoRoute, Plan, RoutePlanner

DAY0 = 740_000 * DAY  # any day; plans are in absolute local minutes


def at(hhmm: str, day: int = 0) -> int:
    return DAY0 + day * DAY + int(hhmm[:2]) * 60 + int(hhmm[3:])


def hub(code: str, sort: int = 60) -> dict[str, Any]:
    return {
        "code": code,
        "city_code": code,
        "name": code,
        "latitude": 30.0,
        "longitude": 120.0,
        "sort_minutes": sort,
        "sort_capacity_per_hour": 1000,
    }


def outlet(code: str, district: str, cutoff: int = 30, remote: int = 0) -> dict[str, Any]:
    return {
        "code": code,
        "city_code": "C",
        "city": "测试市",
        "province": "测试省",
        "districts": [district],
        "latitude": 30.0,
        "longitude": 120.0,
        "opens_minute": 480,
        "closes_minute": 1260,
        "cutoff_minutes": cutoff,
        "remote_extra_days": remote,
        "couriers": [],
    }


def leg(a: str, b: str, departures: list[str], minutes: int, mode: str = "road") -> dict[str, Any]:
    return {"from": a, "to": b, "mode": mode, "departures": departures, "duration_minutes": minutes}


def network(
    hubs: list[dict[str, Any]], outlets: list[dict[str, Any]], legs: list[dict[str, Any]]
) -> Network:
    return build_network({"hubs": hubs, "outlets": outlets, "legs": legs})


LINE = network(
    [hub("HA", sort=60), hub("HB", sort=90)],
    [outlet("OA", "甲区", cutoff=30), outlet("OB", "乙区")],
    [
        leg("OA", "HA", ["12:00", "18:00"], 30),
        leg("HA", "HB", ["14:00", "20:00", "23:30"], 150),
        leg("HB", "OB", ["06:00", "09:00"], 40),
    ],
)


def test_a_missed_cut_off_waits_for_the_next_departure() -> None:
    planner = RoutePlanner(LINE)
    on_time = planner.plan("OA", "OB", at("11:30"))
    assert on_time.legs[0].depart == at("12:00")
    late = planner.plan("OA", "OB", at("11:31"))  # 29 minutes before: too late for 12:00
    assert late.legs[0].depart == at("18:00")


def test_sort_time_is_respected_at_every_hub() -> None:
    plan = RoutePlanner(LINE).plan("OA", "OB", at("11:00"))
    # at HA 12:30, sorted 13:30 -> the 14:00 linehaul; at HB 16:30, sorted 18:00 -> 06:00
    assert [(leg.depart, leg.arrive) for leg in plan.legs] == [
        (at("12:00"), at("12:30")),
        (at("14:00"), at("16:30")),
        (at("06:00", 1), at("06:40", 1)),
    ]
    assert plan.hubs == ["HA", "HB"]


def test_overnight_legs_arrive_the_next_day() -> None:
    plan = RoutePlanner(LINE).plan("OA", "OB", at("17:00"))
    # HA 18:30, sorted 19:30 -> 20:00 departure, at HB 22:30, sorted 00:00 -> 06:00
    linehaul = plan.legs[1]
    assert (linehaul.depart, linehaul.arrive) == (at("20:00"), at("22:30"))
    assert plan.arrival == at("06:40", 1)
    after_last = RoutePlanner(LINE).plan("OA", "OB", at("20:00"))  # first leg: 12:00 tomorrow
    assert after_last.legs[0].depart == at("12:00", 1)


def test_a_route_across_midnight_departure() -> None:
    net = network(
        [hub("HA", sort=0), hub("HB", sort=0)],
        [outlet("OA", "甲"), outlet("OB", "乙")],
        [
            leg("OA", "HA", ["22:00"], 30),
            leg("HA", "HB", ["23:30"], 150),
            leg("HB", "OB", ["02:30"], 30),
        ],
    )
    plan = RoutePlanner(net).plan("OA", "OB", at("21:00"))
    assert plan.legs[1].arrive == at("02:00", 1)
    assert plan.arrival == at("03:00", 1)


def test_no_route_is_an_error_naming_the_outlets() -> None:
    net = network(
        [hub("HA"), hub("HB")],
        [outlet("OA", "甲"), outlet("OB", "乙")],
        [leg("OA", "HA", ["12:00"], 30), leg("HB", "OB", ["06:00"], 30)],
    )
    with pytest.raises(NoRoute, match="OA to OB"):
        RoutePlanner(net).plan("OA", "OB", at("08:00"))
    with pytest.raises(NoRoute, match="unknown outlet"):
        RoutePlanner(net).plan("OA", "NOPE", at("08:00"))


def test_the_same_outlet_needs_no_legs() -> None:
    plan = RoutePlanner(LINE).plan("OA", "OA", at("09:00"))
    assert plan.legs == ()
    assert plan.arrival == at("09:00")


def test_modes_restrict_the_route() -> None:
    net = network(
        [hub("HA", 0), hub("HB", 0), hub("HC", 0)],
        [outlet("OA", "甲", cutoff=0), outlet("OB", "乙")],
        [
            leg("OA", "HA", ["08:00"], 10),
            leg("HA", "HB", ["09:00"], 60, "air"),
            leg("HA", "HC", ["09:00"], 600),
            leg("HC", "HB", ["20:00"], 300),
            leg("HB", "OB", ["06:00", "12:00"], 10),
        ],
    )
    planner = RoutePlanner(net)
    assert planner.plan("OA", "OB", at("07:00")).hubs == ["HA", "HB"]
    road = planner.plan("OA", "OB", at("07:00"), modes={"road"})
    assert road.hubs == ["HA", "HC", "HB"]
    assert {leg.mode for leg in road.legs} == {"road"}


def test_the_sample_network_loads_and_routes_between_every_city() -> None:
    sample = load_network()
    assert (len(sample.hubs), len(sample.outlets)) == (32, 320)
    planner = RoutePlanner(sample)
    firsts = {o.city_code: o.code for o in reversed(list(sample.outlets.values()))}
    for a, b in itertools.product(sorted(firsts.values())[::4], sorted(firsts.values())[::3]):
        plan = planner.plan(a, b, at("10:00"))
        assert plan.arrival - plan.ready < 5 * DAY
    assert sample.outlet_for("深圳市", "南山区") is not None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda raw: raw["legs"].append(leg("OA", "NOWHERE", ["10:00"], 5)),
            r"legs\[3\] \(OA -> NOWHERE\): unknown node 'NOWHERE'",
        ),
        (
            lambda raw: raw["legs"][0].update(departures=["25:00"]),
            r"legs\[0\] \(OA -> HA\): departures: .*not HH:MM",
        ),
        (lambda raw: raw["hubs"][0].update(sort_minutes=-5), r"hubs\[0\] \(HA\): sort_minutes"),
        (lambda raw: raw["outlets"][1].update(districts=["甲区"]), "already served by OA"),
        (lambda raw: raw["outlets"][0].update(colour="red"), r"outlets\[0\] \(OA\): colour"),
    ],
)
def test_a_malformed_network_names_the_bad_record(change: Any, message: str) -> None:
    raw: dict[str, Any] = {
        "hubs": [hub("HA"), hub("HB")],
        "outlets": [outlet("OA", "甲区"), outlet("OB", "乙区")],
        "legs": [
            leg("OA", "HA", ["12:00"], 30),
            leg("HA", "HB", ["14:00"], 150),
            leg("HB", "OB", ["06:00"], 40),
        ],
    }
    change(raw)
    with pytest.raises(NetworkError, match=message):
        build_network(raw)


# --- properties on random small networks ---------------------------------------------------

TIMES = [f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 30)]


@st.composite
def small_networks(draw: st.DrawFn) -> Network:
    hub_count = draw(st.integers(2, 5))
    hubs = [hub(f"H{i}", sort=draw(st.sampled_from([0, 30, 60, 120]))) for i in range(hub_count)]
    outlets = [outlet("OA", "甲", cutoff=draw(st.sampled_from([0, 30]))), outlet("OB", "乙")]
    legs = []
    nodes = [h["code"] for h in hubs]
    for a, b in itertools.permutations(nodes, 2):
        if draw(st.booleans()):
            legs.append(
                leg(
                    a,
                    b,
                    draw(st.lists(st.sampled_from(TIMES), min_size=1, max_size=3)),
                    draw(st.integers(20, 900)),
                    draw(st.sampled_from(["road", "air"])),
                )
            )
    for end, codes in (
        ("OA", nodes[: draw(st.integers(1, 2))]),
        ("OB", nodes[-draw(st.integers(1, 2)) :]),
    ):
        for code in codes:
            times = draw(st.lists(st.sampled_from(TIMES), min_size=1, max_size=3))
            source, target = (end, code) if end == "OA" else (code, end)
            legs.append(leg(source, target, times, draw(st.integers(10, 120))))
    return network(hubs, outlets, legs)


def brute_force(net: Network, ready: int) -> int | None:
    """Earliest arrival over every simple path, each ridden on its earliest departures."""
    best = None

    def walk(node: str, time: int, seen: set[str], first: bool) -> None:
        nonlocal best
        if node == "OB":
            best = time if best is None else min(best, time)
            return
        for edge in net.legs_from.get(node, []):
            if edge.destination in seen or (
                edge.destination in net.outlets and edge.destination != "OB"
            ):
                continue
            wait = net.outlets["OA"].cutoff_minutes if first else net.sort_minutes(node)
            depart = edge.next_departure(time + wait)
            walk(edge.destination, depart + edge.duration, seen | {edge.destination}, False)

    walk("OA", ready, {"OA"}, True)
    return best


def check_plan(net: Network, plan: Plan) -> None:
    position, clock = plan.origin, plan.ready
    for index, step in enumerate(plan.legs):
        assert step.origin == position, "legs connect"
        wait = net.outlets[position].cutoff_minutes if index == 0 else net.sort_minutes(position)
        assert step.depart >= clock + wait, "no departure before ready (cut-off / sort)"
        assert step.arrive > step.depart, "time moves forward"
        assert (step.depart % DAY) in next(
            e.departures
            for e in net.legs_from[step.origin]
            if e.destination == step.destination and (step.depart % DAY) in e.departures
        ), "a scheduled departure"
        position, clock = step.destination, step.arrive
    assert position == plan.destination
    assert plan.arrival >= plan.ready


@settings(max_examples=200, deadline=None)
@given(net=small_networks(), minute=st.integers(0, 2 * DAY))
def test_plans_are_valid_and_never_later_than_any_other_route(net: Network, minute: int) -> None:
    ready = DAY0 + minute
    expected = brute_force(net, ready)
    try:
        plan = RoutePlanner(net).plan("OA", "OB", ready)
    except NoRoute:
        event("no route")
        assert expected is None
        return
    event(f"{len(plan.hubs)} hubs")
    check_plan(net, plan)
    assert plan.arrival == expected
