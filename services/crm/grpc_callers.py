"""Caller ID over gRPC (thin): LookupByPhone and LookupByName replies from the caller card
(services/crm/callers.py). The servicer in grpc_server.py delegates here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import grpc

from fairwind.domain.privacy import mask_name
from fairwind.v1 import crm_pb2
from services.crm import callers, convert
from services.crm.callers import CallerCard
from services.crm.domain.matching import mask_digits
from services.crm.handlers import CrmService

Context = grpc.aio.ServicerContext[Any, Any]


def _profile(card: CallerCard, currency: str) -> crm_pb2.CustomerProfile:
    return convert.profile_message(
        card.customer, card.totals, currency, complaints_90d=card.complaints_90d
    )


def contact_message(contact: Mapping[str, Any]) -> crm_pb2.CustomerContact:
    """The contact that matched, its phone masked to the last four digits."""
    return crm_pb2.CustomerContact(
        name=str(contact.get("name") or ""),
        title=str(contact.get("title") or ""),
        phone=mask_digits(str(contact.get("phone") or "")),
        email=str(contact.get("email") or ""),
    )


async def lookup_by_phone(
    svc: CrmService, request: crm_pb2.LookupByPhoneRequest, context: Context
) -> crm_pb2.LookupByPhoneResponse:
    try:
        card = await callers.by_phone(svc, request.phone, request.recent_orders_limit)
    except ValueError as exc:
        await context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
    if card is None:
        await context.abort(grpc.StatusCode.NOT_FOUND, "no customer has this number")
    return crm_pb2.LookupByPhoneResponse(
        profile=_profile(card, svc.settings.currency),
        recent_orders=[convert.order_summary(o) for o in card.recent_orders],
        open_issues=card.open_issues,
    )


async def lookup_by_name(
    svc: CrmService, request: crm_pb2.LookupByNameRequest, context: Context
) -> crm_pb2.LookupByNameResponse:
    try:
        found = await callers.by_name(
            svc,
            request.name,
            request.company,
            request.recent_orders_limit,
            request.max_candidates,
        )
    except ValueError as exc:
        await context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
    if found is None:
        await context.abort(grpc.StatusCode.NOT_FOUND, "no customer matches well enough")
    card = found.card
    reply = crm_pb2.LookupByNameResponse(
        profile=_profile(card, svc.settings.currency),
        recent_orders=[convert.order_summary(o) for o in card.recent_orders],
        open_issues=card.open_issues,
        match_score=round(found.best.score, 3),
        candidates=[
            crm_pb2.CallerCandidate(
                customer_id=match.customer_id,
                company=doc.get("company") or "",
                contact_name=mask_name(str(match.contact["name"])) if match.contact else "",
                score=round(match.score, 3),
            )
            for match, doc in found.others
        ],
    )
    if found.best.contact is not None:
        reply.contact.CopyFrom(contact_message(found.best.contact))
    return reply
