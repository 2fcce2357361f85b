"""Plain text for free-text fields: hidden characters are refused, real writing is not."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import TypeAdapter, ValidationError

from fairwind.text import PLAIN_TEXT, refused_character

# Nazanin-Zahra: the zero-width non-joiner (U+200C) is part of Persian spelling.
PERSIAN_NAME = "\u0646\u0627\u0632\u0646\u06cc\u0646\u200c\u0632\u0647\u0631\u0627"
PLAIN = TypeAdapter(Annotated[str, PLAIN_TEXT])


@pytest.mark.parametrize(
    "text",
    [
        "张三",
        "Zoë O'Brien-Łukasz",
        "建国路\u300088 号",  # ideographic space
        "Ana\u00a0María",  # no-break space
        PERSIAN_NAME,
        "क्\u200dष",  # ZWJ in a Devanagari conjunct
        "👩\u200d💻 dev",  # ZWJ in an emoji sequence
        "",
    ],
)
def test_real_writing_is_plain_text(text: str) -> None:
    assert refused_character(text) is None
    assert PLAIN.validate_python(text) == text


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("a\x00b", 1),  # Cc
        ("line\nbreak", 4),  # Cc
        ("\u202eevil", 0),  # Cf: right-to-left override
        ("zero\u200bwidth", 4),  # Cf: zero-width space
        ("\ufeffbom", 0),  # Cf
        ("private\ue000", 7),  # Co
        ("non\uffffchar", 3),  # Cn: noncharacter
        ("unassigned\U000e0fff", 10),  # Cn
        ("para\u2029graph", 4),  # Zp
        ("\u200dstart", 0),  # a joiner that joins nothing
        ("end\u200c", 3),
        ("a \u200d b", 2),  # next to spaces
    ],
)
def test_hidden_characters_are_found(text: str, index: int) -> None:
    assert refused_character(text) == index


def test_the_error_names_the_code_point_and_where_it_is() -> None:
    with pytest.raises(ValidationError) as refused:
        PLAIN.validate_python("建国路\u202e88")
    (error,) = refused.value.errors()
    assert error["type"] == "plain_text"
    assert "U+202E (RIGHT-TO-LEFT OVERRIDE) at position 3" in error["msg"]
