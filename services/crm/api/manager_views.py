"""How managers, activities, due visits and portfolios look in JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.crm.accounts.visits import DueList, visit_due
from services.crm.convert import money_doc
from services.crm.domain.visits import DueVisit
from services.crm.views import iso

Document = dict[str, Any]


def manager_view(doc: Document, load: Document | None = None, currency: str = "") -> Document:
    view = {
        "id": doc["_id"],
        "name": doc.get("name") or "",
        "email": doc.get("email") or "",
        "phone": doc.get("phone") or "",
        "active": bool(doc.get("active")),
        "capacity": doc.get("capacity"),
        "created_at": iso(doc.get("created_at")),
        "updated_at": iso(doc.get("updated_at")),
    }
    if currency:  # listings show what each manager holds, as of the last re-rank
        load = load or {}
        view["accounts"] = load.get("accounts", 0)
        view["revenue_90d"] = money_doc(load.get("revenue_fen", 0), currency)
    return view


def activity_view(doc: Document) -> Document:
    return {
        "id": doc["_id"],
        "customer_id": doc["customer_id"],
        "kind": doc["kind"],
        "manager_id": doc["manager_id"],
        "at": iso(doc.get("at")),
        "summary": doc.get("summary") or "",
        "outcome": doc.get("outcome") or "",
        "next_step": doc.get("next_step") or "",
        "survey": doc.get("survey"),
        "survey_id": doc.get("survey_id"),
        "recorded_at": iso(doc.get("recorded_at")),
    }


def _due_line(due: DueVisit, doc: Document, currency: str) -> Document:
    manager_id = doc.get("account_manager_id")
    return {
        "customer_id": due.customer_id,
        "name": doc.get("name") or "",
        "company": doc.get("company") or "",
        "revenue_90d": money_doc(due.revenue_fen, currency),
        "last_visit_at": iso(due.last_visit_at),
        "never_visited": due.last_visit_at is None,
        "due_since": iso(due.due_since),
        "days_overdue": due.days_overdue,
        "account_manager": (
            {"id": manager_id, "name": doc.get("account_manager_name") or ""}
            if manager_id
            else None
        ),
    }


def due_view(due: DueList, currency: str, limit: int) -> Document:
    return {
        "as_of": iso(due.as_of),
        "interval_days": due.interval_days,
        "total": len(due.due),
        "due": [_due_line(d, doc, currency) for d, doc in due.due[:limit]],
    }


def portfolio_view(
    manager: Document, accounts: list[Document], now: datetime, interval_days: int, currency: str
) -> Document:
    lines = [
        {
            "customer_id": doc["_id"],
            "name": doc.get("name") or "",
            "company": doc.get("company") or "",
            "tier": doc.get("tier"),
            "key_account": bool(doc.get("key_account")),
            "pinned": bool(doc.get("manager_pinned")),
            "revenue_90d": money_doc(doc.get("revenue_90d_fen", 0), currency),
            "shipments_90d": doc.get("shipments_90d", 0),
            "last_order_at": iso(doc.get("last_order_at")),
            "last_visit_at": iso(doc.get("last_visit_at")),
            "visit_due": visit_due(doc, now, interval_days),
            "open_complaints": doc.get("open_complaints") or 0,
            "churn_risk": (doc.get("churn") or {}).get("risk"),
        }
        for doc in accounts
    ]
    revenue = sum(doc.get("revenue_90d_fen", 0) for doc in accounts)
    return {
        "manager": manager_view(manager),
        "as_of": iso(now),
        "accounts": lines,
        "totals": {
            "accounts": len(lines),
            "key_accounts": sum(1 for line in lines if line["key_account"]),
            "revenue_90d": money_doc(revenue, currency),
            "visits_due": sum(1 for line in lines if line["visit_due"]),
            "open_complaints": sum(line["open_complaints"] for line in lines),
        },
    }
