"""The archive over REST (thin): contacts, the competitor evaluation, service records.
Errors are problem+json; a refused request changes nothing."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from fairwind.http import FastJSONResponse, FastJSONRoute, Problem
from services.crm import archive_handlers
from services.crm.api.deps import Service
from services.crm.archive_models import ContactsIn, EvaluationIn, contacts_of
from services.crm.domain.archive import RECORD_KINDS
from services.crm.views import iso

router = APIRouter(
    prefix="/v1/customers/{customer_id}", tags=["archive"], route_class=FastJSONRoute
)
Document = dict[str, Any]
CustomerId = Annotated[str, Path(max_length=64)]
KIND_PATTERN = "^(" + "|".join(RECORD_KINDS) + ")$"


def _unknown(customer_id: str) -> Problem:
    return Problem(404, f"No customer {customer_id!r}.")


def contact_view(contact: Document) -> Document:
    return {k: contact.get(k) or "" for k in ("name", "title", "phone", "email")}


def evaluation_view(evaluation: Document) -> Document:
    return {
        "competitors": evaluation.get("competitors") or [],
        "notes": evaluation.get("notes") or "",
        "recorded_by": evaluation.get("recorded_by"),
        "evaluated_at": iso(evaluation.get("evaluated_at")),
    }


def record_view(doc: Document) -> Document:
    return {
        "id": doc["_id"],
        "waybill": doc["waybill"],
        "kind": doc["kind"],
        "detail": doc["detail"],
        "reason": doc.get("reason") or "",
        "fault": doc.get("fault") or "",
        "at": iso(doc["at"]),
    }


@router.get("/contacts")
async def get_contacts(customer_id: CustomerId, svc: Service) -> FastJSONResponse:
    doc = await svc.store.customers.contacts_of(customer_id)
    if doc is None:
        raise _unknown(customer_id)
    contacts = [contact_view(c) for c in doc.get("contacts") or []]
    return FastJSONResponse({"customer_id": customer_id, "contacts": contacts})


@router.put("/contacts")
async def put_contacts(customer_id: CustomerId, body: ContactsIn, svc: Service) -> FastJSONResponse:
    """Replace the contacts (the first is the main contact); their phones find the customer
    in caller ID."""
    try:
        contacts = contacts_of(body.contacts, svc.settings.default_country_code)
    except ValueError as exc:
        raise Problem(422, str(exc)) from None
    stored = await archive_handlers.replace_contacts(svc, customer_id, contacts)
    if stored is None:
        raise _unknown(customer_id)
    return FastJSONResponse(
        {"customer_id": customer_id, "contacts": [contact_view(asdict(c)) for c in stored]}
    )


@router.get("/evaluation")
async def get_evaluation(customer_id: CustomerId, svc: Service) -> FastJSONResponse:
    doc = await svc.store.customers.evaluations_of(customer_id)
    if doc is None:
        raise _unknown(customer_id)
    if not doc.get("evaluation"):
        raise Problem(404, f"No evaluation recorded for {customer_id!r} yet.")
    return FastJSONResponse({"customer_id": customer_id, **evaluation_view(doc["evaluation"])})


@router.put("/evaluation")
async def put_evaluation(
    customer_id: CustomerId, body: EvaluationIn, svc: Service
) -> FastJSONResponse:
    """Record what the customer said of us against competitors (after a visit)."""
    evaluation = await archive_handlers.record_evaluation(svc, customer_id, body)
    if evaluation is None:
        raise _unknown(customer_id)
    return FastJSONResponse({"customer_id": customer_id, **evaluation_view(evaluation)})


@router.get("/evaluations")
async def list_evaluations(customer_id: CustomerId, svc: Service) -> FastJSONResponse:
    """The kept history of evaluations, newest first."""
    doc = await svc.store.customers.evaluations_of(customer_id)
    if doc is None:
        raise _unknown(customer_id)
    history = [evaluation_view(e) for e in reversed(doc.get("evaluations") or [])]
    return FastJSONResponse({"customer_id": customer_id, "evaluations": history})


@router.get("/service-records")
async def list_service_records(
    customer_id: CustomerId,
    svc: Service,
    kind: Annotated[str | None, Query(pattern=KIND_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1)] = 50,
    before: datetime | None = None,
    before_id: Annotated[str | None, Query(max_length=300)] = None,
) -> FastJSONResponse:
    """The customer's service records, most recent first; the next page: pass the
    previous page's ``next_before`` and ``next_before_id``."""
    if limit > svc.settings.max_list_limit:
        raise Problem(400, f"limit is at most {svc.settings.max_list_limit}.")
    if not await svc.store.customers.known([customer_id]):
        raise _unknown(customer_id)
    if before is not None and before.tzinfo is None:
        before = before.replace(tzinfo=UTC)  # a time without an offset is UTC
    docs = await svc.store.records.listing(customer_id, kind, limit, before, before_id)
    last = docs[-1] if len(docs) == limit else None  # a full page: there may be more
    return FastJSONResponse(
        {
            "customer_id": customer_id,
            "kind": kind,
            "records": [record_view(d) for d in docs],
            "next_before": iso(last["at"]) if last else None,
            "next_before_id": last["_id"] if last else None,
        }
    )
