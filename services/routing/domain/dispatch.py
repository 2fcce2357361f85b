"""Which courier gets a pickup: the least-loaded courier of the origin outlet whose shift
covers the pickup window; if nobody's does, the least-loaded courier on shift soonest."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from services.routing.domain.network import DAY, CourierRecord


def covers(courier: CourierRecord, start: int, end: int) -> bool:
    """Whether the shift covers [start, end] (minutes of day; end may pass midnight)."""
    if end < start:
        end += DAY
    return courier.shift_start_minute <= start and end <= courier.shift_end_minute


def choose_courier(
    couriers: Sequence[CourierRecord],
    window: tuple[int, int],
    load: Mapping[str, int],
    exclude: Collection[str] = (),
) -> str | None:
    """``window`` is (start, end) in minutes of day. None when the outlet has no courier
    left to ask (all excluded)."""
    candidates = [c for c in couriers if c.id not in exclude]
    if not candidates:
        return None
    start, end = window
    on_shift = [c for c in candidates if covers(c, start, end)]
    if on_shift:
        return min(on_shift, key=lambda c: (load.get(c.id, 0), c.id)).id

    def wait(courier: CourierRecord) -> int:
        return (courier.shift_start_minute - start) % DAY

    return min(candidates, key=lambda c: (wait(c), load.get(c.id, 0), c.id)).id
