"""Post-delivery surveys (no I/O): one per parcel, its link signed so only the person it was
sent to can answer, and an answer checked before it is kept.

The link carries the survey id, signed (``links.py``): no guessing another parcel's
survey. One answer per survey is the store's to enforce (the answer's key is the survey
id)."""

from __future__ import annotations

from dataclasses import dataclass

from services.notify.domain.links import link_signed, link_token

PREFIX = "sv_"
MAX_COMMENT = 1000


class InvalidAnswer(ValueError):
    """An answer that cannot be kept; the message says which part and why."""


def survey_id(waybill: str) -> str:
    return PREFIX + waybill


def waybill_of(survey: str) -> str | None:
    return survey.removeprefix(PREFIX) if survey.startswith(PREFIX) and len(survey) <= 40 else None


def token(secret: bytes, survey: str) -> str:
    return link_token(secret, "survey", survey)


def signed(secret: bytes, survey: str, presented: str) -> bool:
    return link_signed(secret, "survey", survey, presented)


@dataclass(frozen=True, slots=True)
class Answer:
    score: int  # 1 (very dissatisfied) .. 5 (very satisfied)
    recommend: int | None = None  # 0..10, the NPS question
    comment: str = ""

    @classmethod
    def checked(cls, score: object, recommend: object = None, comment: object = "") -> Answer:
        """An answer from a form or JSON, or InvalidAnswer saying what is wrong."""
        found_score = _whole(score, "score", 1, 5)
        found_recommend = None if recommend in (None, "") else _whole(recommend, "recommend", 0, 10)
        text = str(comment or "").strip()
        if len(text) > MAX_COMMENT:
            raise InvalidAnswer(f"comment is at most {MAX_COMMENT} characters")
        return cls(found_score, found_recommend, text)


def _whole(value: object, name: str, low: int, high: int) -> int:
    try:
        number = int(str(value))
    except ValueError:
        raise InvalidAnswer(f"{name} must be a whole number from {low} to {high}") from None
    if not low <= number <= high:
        raise InvalidAnswer(f"{name} must be from {low} to {high}")
    return number
