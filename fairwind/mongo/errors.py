"""What the services' repositories read in the driver's errors, in one place."""

from __future__ import annotations

from typing import Any

Document = dict[str, Any]
DUPLICATE_KEY = 11000


def write_errors(exc: BaseException) -> list[Document]:
    """The write errors of a failed write: a bulk write's list, or a single write's own."""
    details: Document = getattr(exc, "details", None) or {}
    if "writeErrors" in details:
        return list(details["writeErrors"])
    return [details] if "code" in details else []


def duplicate_keys(exc: BaseException) -> list[Document]:
    """Those of ``exc``'s write errors that broke a unique index."""
    return [error for error in write_errors(exc) if error.get("code") == DUPLICATE_KEY]
