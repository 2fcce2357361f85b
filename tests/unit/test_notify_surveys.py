"""Surveys: one per parcel, links that cannot be forged, answers checked."""

import pytest

from services.notify.domain.surveys import (
    Answer,
    InvalidAnswer,
    signed,
    survey_id,
    token,
    waybill_of,
)

SECRET = b"s" * 32


def test_a_survey_link_is_signed_for_its_own_survey_only() -> None:
    mine, other = survey_id("FW1"), survey_id("FW2")
    assert waybill_of(mine) == "FW1"
    assert signed(SECRET, mine, token(SECRET, mine))
    assert not signed(SECRET, other, token(SECRET, mine))
    assert not signed(b"t" * 32, mine, token(SECRET, mine))
    assert not signed(SECRET, mine, "")


def test_what_is_not_a_survey_id_has_no_waybill() -> None:
    assert waybill_of("FW1") is None
    assert waybill_of("sv_" + "9" * 60) is None


def test_an_answer_takes_a_score_an_optional_nps_and_a_comment() -> None:
    assert Answer.checked("5", "9", "  快  ") == Answer(5, 9, "快")
    assert Answer.checked(3) == Answer(3, None, "")
    assert Answer.checked(4, "") == Answer(4, None, "")


@pytest.mark.parametrize(
    ("score", "recommend", "comment", "says"),
    [
        ("0", None, "", "score must be from 1 to 5"),
        ("six", None, "", "score must be a whole number"),
        (None, None, "", "score must be a whole number"),
        ("3", "11", "", "recommend must be from 0 to 10"),
        ("3", None, "x" * 1001, "comment is at most 1000"),
    ],
)
def test_a_bad_answer_says_what_is_wrong(
    score: object, recommend: object, comment: str, says: str
) -> None:
    with pytest.raises(InvalidAnswer, match=says):
        Answer.checked(score, recommend, comment)
