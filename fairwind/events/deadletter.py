"""Dead-letter records: the original key, value and headers, plus why and where it failed.

Every consumer of the platform (the kit's runner, the SLA worker) writes the same headers,
so one tool can read any ``<topic>.dlq`` and replay a record to where it came from."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

MAX_ERROR_TEXT = 2000
Headers = list[tuple[str, bytes]]


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a dead-lettered record was read, and by whom."""

    topic: str
    partition: int
    offset: int
    group: str


def error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:MAX_ERROR_TEXT]


def dead_letter_headers(
    original: Iterable[tuple[str, bytes]] | None,
    origin: Origin,
    reason: str,
    error: BaseException,
    attempts: int,
    failed_at: datetime | None = None,
) -> Headers:
    """The original headers (CloudEvents ones included) followed by the ``dlq_*`` ones."""
    when = failed_at or datetime.now(UTC)
    return [
        *(original or ()),
        ("dlq_reason", reason.encode()),
        ("dlq_error", error_text(error).encode()),
        ("dlq_attempts", str(attempts).encode()),
        ("dlq_original_topic", origin.topic.encode()),
        ("dlq_original_partition", str(origin.partition).encode()),
        ("dlq_original_offset", str(origin.offset).encode()),
        ("dlq_consumer_group", origin.group.encode()),
        ("dlq_failed_at", when.isoformat().encode()),
    ]
