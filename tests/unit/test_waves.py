"""The handling order of a poll: each key's events in partition order, all else together."""

from __future__ import annotations

from fairwind.events.waves import waves


def kind(item: str) -> str:
    return item[0]  # "c1" is a created event of key 1, "x1" a cancellation, "n" keyless


def key(item: str) -> str | None:
    return item[1:] or None


def handled_order(handled: list[dict[str, list[str]]]) -> list[str]:
    return [item for wave in handled for items in wave.values() for item in items]


def test_one_type_across_partitions_is_one_batch() -> None:
    assert list(waves([["c1", "c2"], ["c3"], ["c4", "c5"]], kind, key)) == [
        {"c": ["c1", "c2", "c3", "c4", "c5"]}
    ]


def test_alternating_types_of_different_keys_are_two_batches() -> None:
    # A routes partition: route planned, pickup dispatched, waybill after waybill.
    handled = list(waves([["r1", "p1", "r2", "p2", "r3", "p3"]], kind, key))
    assert handled == [{"r": ["r1", "r2", "r3"]}, {"p": ["p1", "p2", "p3"]}]


def test_a_keys_order_is_kept() -> None:
    partitions = [["c1", "x1", "c2", "x2", "d1"], ["c3", "x3"], ["x9"]]
    handled = list(waves(partitions, kind, key))
    assert handled == [
        {"c": ["c1", "c2", "c3"], "x": ["x9"]},
        {"x": ["x1", "x2", "x3"]},
        {"d": ["d1"]},
    ]
    order = handled_order(handled)
    for partition in partitions:
        for k in {key(item) for item in partition}:
            mine = [item for item in partition if key(item) == k]
            assert [item for item in order if item in mine] == mine


def test_a_keyless_event_orders_its_partition_around_it() -> None:
    handled = list(waves([["c1", "n", "c2"], ["c3", "c4"]], kind, key))
    assert handled == [{"c": ["c1", "c3", "c4"]}, {"n": ["n"]}, {"c": ["c2"]}]


def test_kinds_in_a_wave_go_in_rank_order() -> None:
    # The route of waybill 1 came on another topic than its order: the order goes first.
    handled = list(waves([["r1", "r2"], ["c1", "c2"], ["z5"]], kind, key, rank=["c", "r"]))
    assert handled == [{"c": ["c1", "c2"], "r": ["r1", "r2"], "z": ["z5"]}]
    assert [list(wave) for wave in handled] == [["c", "r", "z"]]


def test_no_partitions_no_waves() -> None:
    assert list(waves([[], []], kind, key)) == []


def test_a_keys_run_of_one_kind_is_one_batch_in_order() -> None:
    handled = list(waves([["c1", "c2", "c1", "x1", "c1"]], kind, key))
    assert handled == [{"c": ["c1", "c2", "c1"]}, {"x": ["x1"]}, {"c": ["c1"]}]
