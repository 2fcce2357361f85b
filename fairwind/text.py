"""Free text from outside (names, addresses, descriptions): plain, visible text only.

Refused, with the code point named: controls (Cc: NUL, tabs, newlines, escapes), format
characters (Cf: bidi overrides such as U+202E, zero-width spaces, BOM, soft hyphens),
surrogates (Cs), private use (Co), unassigned code points and noncharacters (Cn: U+FFFF)
and line or paragraph separators (Zl, Zp). They are invisible or undefined, reorder or
hide what a label, a courier's handheld or a call-centre screen shows, and break printers.

Allowed: every letter, mark, number, punctuation, symbol and space (U+3000 included), and
the two joiners U+200C (ZWNJ) and U+200D (ZWJ) between two visible characters: Persian
spelling needs ZWNJ, Indic conjuncts and emoji sequences need ZWJ, so names use them.
"""

from __future__ import annotations

import unicodedata

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
JOINERS = frozenset({"\u200c", "\u200d"})


def refused_character(text: str) -> int | None:
    """The index of the first character plain text may not contain, or None."""
    if text.isprintable():  # the fast path: no C*, Z* other than the ASCII space
        return None
    for index, char in enumerate(text):
        if char in JOINERS:
            if not (_visible(text, index - 1) and _visible(text, index + 1)):
                return index
        elif unicodedata.category(char) in REFUSED_CATEGORIES:
            return index
    return None


def _visible(text: str, index: int) -> bool:
    if not 0 <= index < len(text):
        return False
    char = text[index]
    return not char.isspace() and unicodedata.category(char) not in REFUSED_CATEGORIES


def check_plain_text(value: str) -> str:
    index = refused_character(value)
    if index is None:
        return value
    char = value[index]
    name = unicodedata.name(char, "") if unicodedata.category(char) != "Cs" else ""
    raise PydanticCustomError(
        "plain_text",
        "must be plain text: U+{code}{name} at position {position} is a control, format, "
        "private-use or unassigned character",
        {"code": f"{ord(char):04X}", "name": f" ({name})" if name else "", "position": index},
    )


# Use as ``Annotated[str, StringConstraints(...), PLAIN_TEXT]``.
PLAIN_TEXT = AfterValidator(check_plain_text)
