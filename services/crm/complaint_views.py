"""Complaints as the API shows them: one complaint and the backlog report as JSON, the open
ones as CSV (pure: ``now`` is passed in)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from services.crm.domain.complaints import CATEGORIES, UNASSIGNED, age_hours, one_line
from services.crm.sheets import render
from services.crm.views import iso

Document = dict[str, Any]
CSV_COLUMNS = (
    "complaint_id",
    "customer_id",
    "waybill",
    "category",
    "owner",
    "opened_at",
    "age_hours",
    "filed_by",
    "summary",
)


def complaint_view(doc: Mapping[str, Any]) -> Document:
    return {
        "complaint_id": doc["_id"],
        "customer_id": doc["customer_id"],
        "waybill": doc.get("waybill"),
        "category": doc["category"],
        "summary": doc.get("summary") or "",
        "owner": doc.get("owner"),
        "status": doc["status"],
        "resolution": doc.get("resolution"),
        "opened_at": iso(doc.get("opened_at")),
        "resolved_at": iso(doc.get("resolved_at")),
        "resolved_by": doc.get("resolved_by"),
        "filed_by": doc.get("filed_by"),
    }


def backlog(
    by_category: Mapping[str, int],
    by_owner: Mapping[str | None, int],
    oldest: Iterable[Mapping[str, Any]],
    resolved: int,
    mean_resolve_s: float | None,
    now: datetime,
) -> Document:
    """The complaint backlog report (JSON)."""
    owners = {(owner or UNASSIGNED): n for owner, n in by_owner.items()}
    return {
        "as_of": iso(now),
        "open": sum(by_category.values()),
        "open_by_category": {c: by_category.get(c, 0) for c in CATEGORIES},
        "open_by_owner": dict(sorted(owners.items(), key=lambda item: (-item[1], item[0]))),
        "oldest_open": [
            complaint_view(doc) | {"age_hours": age_hours(doc["opened_at"], now)} for doc in oldest
        ],
        "resolved_30d": resolved,
        "mean_hours_to_resolve_30d": (
            None if mean_resolve_s is None else round(mean_resolve_s / 3600, 2)
        ),
    }


def csv_rows(complaints: Iterable[Mapping[str, Any]], now: datetime, header: bool) -> str:
    """CSV lines (RFC 4180, CRLF, safe in a spreadsheet: see sheets.py) of open complaints,
    the column names first if ``header``."""
    rows = (
        (
            doc["_id"],
            doc["customer_id"],
            doc.get("waybill"),
            doc["category"],
            doc.get("owner"),
            iso(doc["opened_at"]),
            age_hours(doc["opened_at"], now),
            doc.get("filed_by"),
            one_line(doc.get("summary") or ""),
        )
        for doc in complaints
    )
    return render(CSV_COLUMNS if header else None, rows)
