"""The handling order of a poll: per partition in order, across partitions merged by type."""

from __future__ import annotations

from fairwind.events.waves import waves


def kind(item: str) -> str:
    return item[0]  # "c1" is a created event, "x1" a cancellation


def test_one_type_across_partitions_is_one_batch() -> None:
    assert list(waves([["c1", "c2"], ["c3"], ["c4", "c5"]], kind)) == [
        {"c": ["c1", "c2", "c3", "c4", "c5"]}
    ]


def test_a_partitions_order_across_types_is_kept() -> None:
    handled = list(waves([["c1", "x1", "c2"], ["c3", "c4"], ["x9"]], kind))
    assert handled == [
        {"c": ["c1", "c3", "c4"], "x": ["x9"]},
        {"x": ["x1"]},
        {"c": ["c2"]},
    ]
    for partition in (["c1", "x1", "c2"], ["c3", "c4"]):
        order = [i for wave in handled for items in wave.values() for i in items if i in partition]
        assert order == partition


def test_no_partitions_no_waves() -> None:
    assert list(waves([[], []], kind)) == []
