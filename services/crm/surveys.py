"""Survey answers into the archive: ``SurveyAnswered`` (notify's post-delivery survey, and
account managers' visit surveys, id ``visit:...``) stored once per survey id, and each
affected customer's 90-day satisfaction refreshed in the same unit of work.

crm consumes its own topic for this; the other crm events on it (SegmentChanged and the
rest, which crm publishes itself) have no handler, so the kit counts them ``ignored``: they
are neither handled nor dead-lettered.

An answer leaves a customer's 90-day figure when it ages out of the window, with no event
to say so: the refresher re-computes the customers whose oldest answer has left it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from fairwind.events import Event, PermanentError
from fairwind.runtime.lifecycle import Worker, periodic
from fairwind.v1 import crm_pb2
from services.crm import convert
from services.crm.domain.classification import business_day
from services.crm.domain.satisfaction import Standing, satisfaction_since, source_of, standing
from services.crm.handlers import CrmService, wall_interval
from services.crm.store import CrmUnit

Document = dict[str, Any]
MAX_SURVEY_ID, MAX_ID = 128, 64
log = logging.getLogger(__name__)


def survey_doc(svc: CrmService, message: crm_pb2.SurveyAnswered, now: datetime) -> Document:
    """The stored answer, or PermanentError for one that cannot be kept."""
    if not 0 < len(message.survey_id) <= MAX_SURVEY_ID:
        raise PermanentError(f"SurveyAnswered needs a survey_id of 1..{MAX_SURVEY_ID} characters")
    if not 0 < len(message.customer_id) <= MAX_ID or len(message.waybill) > MAX_ID:
        raise PermanentError(f"SurveyAnswered needs a customer_id (and waybill) of <= {MAX_ID}")
    if not 1 <= message.score <= 5:
        raise PermanentError(f"SurveyAnswered score {message.score} is not 1..5")
    recommend = message.recommend if message.HasField("recommend") else None
    if recommend is not None and not 0 <= recommend <= 10:
        raise PermanentError(f"SurveyAnswered recommend {recommend} is not 0..10")
    return {
        "_id": message.survey_id,
        "customer_id": message.customer_id,
        "waybill": message.waybill or None,
        "score": message.score,
        "recommend": recommend,
        # Cut, not refused: the score matters more than the end of a long comment.
        "comment": message.comment[: svc.settings.survey_max_comment],
        "source": source_of(message.survey_id),
        "channel": convert.channel_name(message.channel),
        "answered_at": convert.event_time(message.answered_at, now),
        "received_at": now,
    }


async def refresh(uow: CrmUnit, customer_ids: Sequence[str], now: datetime) -> None:
    """Re-compute the customers' 90-day figures from their answers (one aggregation)."""
    if not customer_ids:
        return
    since = satisfaction_since(business_day(now))
    stats = await uow.surveys.window_stats(customer_ids, since)
    standings: dict[str, Standing] = {
        cid: standing(*stats[cid]) if cid in stats else standing(None, 0, None)
        for cid in customer_ids
    }
    await uow.satisfaction.keep(standings, now)


async def on_surveys_answered(
    svc: CrmService, events: Sequence[Event[crm_pb2.SurveyAnswered]]
) -> None:
    now = svc.clock.now()
    docs = [survey_doc(svc, event.message, now) for event in events]

    async def keep(uow: CrmUnit) -> int:
        fresh = await uow.surveys.add(docs)
        await refresh(uow, list(dict.fromkeys(d["customer_id"] for d in fresh)), now)
        return len(fresh)

    applied = await svc.uow.run(keep)
    svc.metrics.events.labels("SurveyAnswered", "applied").inc(applied)
    svc.metrics.events.labels("SurveyAnswered", "duplicate").inc(len(docs) - applied)


async def refresh_aged(svc: CrmService) -> int:
    """Re-compute every customer whose figure has an answer past the window; how many."""
    now = svc.clock.now()
    done = 0
    while ids := await svc.store.satisfaction.aging(now, svc.settings.satisfaction_refresh_chunk):

        async def work(uow: CrmUnit, ids: list[str] = ids) -> None:
            await refresh(uow, ids, now)

        await svc.uow.run(work)
        done += len(ids)
    return done


def refresher(svc: CrmService) -> Worker:
    """``refresh_aged`` every ``satisfaction_refresh_interval_s`` of business time."""

    async def work() -> None:
        await refresh_aged(svc)

    interval = wall_interval(svc, svc.settings.satisfaction_refresh_interval_s)
    return periodic("satisfaction-refresher", work, interval)
