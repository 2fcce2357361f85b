"""A routing Quote as the partner API shows it."""

from __future__ import annotations

from typing import Any

from fairwind.v1 import routes_pb2
from services.orders import convert
from services.orders.schemas import QuoteOut, ServiceLevel


def quote_view(quote: routes_pb2.Quote, level: ServiceLevel) -> QuoteOut:
    body: dict[str, Any] = {
        "service_level": level,
        "price": convert.money_doc(quote.price),
        "base_price": convert.money_doc(quote.base_price),
        "surcharges": [
            {"code": s.code, "description": s.description, "amount": convert.money_doc(s.amount)}
            for s in quote.surcharges
        ],
        "chargeable_weight_kg": quote.chargeable_weight_kg,
        "zone": quote.zone,
        "promise": convert.promise_doc(quote.promise),
        "origin_outlet": quote.origin_outlet.code,
        "destination_outlet": quote.destination_outlet.code,
        "planned_hubs": list(quote.hub_codes),
        "valid_until": (
            convert.from_timestamp(quote.valid_until) if quote.HasField("valid_until") else None
        ),
    }
    return QuoteOut.model_validate(body)
