"""SLA results (SlaMet, SlaBreached from fairwind.sla.v1) into the per-waybill ``outcomes``
and, for breaches, the customers' service records.

One poll's events at once: the results are read from the messages first, then one unit of
work reads the stored outcomes of their waybills, merges (``archive_domain.merge_outcome``:
a breached clock stays breached) and writes one bulk write per collection. Redelivery adds
nothing: outcomes merge idempotently and a breach record's id is its waybill and clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from fairwind.events import Event, PermanentError
from fairwind.v1 import sla_pb2
from services.crm import alerts, convert
from services.crm.domain.archive import (
    BREACHED,
    MET,
    SlaResult,
    breach_record,
    merge_outcomes,
)
from services.crm.handlers import CrmService
from services.crm.store import CrmUnit

SlaEnd = sla_pb2.SlaBreached | sla_pb2.SlaMet
_TIER_NAMES = {code: name for name, code in convert.TIERS.items()}


def sla_result(svc: CrmService, message: SlaEnd) -> SlaResult:
    clock = convert.sla_kind_name(message.sla)
    if not message.waybill or not clock:
        raise PermanentError(f"{type(message).__name__} without a waybill or an SLA kind")
    breached = isinstance(message, sla_pb2.SlaBreached)
    stamp = message.breached_at if isinstance(message, sla_pb2.SlaBreached) else message.met_at
    return SlaResult(
        waybill=message.waybill,
        clock=clock,
        state=BREACHED if breached else MET,
        at=convert.event_time(stamp, svc.clock.now()),
        customer_id=message.customer_id,
        tier=_TIER_NAMES.get(message.customer_tier),
        outlet_code=message.outlet_code,
        city_code=message.city_code,
        service_level=convert.level_name(message.service_level),
    )


async def on_sla_results(svc: CrmService, events: Sequence[Event[SlaEnd]]) -> None:
    """Outcomes of the waybills, and a service record for each breach (once)."""
    results = [sla_result(svc, event.message) for event in events]
    now = svc.clock.now()

    async def write(uow: CrmUnit) -> list[SlaResult]:
        # An SLA event names its customer; for one that does not, the order history does.
        owners = await uow.orders.customers_of({r.waybill for r in results if not r.customer_id})
        known = [
            replace(r, customer_id=r.customer_id or owners.get(r.waybill, "")) for r in results
        ]
        stored = await uow.outcomes.of({r.waybill for r in known})
        await uow.outcomes.put(merge_outcomes(stored, known).values(), now)
        candidates = [r for r in known if r.state == BREACHED and r.customer_id]
        filed = {rec.id: rec for rec in await uow.records.add(list(map(breach_record, candidates)))}
        # The breaches first seen now, each once (a redelivered one is not among them).
        breaches = [r for r in candidates if filed.pop(breach_record(r).id, None)]
        await alerts.key_account_breaches(svc, uow, breaches, now)
        return breaches

    breaches = await svc.uow.run(write)
    met = sum(r.state == MET for r in results)
    svc.metrics.events.labels("SlaMet", "applied").inc(met)
    svc.metrics.events.labels("SlaBreached", "applied").inc(len(breaches))
    svc.metrics.events.labels("SlaBreached", "duplicate_or_unknown").inc(
        len(results) - met - len(breaches)
    )
