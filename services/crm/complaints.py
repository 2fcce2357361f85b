"""Complaints filed by the call centre: open, assign, resolve, and the reads of them that
caller ID and the backlog report make (small async handlers).

Opening and resolving move the customer's ``open_complaints`` in the same transaction as
the complaint itself, so the counter never disagrees with the collection. A refused request
(unknown customer or complaint, a waybill of someone else, a second resolve) raises a
``ComplaintError`` before anything commits: it changes nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from typing import Any

from services.crm.complaint_views import backlog, csv_rows
from services.crm.domain.complaints import (
    MAX_ISSUES,
    AlreadyResolved,
    ComplaintError,
    NotTheirWaybill,
    UnknownComplaint,
    UnknownCustomer,
    count_since,
    issue_line,
    new_complaint,
    resolve_since,
)
from services.crm.handlers import CrmService
from services.crm.store import Complaints, CrmUnit

Document = dict[str, Any]
CSV_CHUNK = 500


def new_id() -> str:
    return f"CP-{secrets.token_hex(6).upper()}"


async def open_complaint(
    svc: CrmService,
    customer_id: str,
    category: str,
    summary: str,
    waybill: str | None,
    owner: str | None,
    filed_by: str,
) -> Document:
    doc = new_complaint(
        new_id(), customer_id, category, summary, waybill, owner, filed_by, svc.clock.now()
    )

    async def file(uow: CrmUnit) -> None:
        if not await uow.customers.add_open_complaints(customer_id, 1, doc["opened_at"]):
            raise UnknownCustomer(f"No customer {customer_id!r}.")
        if waybill is not None and await uow.complaints.customer_of(waybill) != customer_id:
            raise NotTheirWaybill(f"Waybill {waybill!r} is not an order of {customer_id!r}.")
        await uow.complaints.insert(doc)

    await svc.uow.run(file)
    return doc


async def get_complaint(svc: CrmService, complaint_id: str) -> Document:
    doc = await svc.store.complaints.get(complaint_id)
    if doc is None:
        raise UnknownComplaint(f"No complaint {complaint_id!r}.")
    return doc


async def complaints_of(
    svc: CrmService, customer_id: str, status: str | None, limit: int
) -> list[Document]:
    if await svc.store.customers.get(customer_id) is None:
        raise UnknownCustomer(f"No customer {customer_id!r}.")
    return await svc.store.complaints.of_customer(customer_id, status, limit)


async def _refusal(complaints: Complaints, complaint_id: str) -> ComplaintError:
    """Why an update of an open complaint found none: unknown, or resolved already."""
    if await complaints.get(complaint_id) is None:
        return UnknownComplaint(f"No complaint {complaint_id!r}.")
    return AlreadyResolved(f"Complaint {complaint_id!r} is resolved already.")


async def assign(svc: CrmService, complaint_id: str, owner: str) -> Document:
    doc = await svc.store.complaints.assign(complaint_id, owner, svc.clock.now())
    if doc is None:
        raise await _refusal(svc.store.complaints, complaint_id)
    return doc


async def resolve(
    svc: CrmService, complaint_id: str, resolution: str, resolved_by: str
) -> Document:
    now = svc.clock.now()

    async def close(uow: CrmUnit) -> Document:
        doc = await uow.complaints.resolve(complaint_id, resolution, resolved_by, now)
        if doc is None:
            raise await _refusal(uow.complaints, complaint_id)
        await uow.customers.add_open_complaints(doc["customer_id"], -1)
        return doc

    return await svc.uow.run(close)


async def open_issues(svc: CrmService, customer: Document) -> list[str]:
    """What caller ID shows the agent: the oldest open complaints, one short line each
    (no read for a customer with none open, most of them)."""
    if not customer.get("open_complaints"):
        return []
    found = await svc.store.complaints.open_of(customer["_id"], MAX_ISSUES)
    return [issue_line(d) for d in found]


async def complaints_90d(svc: CrmService, customer: Document) -> int:
    """Complaints filed in the last 90 days; read only when the customer's latest complaint
    (``last_complaint_at``) is that recent or one is still open."""
    since = count_since(svc.clock.now())
    latest = customer.get("last_complaint_at")
    if not customer.get("open_complaints") and (latest is None or latest < since):
        return 0
    return await svc.store.complaints.opened_since(customer["_id"], since)


async def backlog_report(svc: CrmService) -> Document:
    now = svc.clock.now()
    complaints = svc.store.complaints
    by_category, by_owner = await complaints.open_counts()
    oldest = await complaints.oldest_open(svc.settings.complaints_report_oldest)
    resolved, mean_s = await complaints.resolved_since(resolve_since(now))
    return backlog(by_category, by_owner, oldest, resolved, mean_s, now)


async def backlog_csv(svc: CrmService) -> AsyncIterator[str]:
    """Every open complaint as CSV, oldest first, streamed a chunk of rows at a time."""
    now = svc.clock.now()
    chunk: list[Document] = []
    header = True
    async for doc in svc.store.complaints.open_cursor():
        chunk.append(doc)
        if len(chunk) == CSV_CHUNK:
            yield csv_rows(chunk, now, header)
            chunk, header = [], False
    if chunk or header:
        yield csv_rows(chunk, now, header)
