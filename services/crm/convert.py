"""Between crm documents and protobuf contracts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from fairwind.v1 import common_pb2, crm_pb2, sla_pb2
from services.crm.domain.classification import Totals, cny

Document = dict[str, Any]
TIERS: dict[str, int] = {f"Q{n}": getattr(common_pb2, f"CUSTOMER_TIER_Q{n}") for n in range(1, 6)}


def enum(value: int) -> Any:
    """Generated stubs type enum fields by their wrapper; the values are plain ints."""
    return value


def tier_code(tier: str | None) -> Any:
    return enum(TIERS.get(tier or "", common_pb2.CUSTOMER_TIER_UNSPECIFIED))


def _name(wrapper: Any, prefix: str, code: int) -> str:
    try:
        name: str = wrapper.Name(code)
    except ValueError:
        return ""
    return "" if name.endswith("UNSPECIFIED") else name.removeprefix(prefix).lower()


def status_name(code: int) -> str:
    """``SHIPMENT_STATUS_IN_TRANSIT`` -> ``in_transit`` ("" when unspecified)."""
    return _name(common_pb2.ShipmentStatus, "SHIPMENT_STATUS_", code)


def status_code(name: str | None) -> Any:
    key = f"SHIPMENT_STATUS_{(name or 'unspecified').upper()}"
    return enum(common_pb2.ShipmentStatus.Value(key) if key in _STATUSES else 0)


def channel_name(code: int) -> str:
    """``CHANNEL_EMAIL`` -> ``email`` ("" when unspecified)."""
    return _name(common_pb2.Channel, "CHANNEL_", code)


def sla_kind_name(code: int) -> str:
    """``SLA_KIND_OUTLET_DELIVERY`` -> ``outlet_delivery`` ("" when unspecified)."""
    return _name(sla_pb2.SlaKind, "SLA_KIND_", code)


def level_name(code: int) -> str:
    return _name(common_pb2.ServiceLevel, "SERVICE_LEVEL_", code)


def level_code(name: str | None) -> Any:
    key = f"SERVICE_LEVEL_{(name or 'unspecified').upper()}"
    return enum(common_pb2.ServiceLevel.Value(key) if key in _LEVELS else 0)


_STATUSES = frozenset(common_pb2.ShipmentStatus.keys())
_LEVELS = frozenset(common_pb2.ServiceLevel.keys())


def when(stamp: Timestamp) -> datetime:
    return stamp.ToDatetime(tzinfo=UTC)


def event_time(stamp: Timestamp, otherwise: datetime) -> datetime:
    """An event's own business time; ``otherwise`` (business time now) when it has none,
    never the envelope's ``ce_time``: that is wall-clock transport time, days off under a
    simulated clock."""
    return when(stamp) if stamp.seconds or stamp.nanos else otherwise


def stamp(value: datetime) -> Timestamp:
    result = Timestamp()
    result.FromDatetime(value.astimezone(UTC))
    return result


def money(revenue_fen: int, currency: str) -> common_pb2.Money:
    units, rest = divmod(abs(revenue_fen), 100)
    sign = -1 if revenue_fen < 0 else 1
    return common_pb2.Money(
        currency_code=currency, units=sign * units, nanos=sign * rest * 10_000_000
    )


def money_doc(revenue_fen: int, currency: str) -> Document:
    """For JSON: a decimal string, like the orders API."""
    return {"amount": f"{cny(revenue_fen)}", "currency": currency}


def contact_message(contact: Document) -> crm_pb2.CustomerContact:
    return crm_pb2.CustomerContact(
        **{field: contact.get(field) or "" for field in ("name", "title", "phone", "email")}
    )


def profile_message(
    doc: Document, totals: Totals, currency: str, *, complaints_90d: int = 0
) -> crm_pb2.CustomerProfile:
    profile = crm_pb2.CustomerProfile(
        customer_id=doc["_id"],
        name=doc.get("name") or "",
        company=doc.get("company") or "",
        phones=doc.get("phones") or [],
        emails=doc.get("emails") or [],
        contacts=[contact_message(c) for c in doc.get("contacts") or []],
        city=doc.get("city") or "",
        competitors=doc.get("competitors") or [],
        tier=tier_code(doc.get("tier")),
        revenue_90d=money(totals.revenue_fen, currency),
        shipments_90d=totals.shipments,
        orders_per_week=totals.orders_per_week,
        revenue_rank=doc.get("revenue_rank") or 0,
        key_account=bool(doc.get("key_account")),
        complaints_90d=complaints_90d,
        account_manager_id=doc.get("account_manager_id") or "",
        account_manager_name=doc.get("account_manager_name") or "",
        satisfaction_score=(doc.get("satisfaction") or {}).get("score_90d") or 0.0,
        survey_answers_90d=(doc.get("satisfaction") or {}).get("answers_90d") or 0,
        churn_risk=(doc.get("churn") or {}).get("risk") or 0.0,
        churn_drivers=(doc.get("churn") or {}).get("drivers") or [],
    )
    for name in ("last_order_at", "created_at", "updated_at"):
        if doc.get(name):
            getattr(profile, name).CopyFrom(stamp(doc[name]))
    return profile


def order_summary(doc: Document) -> crm_pb2.OrderSummary:
    summary = crm_pb2.OrderSummary(
        waybill=doc["_id"],
        status=status_code(doc.get("status")),
        service_level=level_code(doc.get("service_level")),
        destination_city=doc.get("destination_city") or "",
        consignee_name=doc.get("consignee_name") or "",
    )
    if doc.get("created_at"):
        summary.created_at.CopyFrom(stamp(doc["created_at"]))
    if doc.get("currency"):
        summary.price.CopyFrom(money(doc.get("price_fen", 0), doc["currency"]))
    return summary
