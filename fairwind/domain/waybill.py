"""Waybill numbers: a fixed prefix, a zero-padded serial and a Damm check digit. In the
kit because every service that takes a waybill from outside checks it the same way.

The Damm algorithm catches every single-digit error and every adjacent transposition,
which is what a number read aloud on the phone or typed from a label gets wrong (Luhn
misses 09 ↔ 90; ISO 7064 MOD 11-10 misses some transpositions such as 34 ↔ 43).
"""

from __future__ import annotations

import re

SERIAL_DIGITS = 11


class InvalidWaybill(ValueError):
    """Not a waybill number of this network."""


# Damm's totally anti-symmetric quasigroup of order 10.
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)


def check_digit(digits: str) -> int:
    interim = 0
    for char in digits:
        interim = _DAMM[interim][int(char)]
    return interim


def format_waybill(prefix: str, serial: int) -> str:
    if not 0 < serial < 10**SERIAL_DIGITS:
        raise ValueError(f"serial {serial} out of range")
    digits = f"{serial:0{SERIAL_DIGITS}d}"
    return f"{prefix}{digits}{check_digit(digits)}"


def parse_waybill(text: str, prefix: str) -> str:
    """The normalised waybill (upper case, no spaces), or InvalidWaybill saying why."""
    candidate = re.sub(r"[\s-]", "", text).upper()
    pattern = rf"{re.escape(prefix)}(\d{{{SERIAL_DIGITS}}})(\d)"
    match = re.fullmatch(pattern, candidate)
    if match is None:
        raise InvalidWaybill(
            f"a waybill is {prefix} followed by {SERIAL_DIGITS + 1} digits, got {text!r}"
        )
    if check_digit(match.group(1)) != int(match.group(2)):
        raise InvalidWaybill(f"{text!r} has a wrong check digit")
    return candidate
