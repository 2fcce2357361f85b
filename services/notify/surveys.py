"""Answering a post-delivery survey: the link's signature checked, the answer kept once,
and ``SurveyAnswered`` published with it in one unit of work (crm joins it to the
shipment's outcome)."""

from __future__ import annotations

from dataclasses import dataclass

from fairwind.v1 import common_pb2, crm_pb2
from services.notify.domain.planning import Parcel
from services.notify.domain.rules import Audience
from services.notify.domain.surveys import Answer, signed, waybill_of
from services.notify.handlers import NotifyService
from services.notify.store import NotifyUnit


class UnknownSurvey(LookupError):
    """No such survey, or a link whose signature does not match."""


class AlreadyAnswered(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Survey:
    id: str
    parcel: Parcel

    @property
    def language(self) -> str:
        person = self.parcel.people.get(Audience.RECIPIENT)
        return person.prefs.language if person else "zh"


async def survey_of(svc: NotifyService, survey: str, presented: str) -> Survey:
    """The survey a signed link is for; UnknownSurvey otherwise."""
    waybill = waybill_of(survey)
    if waybill is None or not signed(svc.link_key, survey, presented):
        raise UnknownSurvey(survey)
    parcel = (await svc.store.parcels.many([waybill])).get(waybill)
    if parcel is None:
        raise UnknownSurvey(survey)
    return Survey(survey, parcel)


async def answered(svc: NotifyService, survey: Survey) -> bool:
    return await svc.store.surveys.get(survey.id) is not None


async def answer_survey(svc: NotifyService, survey: Survey, answer: Answer) -> None:
    """Keep the answer and publish it; AlreadyAnswered if the survey had its answer."""
    now = svc.clock.now()
    message = crm_pb2.SurveyAnswered(
        survey_id=survey.id,
        customer_id=survey.parcel.customer_id,
        waybill=survey.parcel.waybill,
        score=answer.score,
        comment=answer.comment,
        channel=common_pb2.CHANNEL_EMAIL,
    )
    if answer.recommend is not None:
        message.recommend = answer.recommend
    message.answered_at.FromDatetime(now)
    doc = {
        "_id": survey.id,
        "waybill": survey.parcel.waybill,
        "customer_id": survey.parcel.customer_id,
        "score": answer.score,
        "recommend": answer.recommend,
        "comment": answer.comment,
        "answered_at": now,
    }

    async def keep(uow: NotifyUnit) -> bool:
        if not await uow.surveys.answer(doc):
            return False
        uow.emit(svc.codec.encode(message, survey.parcel.waybill))
        return True

    if not await svc.uow.run(keep):
        raise AlreadyAnswered(survey.id)
