"""What the orders repositories raise instead of the driver's errors, so handlers never
parse a MongoDB error."""

from __future__ import annotations

from fairwind.mongo.errors import duplicate_keys


class DuplicateOrder(Exception):
    """An order of the write breaks a unique index: its partner order id, or its
    Idempotency-Key (``fields`` names the index's fields). Nothing of the write is kept."""

    def __init__(self, fields: set[str]) -> None:
        super().__init__(f"duplicate key on {sorted(fields)}")
        self.fields = fields


class IdempotencyRace(Exception):
    """Another request with the same Idempotency-Key committed first."""


def duplicated_fields(exc: BaseException) -> set[str] | None:
    """The fields of the unique index a write broke, or None if it was not a duplicate."""
    for error in duplicate_keys(exc):
        return set(error.get("keyPattern") or {})
    return None
