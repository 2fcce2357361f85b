"""The churn back-test's world: a month of fifteen partners' orders and SLA results, day
by day (pure and seeded: the same seed gives the same month).

Every partner arrives with its archive (90 days at its usual rate) and keeps shipping at
that rate with a weekly rhythm (weekdays busier, Sundays quiet) and Poisson noise, with a
few late parcels. One key account, the *faller*, has a week of bad service first (two in
five of its parcels late), then ships less every day: 5 % of its usual volume fewer each
day from the second week, down to a fifth. The back-test asks whether its account manager
hears of it before its volume halves, and whether the steady partners stay quiet.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass

RATES = (60, 50, 45, 40, 35, 30, 25, 20, 18, 15, 12, 10, 8, 6, 5)  # usual shipments a day
FALLER = "p02"
WEEKDAY = (1.1, 1.1, 1.1, 1.1, 1.1, 0.85, 0.6)  # Monday first; averages 0.99
PRICE_CNY = 20.0


@dataclass(frozen=True, slots=True)
class Partner:
    customer_id: str
    company: str
    rate: float  # usual shipments a day

    @property
    def archive(self) -> dict[str, object]:
        """Its line of the archive import: 90 days at its usual rate."""
        return {
            "customer_id": self.customer_id,
            "name": f"{self.company} 物流部",
            "company": self.company,
            "emails": [f"ops@{self.customer_id}.example"],
            "revenue_90d_cny": self.rate * 90 * PRICE_CNY,
            "shipments_90d": int(self.rate * 90),
        }


@dataclass(frozen=True, slots=True)
class Shipment:
    waybill: str
    customer_id: str
    late: bool  # breaks its delivery promise


@dataclass(frozen=True)
class Month:
    seed: int = 11
    days: int = 28
    bad_week: tuple[int, int] = (0, 7)  # the faller's late parcels: days [0, 7)
    falls_from: int = 7
    fall_per_day: float = 0.05
    floor: float = 0.2
    late_share: float = 0.03
    bad_late_share: float = 0.4

    def partners(self) -> list[Partner]:
        return [
            Partner(f"p{n:02d}", f"{name}有限公司", rate)
            for n, (name, rate) in enumerate(zip(COMPANIES, RATES, strict=True), start=1)
        ]

    def volume(self, partner: Partner, day: int) -> float:
        """The partner's planned share of its usual volume on ``day`` (1.0 = usual)."""
        if partner.customer_id != FALLER or day < self.falls_from:
            return 1.0
        return max(self.floor, 1 - self.fall_per_day * (day - self.falls_from + 1))

    def shipments(self, day: int, weekday: int) -> Iterator[Shipment]:
        """Every partner's shipments of ``day`` (``weekday``: 0 = Monday)."""
        rng = random.Random(self.seed * 1000 + day)
        for partner in self.partners():
            mean = partner.rate * WEEKDAY[weekday] * self.volume(partner, day)
            late = self.late_share
            if partner.customer_id == FALLER and self.bad_week[0] <= day < self.bad_week[1]:
                late = self.bad_late_share
            for n in range(_poisson(rng, mean)):
                waybill = f"BT{day:02d}{partner.customer_id}{n:04d}"
                yield Shipment(waybill, partner.customer_id, rng.random() < late)


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method, in steps so large means do not underflow."""
    count, left = 0, mean
    while left > 0:
        step = min(left, 30.0)
        left -= step
        limit, product = math.exp(-step), rng.random()
        while product > limit:
            count += 1
            product *= rng.random()
    return count


COMPANIES = (
    "华东电商",
    "顺达贸易",
    "云集优选",
    "北辰科技",
    "南山茶业",
    "海岸服饰",
    "青禾母婴",
    "星河数码",
    "长风家居",
    "锦绣食品",
    "川味坊",
    "白鹭书局",
    "远山户外",
    "小满花艺",
    "竹林文具",
)
