"""A key account's late parcel, told to its account manager (``KeyAccountBreached``), in
the same unit of work that files the breach: so it is told once, however often the SLA
event is delivered.

A bad day can break many of one account's parcels; the manager hears of the first, then
at most once every ``breach_alert_every_h`` business hours per account (each alert
carries the account's count of late parcels over the last 7 days).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from fairwind.v1 import crm_pb2, sla_pb2
from services.crm import convert
from services.crm.domain.archive import SlaResult
from services.crm.handlers import CrmService
from services.crm.store import CrmUnit

Document = dict[str, Any]
KINDS = {
    "pickup": sla_pb2.SLA_KIND_PICKUP,
    "outlet_delivery": sla_pb2.SLA_KIND_OUTLET_DELIVERY,
    "promise": sla_pb2.SLA_KIND_PROMISE,
}


async def key_account_breaches(
    svc: CrmService, uow: CrmUnit, breaches: Sequence[SlaResult], now: datetime
) -> int:
    """Emit the alerts the new ``breaches`` call for; how many."""
    ids = sorted({b.customer_id for b in breaches})
    if not ids:
        return 0
    quiet = now - timedelta(hours=svc.settings.breach_alert_every_h)
    accounts = {
        doc["_id"]: doc
        for doc in await uow.churn.accounts_by_id(ids)
        if doc.get("key_account") and _last_alert(doc) < quiet
    }
    if not accounts:
        return 0
    managers = await uow.churn.managers(
        [d.get("account_manager_id") or "" for d in accounts.values()]
    )
    seen = await uow.churn.experience(list(accounts), now - timedelta(days=7))
    told: dict[str, crm_pb2.KeyAccountBreached] = {}
    for breach in breaches:
        doc = accounts.get(breach.customer_id)
        if doc is None or breach.customer_id in told:
            continue
        manager = managers.get(doc.get("account_manager_id") or "") or {}
        told[breach.customer_id] = crm_pb2.KeyAccountBreached(
            customer_id=breach.customer_id,
            waybill=breach.waybill,
            sla=KINDS.get(breach.clock, sla_pb2.SLA_KIND_UNSPECIFIED),
            account_manager_id=manager.get("_id", ""),
            account_manager_name=manager.get("name", ""),
            account_manager_email=manager.get("email", ""),
            customer_name=doc.get("name") or "",
            company=doc.get("company") or "",
            breaches_7d=seen.get(breach.customer_id, {}).get("sla_breach", 1),
            breached_at=convert.stamp(breach.at),
        )
    uow.emit(*(svc.codec.encode(message, cid) for cid, message in told.items()))
    await uow.churn.mark_breach_alerted(list(told), now)
    return len(told)


def _last_alert(doc: Document) -> datetime:
    alerted = (doc.get("alerts") or {}).get("breach_at")
    return alerted if isinstance(alerted, datetime) else datetime.min.replace(tzinfo=UTC)
