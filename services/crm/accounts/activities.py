"""The account managers' activity log: visits, calls, e-mails, meetings and notes.

A visit moves the customer's ``last_visit_at`` (forward only) in the same transaction as
the activity, which is what the due list reads. A visit may carry the customer's answer to
a visit survey; it is published as ``SurveyAnswered`` (``survey_id`` = "visit:" + activity
id, no waybill, channel unspecified, answered at the visit's time) through the outbox of
that same transaction, so the satisfaction figures count it like a delivery survey.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from fairwind.v1 import crm_pb2
from services.crm import convert
from services.crm.accounts.managers import NotFound, StaffId
from services.crm.handlers import CrmService
from services.crm.store import CrmUnit

Document = dict[str, Any]
VISIT = "visit"
# Clocks of a phone and the server differ a little; an activity further ahead is a plan.
FUTURE_SLACK = timedelta(minutes=5)
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]


class SurveyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    score: int = Field(ge=1, le=5)
    recommend: int | None = Field(default=None, ge=0, le=10)
    comment: Text = ""


class ActivityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["visit", "call", "email", "meeting", "note"]
    manager_id: StaffId
    at: AwareDatetime | None = None
    summary: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    outcome: Text = ""
    next_step: Text = ""
    survey: SurveyIn | None = None

    @model_validator(mode="after")
    def _survey_on_visits_only(self) -> ActivityIn:
        if self.survey is not None and self.kind != VISIT:
            raise ValueError("a survey is given on a visit only")
        return self


class BadActivity(ValueError):
    """Well-formed but not acceptable (an activity in the future)."""


def _millis(at: datetime) -> datetime:
    """UTC, to the millisecond: what MongoDB keeps, so the event and the record agree."""
    at = at.astimezone(UTC)
    return at.replace(microsecond=at.microsecond // 1000 * 1000)


async def record_activity(svc: CrmService, customer_id: str, spec: ActivityIn) -> Document:
    """Log an activity; NotFound (customer, manager) or BadActivity change nothing."""
    now = svc.clock.now()
    at = _millis(spec.at or now)
    if at > now + FUTURE_SLACK:
        raise BadActivity("at lies in the future: log an activity once it happened")
    activity_id = f"AC-{secrets.token_hex(8)}"  # made once: a retried transaction keeps it
    doc: Document = {
        "_id": activity_id,
        "customer_id": customer_id,
        "kind": spec.kind,
        "manager_id": spec.manager_id,
        "at": at,
        "summary": spec.summary,
        "outcome": spec.outcome,
        "next_step": spec.next_step,
        "survey": spec.survey.model_dump() if spec.survey else None,
        "survey_id": f"visit:{activity_id}" if spec.survey else None,
        "recorded_at": now,
    }

    async def log(uow: CrmUnit) -> None:
        if not await uow.assignments.known([customer_id]):
            raise NotFound(f"No customer {customer_id!r}.")
        if not await uow.managers.known([spec.manager_id]):
            raise NotFound(f"No manager {spec.manager_id!r}.")
        await uow.activities.insert(doc)
        if spec.kind == VISIT:
            await uow.assignments.record_visit(customer_id, at)
        if spec.survey is not None:
            uow.emit(svc.codec.encode(_survey_answered(doc, spec.survey), customer_id))

    await svc.uow.run(log)
    return doc


def _survey_answered(activity: Document, survey: SurveyIn) -> crm_pb2.SurveyAnswered:
    message = crm_pb2.SurveyAnswered(
        survey_id=activity["survey_id"],
        customer_id=activity["customer_id"],
        score=survey.score,
        comment=survey.comment,
        answered_at=convert.stamp(activity["at"]),
    )
    if survey.recommend is not None:
        message.recommend = survey.recommend
    return message


async def activities_of(
    svc: CrmService, customer_id: str, limit: int, offset: int
) -> list[Document]:
    """Most recent first; NotFound for an unknown customer."""
    if not await svc.store.assignments.known([customer_id]):
        raise NotFound(f"No customer {customer_id!r}.")
    return await svc.store.activities.recent(customer_id, limit, offset)
