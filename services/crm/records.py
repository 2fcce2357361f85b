"""Service records from tracking and order events: every failed delivery, exception and
cancellation of a customer's parcels (SLA breaches: ``outcomes.py``).

The handlers in ``handlers.py`` call these; ids are deterministic (``archive_domain``), so a
redelivered event (a new ``ce_id``, the same facts) finds its record already stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from fairwind.v1 import common_pb2, orders_pb2, tracking_pb2
from services.crm import convert
from services.crm.domain.archive import (
    ServiceRecord,
    cancellation_record,
    status_record,
    status_record_kind,
)
from services.crm.store import CrmStore


def reason_name(code: int) -> str:
    """``EXCEPTION_REASON_CONSIGNEE_NOT_HOME`` -> ``consignee_not_home`` ("" if none)."""
    try:
        name: str = common_pb2.ExceptionReason.Name(code)
    except ValueError:
        return ""
    return "" if name.endswith("UNSPECIFIED") else name.removeprefix("EXCEPTION_REASON_").lower()


def _occurrence(message: tracking_pb2.ShipmentStatusChanged) -> str:
    """What tells two failed attempts of one parcel apart: the scan, else the scan's time
    (an event with neither can make one record of its kind per waybill)."""
    if message.scan_id:
        return message.scan_id
    stamp = message.occurred_at
    return f"{stamp.seconds}.{stamp.nanos:09d}" if stamp.seconds or stamp.nanos else ""


async def record_statuses(
    store: CrmStore, changes: Sequence[tuple[tracking_pb2.ShipmentStatusChanged, datetime]]
) -> int:
    """Records of the failed deliveries and exceptions among ``changes`` (each with its
    business time) whose waybill crm knows; one query, one bulk write. How many were new."""
    notable = [
        (message, at)
        for message, at in changes
        if status_record_kind(convert.status_name(message.to_status))
    ]
    if not notable:
        return 0
    owners = await store.orders.customers_of({message.waybill for message, _ in notable})
    found: list[ServiceRecord] = []
    for message, at in notable:
        if message.waybill not in owners:  # an order crm never saw: nobody to file it under
            continue
        record = status_record(
            owners[message.waybill],
            message.waybill,
            convert.status_name(message.to_status),
            reason_name(message.reason),
            at,
            _occurrence(message),
        )
        if record is not None:
            found.append(record)
    return len(await store.records.add(found))


def of_cancellation(
    message: orders_pb2.OrderCancelled, customer_id: str, at: datetime
) -> list[ServiceRecord]:
    """The cancellation's record (none without a customer to file it under)."""
    if not customer_id:
        return []
    by_carrier = message.initiator == orders_pb2.CANCEL_INITIATOR_CARRIER
    return [cancellation_record(customer_id, message.waybill, message.reason_code, by_carrier, at)]
