"""Phone numbers to E.164, so a caller's number finds the customer however it is written."""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s\-().\/]")
MIN_DIGITS, MAX_DIGITS = 8, 15  # E.164 allows at most 15 digits after the "+"
_NATIONAL_MIN_DIGITS = 10  # "8613800138000" carries its country code; "86123456" does not


def normalise(raw: str, country_code: str = "86") -> str:
    """E.164 (``+8613800138000``) from what a person or a switchboard writes.

    Full-width characters (U+FF0B plus, U+FF10..U+FF19 digits, U+3000 space: what a Chinese
    input method types) are read as their ASCII forms; only ASCII digits make a number. A
    ``(0)`` (``+86 (0)755 …``: the trunk prefix not dialled from abroad) is dropped. Spaces,
    dashes, dots, slashes and parentheses are dropped. ``+`` or ``00`` start an
    international number. Otherwise the number is national: if it already begins with the
    default country code and enough digits follow (``8613800138000``) it is taken as
    international without the ``+``; else one trunk ``0`` is dropped (``0755 8888 1234``)
    and ``country_code`` put in front. Raises ValueError for anything else.
    """
    text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw or "").replace("(0)", ""))
    if len(text) > 32:
        raise ValueError("phone number too long")
    if text.startswith("+"):
        digits = text[1:]
    elif text.startswith("00"):
        digits = text[2:]
    elif text.startswith(country_code) and len(text) - len(country_code) >= _NATIONAL_MIN_DIGITS:
        digits = text
    else:
        digits = country_code + text.removeprefix("0")
    if not (digits.isascii() and digits.isdigit()) or not MIN_DIGITS <= len(digits) <= MAX_DIGITS:
        raise ValueError(f"not a phone number: {raw!r}")
    return f"+{digits}"


def try_normalise(raw: str, country_code: str = "86") -> str | None:
    try:
        return normalise(raw, country_code)
    except ValueError:
        return None
