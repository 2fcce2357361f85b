"""How a customer looks in JSON: REST responses and the admin command's output."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.crm.convert import money_doc
from services.crm.domain import Totals

Document = dict[str, Any]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def profile_view(doc: Document, totals: Totals, currency: str) -> Document:
    """The archive entry with live 90-day figures; tier and rank as of ``ranked_at``."""
    return {
        "customer_id": doc["_id"],
        "name": doc.get("name") or "",
        "company": doc.get("company") or "",
        "phones": doc.get("phones") or [],
        "emails": doc.get("emails") or [],
        "tier": doc.get("tier"),
        "key_account": bool(doc.get("key_account")),
        "revenue_rank": doc.get("revenue_rank"),
        "revenue_90d": money_doc(totals.revenue_fen, currency),
        "shipments_90d": totals.shipments,
        "orders_per_week": round(totals.orders_per_week, 3),
        "last_order_at": _iso(doc.get("last_order_at")),
        "ranked_at": _iso(doc.get("ranked_at")),
        "created_at": _iso(doc.get("created_at")),
        "updated_at": _iso(doc.get("updated_at")),
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
        "ranked_at": _iso(doc.get("ranked_at")),
    }
