"""Complaints: categories, the lines caller ID shows, the backlog report and its CSV (pure:
no I/O, no clock; ``now`` is passed in).

A complaint is opened by the call centre (``open``), may be given an owner, and is resolved
once, with a resolution (``resolved``); it never reopens: a new call files a new one.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

Document = dict[str, Any]
CATEGORIES = ("late", "damaged", "lost", "courier_conduct", "billing", "other")
OPEN, RESOLVED = "open", "resolved"
COUNT_DAYS = 90  # the profile's complaints_90d
RESOLVE_DAYS = 30  # the report's mean time to resolve
MAX_ISSUES, ISSUE_CHARS = 10, 120
UNASSIGNED = "unassigned"
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
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ComplaintError(Exception):
    """A complaint request that cannot be carried out; nothing was changed."""


class UnknownCustomer(ComplaintError):
    pass


class UnknownComplaint(ComplaintError):
    pass


class NotTheirWaybill(ComplaintError):
    pass


class AlreadyResolved(ComplaintError):
    pass


def iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def new_complaint(
    complaint_id: str,
    customer_id: str,
    category: str,
    summary: str,
    waybill: str | None,
    owner: str | None,
    filed_by: str,
    now: datetime,
) -> Document:
    if category not in CATEGORIES:
        raise ValueError(f"unknown category {category!r}")
    # BSON dates hold milliseconds: the answer to a filing shows what a read shows later.
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)
    return {
        "_id": complaint_id,
        "customer_id": customer_id,
        "waybill": waybill,
        "category": category,
        "summary": summary,
        "owner": owner,
        "status": OPEN,
        "resolution": None,
        "opened_at": now,
        "resolved_at": None,
        "resolved_by": None,
        "filed_by": filed_by,
    }


def count_since(now: datetime) -> datetime:
    """Where the trailing window of ``complaints_90d`` starts."""
    return now - timedelta(days=COUNT_DAYS)


def resolve_since(now: datetime) -> datetime:
    return now - timedelta(days=RESOLVE_DAYS)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def issue_line(complaint: Mapping[str, Any]) -> str:
    """``CP-123 late SF1234567890: summary…``: at most ``ISSUE_CHARS`` characters."""
    head = f"{complaint['_id']} {complaint['category']}"
    if complaint.get("waybill"):
        head += f" {complaint['waybill']}"
    line = f"{head}: {_one_line(complaint.get('summary') or '')}"
    return line if len(line) <= ISSUE_CHARS else line[: ISSUE_CHARS - 1].rstrip() + "…"


def age_hours(opened_at: datetime, now: datetime) -> float:
    """Hours since the complaint was opened, in business time (never negative)."""
    return round(max(0.0, (now - opened_at).total_seconds() / 3600), 1)


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


def csv_cell(value: object) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets a ``'``."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_rows(complaints: Iterable[Mapping[str, Any]], now: datetime, header: bool) -> str:
    """CSV lines (RFC 4180, CRLF) of open complaints, the column names first if ``header``."""
    out = io.StringIO()
    writer = csv.writer(out)
    if header:
        writer.writerow(CSV_COLUMNS)
    for doc in complaints:
        writer.writerow(
            csv_cell(v)
            for v in (
                doc["_id"],
                doc["customer_id"],
                doc.get("waybill"),
                doc["category"],
                doc.get("owner"),
                iso(doc["opened_at"]),
                age_hours(doc["opened_at"], now),
                doc.get("filed_by"),
                _one_line(doc.get("summary") or ""),
            )
        )
    return out.getvalue()
