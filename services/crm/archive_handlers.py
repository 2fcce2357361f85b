"""The archive's account-manager actions and reads: contacts, the competitor evaluation,
service records and the profile's live figures per service level (REST calls these)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.crm.archive_models import EvaluationIn
from services.crm.domain.archive import (
    RECORD_KINDS,
    Contact,
    contact_phones_change,
    level_figures,
    to_millis,
)
from services.crm.domain.classification import business_day, window_start
from services.crm.handlers import CrmService
from services.crm.store import CrmUnit, midnight

Document = dict[str, Any]


def window_since(now: datetime) -> datetime:
    """Start of the trailing 90-day window (the same business days as the revenue's)."""
    return midnight(window_start(business_day(now)))


async def replace_contacts(
    svc: CrmService, customer_id: str, contacts: list[Contact]
) -> list[Contact] | None:
    """The customer's contacts become ``contacts``; their phones identify the caller, and
    those the old contacts brought leave with them. None if the customer is unknown."""

    async def write(uow: CrmUnit) -> list[Contact] | None:
        doc = await uow.customers.contacts_of(customer_id)
        if doc is None:
            return None
        phones, brought = contact_phones_change(
            doc.get("phones") or [], doc.get("contact_phones") or [], [c.phone for c in contacts]
        )
        await uow.customers.set_contacts(customer_id, contacts, phones, brought, svc.clock.now())
        return contacts

    # Read, then write the phones: run again if an order adds a phone meanwhile.
    return await svc.uow.run(write)


async def record_evaluation(
    svc: CrmService, customer_id: str, spec: EvaluationIn
) -> Document | None:
    """Store the evaluation as the current one and in the history; None if unknown."""
    now = to_millis(svc.clock.now())
    evaluation: Document = {
        "competitors": [c.model_dump() for c in spec.competitors],
        "notes": spec.notes,
        "recorded_by": spec.recorded_by,
        "evaluated_at": now,
    }
    stored = await svc.store.customers.record_evaluation(
        customer_id, evaluation, svc.settings.evaluation_history, now
    )
    return evaluation if stored else None


async def archive_figures(svc: CrmService, customer_id: str) -> Document:
    """The profile's live archive figures: volume per service level and service records
    over the trailing 90 days."""
    since = window_since(svc.clock.now())
    levels = await svc.store.orders.level_counts(customer_id, since)
    counts = (await svc.store.records.counts_since(customer_id, since)).get(customer_id, {})
    return {
        "levels": level_figures(levels),
        "service_records_90d": {kind: counts.get(kind, 0) for kind in RECORD_KINDS},
    }
