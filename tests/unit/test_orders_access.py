"""Pure parts of the orders service: rate limiting, label masking, cursors."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

from fairwind.domain.privacy import mask_name, mask_phone
from fairwind.testing import ManualClock
from services.orders.ratelimit import RateLimiter
from services.orders.store import decode_cursor, encode_cursor


def test_bucket_allows_a_burst_then_refills_at_the_rate() -> None:
    clock = ManualClock()
    limiter = RateLimiter(rate_per_s=2, burst=3, clock=clock)
    assert [limiter.acquire("p") for _ in range(3)] == [0, 0, 0]
    assert limiter.acquire("p") == pytest.approx(0.5)
    clock.now = 0.5
    assert limiter.acquire("p") == 0
    assert limiter.acquire("p") == pytest.approx(0.5)


def test_partners_have_separate_buckets_and_overrides() -> None:
    clock = ManualClock()
    limiter = RateLimiter(rate_per_s=1, burst=1, clock=clock)
    assert limiter.acquire("a") == 0
    assert limiter.acquire("a") > 0
    assert limiter.acquire("b") == 0
    assert [limiter.acquire("vip", rate_per_s=100, burst=5) for _ in range(5)] == [0] * 5


def test_a_request_larger_than_the_bucket_can_never_pass() -> None:
    limiter = RateLimiter(rate_per_s=1, burst=2, clock=ManualClock())
    assert math.isinf(limiter.acquire("p", cost=3))


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13912345678", "139****5678"),
        ("+86 139 1234 5678", "139****5678"),
        ("+1 415 555 0100", "141****0100"),
        ("12345", "*****"),
    ],
)
def test_label_phone_masking(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("name", "masked"), [("张三", "张*"), ("欧阳娜娜", "欧***"), ("Li Wei", "L****"), ("", "")]
)
def test_name_masking(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_cursor_round_trip_and_garbage() -> None:
    when = datetime(2026, 11, 11, 8, 0, tzinfo=UTC)
    assert decode_cursor(encode_cursor({"created_at": when, "_id": "FW1"})) == (when, "FW1")
    with pytest.raises(ValueError, match="cursor"):
        decode_cursor("bm90IGpzb24")
