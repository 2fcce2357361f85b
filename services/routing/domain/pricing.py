"""Prices from a data table: zone by distance band x chargeable weight x service level,
plus remote-area and cash-on-delivery surcharges."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

CENT = Decimal("0.01")


class PriceTableError(ValueError):
    """The price table is malformed."""


class _Zone(BaseModel):
    model_config = ConfigDict(extra="forbid")
    zone: str
    max_km: float | None


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: str = ""
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    description: str = ""
    zones: list[_Zone] = Field(min_length=1)
    rates: dict[str, dict[str, tuple[float, float]]]
    remote_area_per_day: float = Field(ge=0)
    cod_fee_rate: float = Field(ge=0, le=1)
    cod_fee_minimum: float = Field(ge=0)
    volumetric_divisor: float = Field(gt=0)


@dataclass(frozen=True, slots=True)
class Piece:
    weight_kg: float
    length_cm: float
    width_cm: float
    height_cm: float
    quantity: int = 1


@dataclass(frozen=True, slots=True)
class Price:
    zone: str
    chargeable_weight_kg: float
    base: Decimal
    surcharges: tuple[tuple[str, str, Decimal], ...]  # (code, description, amount)
    currency: str

    @property
    def total(self) -> Decimal:
        return self.base + sum((s[2] for s in self.surcharges), Decimal(0))


class PriceTable:
    def __init__(self, table: _Table) -> None:
        self.table = table
        self.currency = table.currency

    @classmethod
    def from_dict(cls, raw: Any, source: str = "prices") -> PriceTable:
        """The table as parsed from JSON; ``source`` (the file) prefixes the error."""
        try:
            return cls(_Table.model_validate(raw))
        except ValidationError as exc:
            raise PriceTableError(f"{source}: {exc}") from exc

    def zone(self, distance_km: float) -> str:
        for band in self.table.zones:
            if band.max_km is None or distance_km <= band.max_km:
                return band.zone
        return self.table.zones[-1].zone

    def chargeable_weight(self, pieces: list[Piece]) -> float:
        divisor = self.table.volumetric_divisor
        total = sum(
            max(p.weight_kg, p.length_cm * p.width_cm * p.height_cm / divisor) * max(p.quantity, 1)
            for p in pieces
        )
        return math.ceil(round(total * 10, 6)) / 10

    def price(
        self,
        level: str,
        distance_km: float,
        pieces: list[Piece],
        remote_days: int = 0,
        cod_amount: Decimal | None = None,
    ) -> Price:
        """Raises KeyError naming the level and zone when the table has no rate for them."""
        zone = self.zone(distance_km)
        rates = self.table.rates.get(level, {})
        if zone not in rates:
            raise KeyError(f"no {level} rate for zone {zone}")
        first, further = rates[zone]
        weight = self.chargeable_weight(pieces)
        kilos = max(1, math.ceil(weight))
        base = _money(first + (kilos - 1) * further)
        surcharges = []
        if remote_days:
            surcharges.append(
                (
                    "REMOTE_AREA",
                    f"remote area, +{remote_days} working days",
                    _money(self.table.remote_area_per_day * remote_days),
                )
            )
        if cod_amount:
            fee = max(
                Decimal(str(self.table.cod_fee_rate)) * cod_amount,
                Decimal(str(self.table.cod_fee_minimum)),
            )
            surcharges.append(("COD_FEE", "cash on delivery", fee.quantize(CENT, ROUND_HALF_UP)))
        return Price(zone, weight, base, tuple(surcharges), self.currency)


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371 * math.asin(math.sqrt(h))
