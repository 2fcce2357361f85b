"""Chargeable weight: the larger of actual and volumetric weight (L x W x H cm / 6000)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import NamedTuple

VOLUMETRIC_DIVISOR_CM3_PER_KG = 6000


class PieceSize(NamedTuple):
    weight_kg: float
    length_cm: float
    width_cm: float
    height_cm: float
    quantity: int = 1


def volumetric_weight_kg(piece: PieceSize) -> float:
    return piece.length_cm * piece.width_cm * piece.height_cm / VOLUMETRIC_DIVISOR_CM3_PER_KG


def chargeable_weight_kg(pieces: Iterable[PieceSize]) -> float:
    """Per piece the larger weight, times quantity, summed and rounded up to 0.1 kg."""
    total = sum(max(p.weight_kg, volumetric_weight_kg(p)) * p.quantity for p in pieces)
    return math.ceil(round(total * 10, 6)) / 10
