"""An endpoint's pace: a burst goes at once, then one slot per interval; a quiet spell
earns the burst back, never more."""

import pytest

from services.notify.domain.pacing import Pace


def test_a_burst_goes_at_once_then_requests_are_spaced_by_the_rate() -> None:
    pace = Pace(rate_per_s=10, burst=3)
    waits = [pace.reserve(now=100.0) for _ in range(5)]
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert waits[3] == pytest.approx(0.1)
    assert waits[4] == pytest.approx(0.2)


def test_a_quiet_spell_earns_the_burst_back_but_not_more() -> None:
    pace = Pace(rate_per_s=10, burst=2)
    for _ in range(4):
        pace.reserve(now=0.0)
    later = [pace.reserve(now=60.0) for _ in range(3)]
    assert later == pytest.approx([0.0, 0.0, 0.1])


def test_waits_follow_the_clock() -> None:
    pace = Pace(rate_per_s=4)
    assert pace.reserve(now=0.0) == 0.0
    assert pace.reserve(now=0.1) == pytest.approx(0.15)  # its slot is at 0.25
    assert pace.reserve(now=1.0) == 0.0


@pytest.mark.parametrize(("rate", "burst"), [(0, 1), (-1, 1), (5, 0)])
def test_a_pace_that_could_never_send_is_refused(rate: float, burst: int) -> None:
    with pytest.raises(ValueError, match="positive rate"):
        Pace(rate, burst)
