"""The archive's rules (pure: no I/O, no clock): contacts' phones, the customer's city,
volume per service level, service records and the per-waybill SLA outcome.

Service records are what a customer experienced with their parcels (an SLA breach, a failed
delivery, an exception, a cancellation). Each has a deterministic id built from the event,
so a redelivered event finds its record already there instead of adding a second one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from services.crm.domain.classification import WINDOW_DAYS

RECORD_KINDS = ("sla_breach", "failed_delivery", "exception", "cancellation")
SLA_CLOCKS = ("pickup", "outlet_delivery", "promise")
MET, BREACHED = "met", "breached"
# Status -> record kind. A failed attempt is its own kind (the churn score weighs it apart);
# a parcel held (exception) or sent back to the shipper (returned) is an exception.
_STATUS_KINDS = {
    "delivery_failed": "failed_delivery",
    "exception": "exception",
    "returned": "exception",
}
_FAULTS = ("carrier", "consignee", "customs", "weather")
CITY_KEY_CHARS = 64


@dataclass(frozen=True, slots=True)
class Contact:
    """A named person at a customer; ``phone`` is E.164 or empty."""

    name: str
    title: str = ""
    phone: str = ""
    email: str = ""


def contact_phones_change(
    phones: list[str], contact_phones: list[str], new: Iterable[str]
) -> tuple[list[str], list[str]]:
    """``(phones, contact_phones)`` once the contacts' numbers are ``new``.

    ``contact_phones`` are the numbers the contacts brought (not known from orders or the
    import before): they leave ``phones`` with their contact. Numbers known otherwise stay.
    """
    wanted = list(dict.fromkeys(p for p in new if p))
    leaving = set(contact_phones) - set(wanted)
    kept = [p for p in phones if p not in leaving]
    brought = [p for p in wanted if p not in kept]
    still = [p for p in contact_phones if p in wanted and p in kept]
    return kept + brought, still + brought


def city_key(city: str) -> str:
    """A city name usable as a field name: "." would nest and a leading "$" is an operator."""
    return city.strip().replace(".", "_").lstrip("$")[:CITY_KEY_CHARS]


def top_city(cities: Mapping[str, int]) -> str | None:
    """The city with the most orders; on a tie the one seen first, so it does not flip."""
    best, most = None, 0
    for city, count in cities.items():
        if count > most:
            best, most = city, count
    return best


def to_millis(at: datetime) -> datetime:
    """A time as MongoDB stores it (milliseconds), so a write's answer equals a later read."""
    return at.replace(microsecond=at.microsecond // 1000 * 1000)


def per_week(shipments: int, days: int = WINDOW_DAYS) -> float:
    """Average orders per week over a window of ``days`` (2 decimals): 12 in 90 d -> 0.93."""
    return round(shipments * 7 / days, 2) if days > 0 else 0.0


def level_figures(counts: Mapping[str, int]) -> dict[str, dict[str, float | int]]:
    """Per service level: shipments in the window and orders per week, busiest first."""
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return {
        level: {"shipments_90d": n, "orders_per_week": per_week(n)} for level, n in ordered if n
    }


@dataclass(frozen=True, slots=True)
class ServiceRecord:
    """One thing that went wrong for a customer's parcel."""

    id: str
    customer_id: str
    waybill: str
    kind: str
    detail: str
    at: datetime
    reason: str = ""  # exception reason, e.g. "consignee_not_home"
    fault: str = ""  # whose: carrier, consignee, customs, weather


def record_id(waybill: str, kind: str, detail: str, occurrence: str = "") -> str:
    """Deterministic: the same event (however often delivered) gives the same id."""
    base = f"{waybill}:{kind}:{detail}"
    return f"{base}:{occurrence}" if occurrence else base


def status_record_kind(status: str) -> str | None:
    """The record a status change makes, or None (a normal step makes none)."""
    return _STATUS_KINDS.get(status)


def fault_of(reason: str) -> str:
    """``carrier_damaged`` -> ``carrier``: the group an exception reason belongs to."""
    group = reason.split("_", 1)[0]
    return group if group in _FAULTS else ""


def status_record(
    customer_id: str, waybill: str, status: str, reason: str, at: datetime, occurrence: str
) -> ServiceRecord | None:
    """The record of a status change; ``occurrence`` (the scan id, else the event's own
    time) tells two failed attempts of one parcel apart."""
    kind = status_record_kind(status)
    if kind is None:
        return None
    return ServiceRecord(
        record_id(waybill, kind, status, occurrence),
        customer_id,
        waybill,
        kind,
        status,
        at,
        reason,
        fault_of(reason),
    )


def cancellation_record(
    customer_id: str, waybill: str, reason_code: str, by_carrier: bool, at: datetime
) -> ServiceRecord:
    """One per waybill; detail = the reason code, else who cancelled."""
    detail = reason_code or ("carrier" if by_carrier else "partner_request")
    fault = "carrier" if by_carrier else ""
    return ServiceRecord(
        record_id(waybill, "cancellation", ""),
        customer_id,
        waybill,
        "cancellation",
        detail,
        at,
        fault=fault,
    )


@dataclass(frozen=True, slots=True)
class SlaResult:
    """One SLA clock's end (SlaMet or SlaBreached) as crm keeps it."""

    waybill: str
    clock: str  # pickup, outlet_delivery, promise
    state: str  # met, breached
    at: datetime
    customer_id: str = ""
    tier: str | None = None
    outlet_code: str = ""
    city_code: str = ""
    service_level: str = ""


def breach_record(result: SlaResult) -> ServiceRecord:
    """A clock breaches once per waybill: the clock is the whole identity."""
    return ServiceRecord(
        record_id(result.waybill, "sla_breach", result.clock),
        result.customer_id,
        result.waybill,
        "sla_breach",
        result.clock,
        result.at,
        fault="carrier",
    )


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a waybill fared against its SLA clocks."""

    waybill: str
    customer_id: str | None = None
    tier: str | None = None
    outlet_code: str | None = None
    city_code: str | None = None
    service_level: str | None = None
    clocks: Mapping[str, str] = field(default_factory=dict)

    @property
    def breached(self) -> bool:
        return BREACHED in self.clocks.values()


def merge_outcome(current: Outcome | None, result: SlaResult) -> Outcome:
    """The outcome after one more clock result.

    A clock once breached stays breached (breach wins whatever the order of arrival). The
    outlet is the destination outlet (outlet_delivery and promise clocks name it); the
    origin outlet of a pickup clock only fills a gap. Known facts are not erased by an
    event that lacks them.
    """
    base = current or Outcome(result.waybill)
    clocks = dict(base.clocks)
    if clocks.get(result.clock) != BREACHED:
        clocks[result.clock] = result.state
    outlet, city = base.outlet_code, base.city_code
    if result.outlet_code and (result.clock != "pickup" or not outlet):
        outlet, city = result.outlet_code, result.city_code or None
    return replace(
        base,
        customer_id=result.customer_id or base.customer_id,
        tier=result.tier or base.tier,
        outlet_code=outlet,
        city_code=city,
        service_level=result.service_level or base.service_level,
        clocks=clocks,
    )


def merge_outcomes(
    current: Mapping[str, Outcome], results: Iterable[SlaResult]
) -> dict[str, Outcome]:
    """The outcomes of every waybill the results touch, results applied in order."""
    merged: dict[str, Outcome] = {}
    for result in results:
        previous = merged.get(result.waybill) or current.get(result.waybill)
        merged[result.waybill] = merge_outcome(previous, result)
    return merged
