"""Complaints: categories, filing, the lines caller ID shows, ages (pure: no I/O, no clock;
``now`` is passed in). Their JSON and CSV forms are in services/crm/complaint_views.py.

A complaint is opened by the call centre (``open``), may be given an owner, and is resolved
once, with a resolution (``resolved``); it never reopens: a new call files a new one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

Document = dict[str, Any]
CATEGORIES = ("late", "damaged", "lost", "courier_conduct", "billing", "other")
OPEN, RESOLVED = "open", "resolved"
COUNT_DAYS = 90  # the profile's complaints_90d
RESOLVE_DAYS = 30  # the report's mean time to resolve
MAX_ISSUES, ISSUE_CHARS = 10, 120
UNASSIGNED = "unassigned"


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


def one_line(text: str) -> str:
    return " ".join(text.split())


def issue_line(complaint: Mapping[str, Any]) -> str:
    """``CP-123 late SF1234567890: summary…``: at most ``ISSUE_CHARS`` characters."""
    head = f"{complaint['_id']} {complaint['category']}"
    if complaint.get("waybill"):
        head += f" {complaint['waybill']}"
    line = f"{head}: {one_line(complaint.get('summary') or '')}"
    return line if len(line) <= ISSUE_CHARS else line[: ISSUE_CHARS - 1].rstrip() + "…"


def age_hours(opened_at: datetime, now: datetime) -> float:
    """Hours since the complaint was opened, in business time (never negative)."""
    return round(max(0.0, (now - opened_at).total_seconds() / 3600), 1)
