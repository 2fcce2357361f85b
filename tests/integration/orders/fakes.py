"""Stand-ins for routing and CRM, served over real gRPC (the real services come later)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from fairwind.v1 import common_pb2, crm_pb2, crm_pb2_grpc, routes_pb2, routes_pb2_grpc

UNSERVED_DISTRICT = "无人区"
REMOTE_DISTRICT = "墨脱县"
NO_ROUTE_DISTRICT = "断路区"
NO_ROUTE_REASON = "no next-day service to 断路区"


def _stamp(value: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


class FakeRouting(routes_pb2_grpc.RouteServiceServicer):
    def __init__(self) -> None:
        self.quotes = 0
        self.coverage_checks = 0

    async def CheckCoverage(self, request: Any, context: Any) -> routes_pb2.CheckCoverageResponse:
        self.coverage_checks += 1
        district = request.address.district
        if district == UNSERVED_DISTRICT:
            return routes_pb2.CheckCoverageResponse(served=False, reason="no outlet serves 无人区")
        return routes_pb2.CheckCoverageResponse(
            served=True,
            remote_area=district == REMOTE_DISTRICT,
            outlet_code=f"OUT-{abs(hash(district)) % 1000:03d}",
            city_code="C01",
            reason="remote area: +2 working days" if district == REMOTE_DISTRICT else "",
        )

    async def Quote(self, request: Any, context: Any) -> routes_pb2.QuoteResponse:
        self.quotes += 1
        refusal = self.refusal(request)
        if refusal:
            await context.abort(grpc.StatusCode.FAILED_PRECONDITION, refusal)
        return routes_pb2.QuoteResponse(quote=self.price(request))

    async def QuoteMany(self, request: Any, context: Any) -> routes_pb2.QuoteManyResponse:
        results = []
        for one in request.requests:
            self.quotes += 1
            refusal = self.refusal(one)
            if refusal:
                results.append(routes_pb2.QuoteResult(refusal=refusal))
            else:
                results.append(routes_pb2.QuoteResult(quote=self.price(one)))
        return routes_pb2.QuoteManyResponse(results=results)

    @staticmethod
    def refusal(request: Any) -> str:
        """Like the real routing: an unserved address or a lane without service."""
        for side, address in (("pickup", request.origin), ("delivery", request.destination)):
            if address.district == UNSERVED_DISTRICT:
                return f"{side} address not served: no outlet serves {UNSERVED_DISTRICT}"
        return NO_ROUTE_REASON if request.destination.district == NO_ROUTE_DISTRICT else ""

    @staticmethod
    def price(request: Any) -> routes_pb2.Quote:
        weight = sum(p.weight_kg * max(p.quantity, 1) for p in request.parcels)
        now = datetime.now(UTC)
        quote = routes_pb2.Quote(
            price=common_pb2.Money(
                currency_code="CNY", units=12 + int(2 * weight), nanos=500_000_000
            ),
            base_price=common_pb2.Money(currency_code="CNY", units=12),
            chargeable_weight_kg=weight,
            zone="Z3",
            service_level=request.service_level,
            origin_outlet=common_pb2.LocationRef(code="SZ-NS-01", city_code="SZX"),
            destination_outlet=common_pb2.LocationRef(code="BJ-CY-02", city_code="PEK"),
            hub_codes=["HUB-SZX", "HUB-WUH", "HUB-PEK"],
        )
        quote.promise.pickup_by.CopyFrom(_stamp(now + timedelta(hours=1)))
        quote.promise.deliver_by.CopyFrom(_stamp(now + timedelta(days=1)))
        quote.promise.next_day = True
        return quote


class FakeCustomers(crm_pb2_grpc.CustomerServiceServicer):
    tiers: ClassVar[dict[str, common_pb2.CustomerTier]] = {
        "big-shipper": common_pb2.CUSTOMER_TIER_Q1
    }

    async def GetProfile(self, request: Any, context: Any) -> crm_pb2.GetProfileResponse:
        tier = self.tiers.get(request.customer_id)
        if tier is None:
            await context.abort(grpc.StatusCode.NOT_FOUND, "unknown customer")
        return crm_pb2.GetProfileResponse(
            profile=crm_pb2.CustomerProfile(customer_id=request.customer_id, tier=tier)
        )
