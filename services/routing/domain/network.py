"""The express network as data: outlets (网点), sorting hubs (中转场), linehaul legs with
daily departures, built from the parsed network file (``services/routing/datafiles.py``
reads it); a malformed network fails at start with a message naming the bad record.

Times of day are minutes after local midnight in the network's time zone; a leg departing at
23:30 with a 150-minute trip arrives at 02:00 the next day.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

R = TypeVar("R", bound="_Record")
DAY = 24 * 60
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class NetworkError(ValueError):
    """The network is malformed; the message names its source and the bad record."""


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CourierRecord(_Record):
    id: str = Field(min_length=1)
    shift_start_minute: int = Field(ge=0, lt=DAY)
    shift_end_minute: int = Field(gt=0, le=DAY)


class HubRecord(_Record):
    code: str = Field(pattern=r"^[A-Z0-9-]{2,16}$")
    city_code: str
    name: str
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    regional: bool = False
    sort_minutes: int = Field(ge=0, le=24 * 60)
    sort_capacity_per_hour: int = Field(gt=0)


class OutletRecord(_Record):
    code: str = Field(pattern=r"^[A-Z0-9-]{2,16}$")
    city_code: str
    city: str
    province: str
    districts: list[str] = Field(min_length=1)
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    opens_minute: int = Field(ge=0, lt=DAY)
    closes_minute: int = Field(gt=0, le=DAY)
    cutoff_minutes: int = Field(ge=0, le=240)
    remote_extra_days: int = Field(ge=0, le=10)
    couriers: list[CourierRecord] = Field(default_factory=list)


class LegRecord(_Record):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    origin: str = Field(alias="from")
    destination: str = Field(alias="to")
    mode: Literal["road", "air"]
    departures: list[str] = Field(min_length=1)
    duration_minutes: int = Field(gt=0, le=7 * DAY)

    @field_validator("departures")
    @classmethod
    def _times(cls, values: list[str]) -> list[str]:
        for value in values:
            if not _HHMM.match(value):
                raise ValueError(f"departure {value!r} is not HH:MM")
        return values


@dataclass(frozen=True, slots=True)
class Leg:
    origin: str
    destination: str
    mode: str
    departures: tuple[int, ...]  # minutes of day, sorted
    duration: int

    def next_departure(self, ready: int) -> int:
        """The first departure at or after ``ready`` (minutes since the epoch of the plan)."""
        day, minute = divmod(ready, DAY)
        index = bisect_left(self.departures, minute)
        if index < len(self.departures):
            return day * DAY + self.departures[index]
        return (day + 1) * DAY + self.departures[0]


@dataclass
class Network:
    version: str
    time_zone: ZoneInfo
    hubs: dict[str, HubRecord]
    outlets: dict[str, OutletRecord]
    legs_from: dict[str, list[Leg]]
    districts: dict[tuple[str, str], str] = field(
        default_factory=dict
    )  # (city, district) -> outlet

    @property
    def legs(self) -> list[Leg]:
        return [leg for legs in self.legs_from.values() for leg in legs]

    def sort_minutes(self, node: str) -> int:
        hub = self.hubs.get(node)
        return hub.sort_minutes if hub is not None else 0

    def outlet_for(self, city: str, district: str) -> OutletRecord | None:
        code = self.districts.get((city, district))
        return self.outlets[code] if code else None


def build_network(raw: Any, source: str = "network") -> Network:
    """The network as parsed from JSON; ``source`` (the file) prefixes every error."""
    if not isinstance(raw, dict):
        raise NetworkError(f"{source}: not a JSON object")
    hubs = {h.code: h for h in _records(raw, "hubs", HubRecord, source)}
    outlets = {o.code: o for o in _records(raw, "outlets", OutletRecord, source)}
    if len(hubs) != len(raw.get("hubs", [])) or len(outlets) != len(raw.get("outlets", [])):
        raise NetworkError(f"{source}: duplicate hub or outlet codes")
    if set(hubs) & set(outlets):
        raise NetworkError(
            f"{source}: codes used by both a hub and an outlet: {sorted(set(hubs) & set(outlets))}"
        )
    legs_from: dict[str, list[Leg]] = defaultdict(list)
    for index, record in enumerate(_records(raw, "legs", LegRecord, source)):
        for node in (record.origin, record.destination):
            if node not in hubs and node not in outlets:
                raise NetworkError(
                    f"{source}: legs[{index}] ({record.origin} -> "
                    f"{record.destination}): unknown node {node!r}"
                )
        minutes = sorted({int(t[:2]) * 60 + int(t[3:]) for t in record.departures})
        legs_from[record.origin].append(
            Leg(
                record.origin,
                record.destination,
                record.mode,
                tuple(minutes),
                record.duration_minutes,
            )
        )
    districts: dict[tuple[str, str], str] = {}
    for outlet in outlets.values():
        if outlet.closes_minute <= outlet.opens_minute:
            raise NetworkError(f"{source}: outlet {outlet.code}: closes before it opens")
        for district in outlet.districts:
            other = districts.setdefault((outlet.city, district), outlet.code)
            if other != outlet.code:
                raise NetworkError(
                    f"{source}: outlet {outlet.code}: district {district} of "
                    f"{outlet.city} is already served by {other}"
                )
    try:
        zone = ZoneInfo(str(raw.get("time_zone", "Asia/Shanghai")))
    except Exception as exc:
        raise NetworkError(f"{source}: unknown time_zone {raw.get('time_zone')!r}") from exc
    return Network(str(raw.get("version", "")), zone, hubs, outlets, dict(legs_from), districts)


def _records(raw: dict[str, Any], key: str, model: type[R], source: str) -> list[R]:
    records = []
    for index, item in enumerate(raw.get(key) or []):
        try:
            records.append(model.model_validate(item))
        except ValidationError as exc:
            name = (
                item.get("code") or f"{item.get('from')} -> {item.get('to')}"
                if isinstance(item, dict)
                else "?"
            )
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()
            )
            raise NetworkError(f"{source}: {key}[{index}] ({name}): {problems}") from exc
    if not records:
        raise NetworkError(f"{source}: no {key}")
    return records
