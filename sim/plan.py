"""The day's script, decided up front from the seed: who orders what, when, and what goes
wrong. Pure and deterministic: the same seed gives the same script at any speed."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta

from sim.world import Outlet

# Partners by share of the volume: a big marketplace, a mid-size shop, a small florist...
PARTNER_SHARES = (0.5, 0.25, 0.12, 0.08, 0.05)
PARTNER_NAMES = ("bigmall", "techshop", "bookhouse", "florist", "teashop")
# Orders per hour of the booking day (08:00-20:00): two peaks, late morning and afternoon.
HOURLY_PROFILE = (4, 7, 10, 9, 6, 6, 8, 10, 9, 6, 3, 2)
DAY_START_HOUR = 7  # the simulated day starts when the outlets open
FIRST_BOOKING_HOUR = 8


@dataclass(frozen=True)
class Trouble:
    """Rates (0..1) of what goes wrong; each order draws its own troubles."""

    late_pickup: float = 0.08
    missort: float = 0.04
    failed_delivery: float = 0.06
    exception: float = 0.03
    cancellation: float = 0.02


@dataclass(frozen=True)
class SimConfig:
    seed: int = 7
    partners: int = 3
    orders: int = 1200
    outlets: int = 24
    trouble: Trouble = field(default_factory=Trouble)


@dataclass(frozen=True)
class Script:
    """One order's life as the simulator will play it."""

    index: int
    partner: str
    at: timedelta  # after the start of the day
    origin: Outlet
    origin_district: str
    destination: Outlet
    destination_district: str
    service_level: str
    pickup_after: timedelta  # from the order to the pickup scan
    late_pickup: bool
    cancel: bool
    missort: bool
    exception: bool
    failed_attempts: int
    weight_kg: float
    jitter_seed: int


def partners(count: int) -> list[tuple[str, float]]:
    if not 1 <= count <= len(PARTNER_NAMES):
        raise ValueError(f"partners: 1 to {len(PARTNER_NAMES)}")
    shares = PARTNER_SHARES[:count]
    return [(PARTNER_NAMES[i], shares[i] / sum(shares)) for i in range(count)]


def order_times(rng: random.Random, count: int) -> list[timedelta]:
    """``count`` booking times over 08:00-20:00 following the hourly profile, sorted; as
    offsets from the start of the day, which is 07:00 (``DAY_START_HOUR``)."""
    hours = rng.choices(range(len(HOURLY_PROFILE)), weights=HOURLY_PROFILE, k=count)
    first = FIRST_BOOKING_HOUR - DAY_START_HOUR
    return sorted(timedelta(hours=first + hour, seconds=rng.uniform(0, 3600)) for hour in hours)


def script_day(config: SimConfig, outlets: list[Outlet]) -> list[Script]:
    if len(outlets) < 2:
        raise ValueError("the simulation needs at least two outlets")
    rng = random.Random(f"day:{config.seed}")
    names, shares = zip(*partners(config.partners), strict=True)
    trouble = config.trouble
    scripts = []
    for index, at in enumerate(order_times(rng, config.orders)):
        origin, destination = rng.sample(outlets, 2)
        late = rng.random() < trouble.late_pickup
        pickup_minutes = rng.uniform(70, 110) if late else rng.uniform(10, 45)
        failed = 0
        if rng.random() < trouble.failed_delivery:
            failed = 2 if rng.random() < 0.25 else 1
        scripts.append(
            Script(
                index=index,
                partner=rng.choices(names, weights=shares)[0],
                at=at,
                origin=origin,
                origin_district=rng.choice(origin.districts),
                destination=destination,
                destination_district=rng.choice(destination.districts),
                # Next-day is refused after the cutoff, so late bookings go standard.
                service_level="next_day" if at < timedelta(hours=17) else "standard",
                pickup_after=timedelta(minutes=pickup_minutes),
                late_pickup=late,
                cancel=rng.random() < trouble.cancellation,
                missort=rng.random() < trouble.missort,
                exception=rng.random() < trouble.exception,
                failed_attempts=failed,
                weight_kg=round(rng.uniform(0.2, 12.0), 1),
                jitter_seed=rng.randrange(1 << 30),
            )
        )
    return scripts
