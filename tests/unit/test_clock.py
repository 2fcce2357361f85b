"""The platform's business clock: wall time, or a compressed day every service agrees on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from fairwind.clock import PlatformClock, next_day_start
from fairwind.settings import ServiceSettings

WALL = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
ORIGIN = datetime(2026, 11, 27, 0, 0, tzinfo=UTC)


class Wall:
    def __init__(self) -> None:
        self.at = WALL

    def __call__(self) -> datetime:
        return self.at


def test_unset_clock_is_the_wall_clock() -> None:
    wall = Wall()
    clock = PlatformClock(wall=wall)
    assert not clock.simulated
    assert clock.now() == WALL


def test_compressed_clock_runs_from_its_origin_at_its_speed() -> None:
    wall = Wall()
    clock = PlatformClock(speed=288, origin=ORIGIN, anchor=WALL, wall=wall)
    assert clock.now() == ORIGIN
    wall.at = WALL + timedelta(minutes=5)
    assert clock.now() == ORIGIN + timedelta(hours=24)
    assert clock.wall_seconds(3600) == pytest.approx(12.5)


def test_two_services_with_the_same_settings_agree() -> None:
    wall = Wall()
    first = PlatformClock(60, ORIGIN, WALL, wall)
    second = PlatformClock(60, ORIGIN, WALL, wall)
    wall.at = WALL + timedelta(seconds=30)
    assert first.now() == second.now() == ORIGIN + timedelta(minutes=30)


def test_origin_without_anchor_is_refused() -> None:
    with pytest.raises(ValueError, match="together"):
        PlatformClock(origin=ORIGIN)
    with pytest.raises(ValueError, match="together"):
        ServiceSettings(clock_origin=ORIGIN)


def test_settings_build_the_clock_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAIRWIND_CLOCK_SPEED", "120")
    monkeypatch.setenv("FAIRWIND_CLOCK_ORIGIN", "2026-11-27T08:00:00+08:00")
    monkeypatch.setenv("FAIRWIND_CLOCK_ANCHOR", WALL.isoformat())
    clock = ServiceSettings().platform_clock()
    assert clock.speed == 120
    assert clock.origin == ORIGIN
    assert clock.anchor == WALL


def test_naive_origin_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAIRWIND_CLOCK_ORIGIN", "2026-11-27T08:00:00")
    monkeypatch.setenv("FAIRWIND_CLOCK_ANCHOR", WALL.isoformat())
    with pytest.raises(ValueError, match="timezone"):
        ServiceSettings()


def test_a_simulated_day_starts_on_a_working_morning() -> None:
    zone = ZoneInfo("Asia/Shanghai")
    thursday_evening = datetime(2026, 11, 26, 21, 0, tzinfo=zone)
    assert next_day_start(thursday_evening, zone) == datetime(2026, 11, 30, 7, 0, tzinfo=zone)
    monday_dawn = datetime(2026, 11, 30, 6, 0, tzinfo=zone)
    assert next_day_start(monday_dawn, zone) == datetime(2026, 11, 30, 7, 0, tzinfo=zone)
