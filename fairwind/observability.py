"""Correlation across processes: W3C trace context and a correlation id for logs.

The consumer runner and the HTTP/gRPC entrypoints set these per event or request; the
publisher copies ``traceparent`` onto outgoing events and the JSON log formatter prints the
correlation id, so one order's journey can be followed through every service's logs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_traceparent: ContextVar[str | None] = ContextVar("fairwind_traceparent", default=None)
_correlation_id: ContextVar[str | None] = ContextVar("fairwind_correlation_id", default=None)

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


def current_traceparent() -> str | None:
    return _traceparent.get()


def current_correlation_id() -> str | None:
    return _correlation_id.get()


def trace_id_of(traceparent: str | None) -> str | None:
    match = _TRACEPARENT.match(traceparent or "")
    return match.group(1) if match else None


def new_traceparent() -> str:
    """A fresh sampled W3C traceparent (version 00)."""
    return f"00-{os.urandom(16).hex()}-{os.urandom(8).hex()}-01"


def child_traceparent(parent: str | None) -> str:
    """Same trace, new span id; a new trace when the parent is missing or malformed."""
    trace_id = trace_id_of(parent)
    if trace_id is None:
        return new_traceparent()
    return f"00-{trace_id}-{os.urandom(8).hex()}-01"


@contextmanager
def correlation(traceparent: str | None, correlation_id: str | None = None) -> Iterator[str]:
    """Run a block under a trace context; yields the correlation id used in logs."""
    span = child_traceparent(traceparent)
    cid = correlation_id or trace_id_of(span) or ""
    tp_token = _traceparent.set(span)
    cid_token = _correlation_id.set(cid)
    try:
        yield cid
    finally:
        _traceparent.reset(tp_token)
        _correlation_id.reset(cid_token)
