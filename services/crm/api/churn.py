"""Churn risk over REST (thin): one account's score with its reasons, and the watch list
(JSON, or ``?format=csv`` for a spreadsheet)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from fairwind.http import FastJSONResponse, FastJSONRoute, Problem
from services.crm import sheets
from services.crm.api.deps import Service
from services.crm.convert import money_doc
from services.crm.views import iso

router = APIRouter(prefix="/v1", tags=["churn"], route_class=FastJSONRoute)
Document = dict[str, Any]
MAX_WATCH = 1000


def churn_view(churn: Document | None) -> Document:
    churn = churn or {}
    return {
        "risk": churn.get("risk"),
        "drivers": churn.get("drivers", []),
        "reasons": churn.get("reasons", []),
        "scored_at": iso(churn.get("scored_at")),
        "raised_at": iso(churn.get("raised_at")),
        "alert_armed": churn.get("armed", True),
    }


@router.get("/customers/{customer_id}/churn")
async def customer_churn(customer_id: str, svc: Service) -> FastJSONResponse:
    """The account's latest churn score (``risk`` null if it was never scored)."""
    doc = await svc.store.customers.get(customer_id) if len(customer_id) <= 64 else None
    if doc is None:
        raise Problem(404, f"No customer {customer_id[:64]!r}.")
    return FastJSONResponse({"customer_id": doc["_id"]} | churn_view(doc.get("churn")))


@router.get("/reports/churn", tags=["reports"])
async def churn_watch_list(
    svc: Service,
    min_risk: Annotated[float, Query(ge=0, le=1)] = 0.35,
    limit: Annotated[int, Query(ge=1, le=MAX_WATCH)] = 100,
    fmt: Annotated[Literal["json", "csv"], Query(alias="format")] = "json",
) -> Response:
    """Scored accounts at or above ``min_risk``, the riskiest first, with what drives them."""
    docs = await svc.store.churn.watch_list(min_risk, limit)
    rows = [_watch_row(doc, svc.settings.currency) for doc in docs]
    if fmt == "csv":
        header = [
            "customer_id",
            "name",
            "company",
            "tier",
            "revenue_90d",
            "risk",
            "drivers",
            "account_manager_id",
            "raised_at",
            "reasons",
        ]
        text = sheets.render(
            header,
            (
                [
                    r["customer_id"],
                    r["name"],
                    r["company"],
                    r["tier"],
                    r["revenue_90d"]["amount"],
                    r["risk"],
                    " ".join(r["drivers"]),
                    r["account_manager_id"],
                    r["raised_at"],
                    " ".join(r["reasons"]),
                ]
                for r in rows
            ),
        )
        disposition = 'attachment; filename="churn-watch-list.csv"'
        return Response(
            text,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": disposition},
        )
    return FastJSONResponse({"min_risk": min_risk, "accounts": rows})


def _watch_row(doc: Document, currency: str) -> Document:
    return {
        "customer_id": doc["_id"],
        "name": doc.get("name") or "",
        "company": doc.get("company") or "",
        "tier": doc.get("tier"),
        "revenue_90d": money_doc(doc.get("revenue_90d_fen", 0), currency),
        "account_manager_id": doc.get("account_manager_id"),
    } | churn_view(doc.get("churn"))
