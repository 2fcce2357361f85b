"""What the simulated actors know about the network: outlets (with their districts and
couriers) and hubs, read from the operator's network file. Nothing of a service is imported;
this is the roster a real operator hands to its staff."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Outlet:
    code: str
    city_code: str
    province: str
    city: str
    districts: tuple[str, ...]
    couriers: tuple[str, ...]
    opens_minute: int
    closes_minute: int


@dataclass(frozen=True)
class Hub:
    code: str
    city_code: str
    sort_minutes: int


@dataclass(frozen=True)
class World:
    time_zone: str
    outlets: dict[str, Outlet]
    hubs: dict[str, Hub]

    @classmethod
    def load(cls, path: Path) -> World:
        data = json.loads(path.read_text(encoding="utf-8"))
        outlets = {
            o["code"]: Outlet(
                o["code"],
                o["city_code"],
                o["province"],
                o["city"],
                tuple(o["districts"]),
                tuple(c["id"] for c in o["couriers"]),
                o["opens_minute"],
                o["closes_minute"],
            )
            for o in data["outlets"]
        }
        hubs = {h["code"]: Hub(h["code"], h["city_code"], h["sort_minutes"]) for h in data["hubs"]}
        return cls(data["time_zone"], outlets, hubs)

    def choose_outlets(self, count: int, seed: int) -> list[Outlet]:
        """``count`` outlets spread over as many cities as possible, the same for a seed."""
        rng = random.Random(f"outlets:{seed}")
        by_city: dict[str, list[Outlet]] = {}
        for outlet in sorted(self.outlets.values(), key=lambda o: o.code):
            by_city.setdefault(outlet.city_code, []).append(outlet)
        for outlets in by_city.values():
            rng.shuffle(outlets)
        cities = sorted(by_city)
        rng.shuffle(cities)
        chosen: list[Outlet] = []
        while len(chosen) < count and any(by_city.values()):
            for city in cities:
                if by_city[city] and len(chosen) < count:
                    chosen.append(by_city[city].pop())
        return chosen

    def other_hub(self, planned: str, rng: random.Random) -> str:
        """A hub the parcel was not meant to reach (for a missort)."""
        return rng.choice(sorted(code for code in self.hubs if code != planned))
