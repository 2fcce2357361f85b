"""Caller ID over REST (thin): ``GET /v1/callers?phone=...`` or ``?name=...&company=...``,
the same content as the LookupByPhone / LookupByName RPCs, as JSON."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Query

from fairwind.domain.privacy import mask_name
from fairwind.http import FastJSONResponse, FastJSONRoute, Problem
from services.crm import callers
from services.crm.api.deps import Service
from services.crm.callers import CallerCard
from services.crm.convert import money_doc
from services.crm.domain.matching import MAX_QUERY, mask_digits
from services.crm.views import iso, profile_view

router = APIRouter(prefix="/v1", tags=["callers"], route_class=FastJSONRoute)
Document = dict[str, Any]
Words = Annotated[str | None, Query(max_length=MAX_QUERY)]


def order_view(doc: Mapping[str, Any]) -> Document:
    """An order of the call-centre history; the consignee is stored masked only."""
    return {
        "waybill": doc["_id"],
        "status": doc.get("status"),
        "service_level": doc.get("service_level") or None,
        "destination_city": doc.get("destination_city") or "",
        "consignee_name": doc.get("consignee_name") or "",
        "price": money_doc(doc["price_fen"], doc["currency"]) if doc.get("currency") else None,
        "created_at": iso(doc.get("created_at")),
    }


def contact_view(contact: Mapping[str, Any]) -> Document:
    return {
        "name": contact.get("name") or "",
        "title": contact.get("title") or "",
        "phone": mask_digits(str(contact.get("phone") or "")),
        "email": contact.get("email") or "",
    }


def card_view(card: CallerCard, currency: str) -> Document:
    return {
        "profile": profile_view(
            card.customer, card.totals, currency, complaints_90d=card.complaints_90d
        ),
        "recent_orders": [order_view(o) for o in card.recent_orders],
        "open_issues": card.open_issues,
    }


@router.get("/callers")
async def caller_id(
    svc: Service,
    phone: Annotated[str | None, Query(max_length=32)] = None,
    name: Words = None,
    company: Words = None,
    recent_orders_limit: Annotated[int, Query(ge=0)] = 0,
    max_candidates: Annotated[int, Query(ge=0)] = 0,
) -> FastJSONResponse:
    """Who is calling: by phone number, or by the caller's name and company (fuzzy)."""
    if phone:
        try:
            found = await callers.by_phone(svc, phone, recent_orders_limit)
        except ValueError as exc:
            raise Problem(400, f"{exc}.") from None
        if found is None:
            raise Problem(404, "No customer has this number.")
        return FastJSONResponse(card_view(found, svc.settings.currency))
    if not (name or "").strip() and not (company or "").strip():
        raise Problem(400, "Give phone, or name and/or company.")
    try:
        match = await callers.by_name(
            svc, name or "", company or "", recent_orders_limit, max_candidates
        )
    except ValueError as exc:
        raise Problem(400, f"{exc}.") from None
    if match is None:
        raise Problem(404, "No customer matches this name and company well enough.")
    best = match.best
    return FastJSONResponse(
        card_view(match.card, svc.settings.currency)
        | {
            "match_score": round(best.score, 3),
            "contact": contact_view(best.contact) if best.contact else None,
            "candidates": [
                {
                    "customer_id": m.customer_id,
                    "company": doc.get("company") or "",
                    "contact_name": mask_name(str(m.contact["name"])) if m.contact else "",
                    "score": round(m.score, 3),
                }
                for m, doc in match.others
            ],
        }
    )
