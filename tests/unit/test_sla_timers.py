"""The SLA timer index: each shipment due once, at its latest scheduled time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.sla.timers import TimerIndex

T0 = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_a_shipment_rescheduled_many_times_is_due_once() -> None:
    timers = TimerIndex()
    for _ in range(5):  # every event reschedules it, mostly to the same time
        timers.schedule(0, "FW1", at(48))
    timers.schedule(0, "FW2", at(50))
    assert len(timers) == 2
    assert timers.pop_due(0, at(60)) == ["FW1", "FW2"]
    assert timers.pop_due(0, at(60)) == []
    assert len(timers) == 0


def test_only_the_latest_time_counts() -> None:
    timers = TimerIndex()
    timers.schedule(0, "FW1", at(48))
    timers.schedule(0, "FW1", at(60))  # warned: next the deadline
    timers.schedule(0, "FW2", at(48))
    timers.schedule(0, "FW2", None)  # closed: nothing left to time
    assert timers.pop_due(0, at(50)) == []
    assert timers.pop_due(0, at(60)) == ["FW1"]
    timers.schedule(0, "FW3", at(70))
    timers.schedule(0, "FW3", at(65))  # earlier again: the later entry is stale
    assert timers.pop_due(0, at(66)) == ["FW3"]
    assert timers.pop_due(0, at(80)) == []


def test_partitions_are_separate_and_forgotten_whole() -> None:
    timers = TimerIndex()
    timers.schedule(0, "FW1", at(10))
    timers.schedule(1, "FW2", at(10))
    timers.forget(1)
    assert timers.pop_due(1, at(20)) == []
    assert timers.pop_due(0, at(20)) == ["FW1"]
