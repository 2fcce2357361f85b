"""How a customer looks in JSON: REST responses and the admin command's output."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from services.crm.convert import money_doc
from services.crm.domain.classification import Totals

Document = dict[str, Any]


def iso(value: datetime | date | None) -> str | None:
    """ISO 8601 with a Z for UTC; None stays None."""
    return value.isoformat().replace("+00:00", "Z") if value else None


def _manager(doc: Document) -> Document | None:
    if not doc.get("account_manager_id"):
        return None
    return {
        "id": doc["account_manager_id"],
        "name": doc.get("account_manager_name") or "",
        "pinned": bool(doc.get("manager_pinned")),
    }


def profile_view(
    doc: Document, totals: Totals, currency: str, *, complaints_90d: int = 0
) -> Document:
    """The archive entry with live 90-day figures; tier and rank as of ``ranked_at``."""
    return {
        "customer_id": doc["_id"],
        "name": doc.get("name") or "",
        "company": doc.get("company") or "",
        "phones": doc.get("phones") or [],
        "emails": doc.get("emails") or [],
        "contacts": doc.get("contacts") or [],
        "city": doc.get("city"),
        "competitors": doc.get("competitors") or [],
        "tier": doc.get("tier"),
        "key_account": bool(doc.get("key_account")),
        "revenue_rank": doc.get("revenue_rank"),
        "revenue_90d": money_doc(totals.revenue_fen, currency),
        "open_complaints": doc.get("open_complaints", 0),
        "complaints_90d": complaints_90d,
        "account_manager": _manager(doc),
        "last_visit_at": iso(doc.get("last_visit_at")),
        "shipments_90d": totals.shipments,
        "orders_per_week": round(totals.orders_per_week, 3),
        "satisfaction_score": (doc.get("satisfaction") or {}).get("score_90d"),
        "survey_answers_90d": (doc.get("satisfaction") or {}).get("answers_90d", 0),
        "churn_risk": (doc.get("churn") or {}).get("risk"),
        "churn_drivers": (doc.get("churn") or {}).get("drivers", []),
        "last_order_at": iso(doc.get("last_order_at")),
        "ranked_at": iso(doc.get("ranked_at")),
        "created_at": iso(doc.get("created_at")),
        "updated_at": iso(doc.get("updated_at")),
    }


def ranked_view(doc: Document, currency: str) -> Document:
    """One line of the ranked list: the figures the last re-rank used."""
    return {
        "customer_id": doc["_id"],
        "name": doc.get("name") or "",
        "company": doc.get("company") or "",
        "tier": doc.get("tier"),
        "key_account": bool(doc.get("key_account")),
        "revenue_rank": doc.get("revenue_rank"),
        "revenue_90d": money_doc(doc.get("revenue_90d_fen", 0), currency),
        "shipments_90d": doc.get("shipments_90d", 0),
        "ranked_at": iso(doc.get("ranked_at")),
    }
