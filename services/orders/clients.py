"""Routing and CRM over gRPC, with short deadlines, caches and a clear view of "down".

Intake must never hang on a dependency: past ``deadline_s`` routing counts as unavailable
(the order is accepted with its promise pending) and CRM as unknown (default tier).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, Protocol

import grpc

from fairwind.cache import TtlCache
from fairwind.v1 import crm_pb2, crm_pb2_grpc, routes_pb2, routes_pb2_grpc
from services.orders import convert
from services.orders.schemas import AddressIn, MoneyIn, ParcelIn, ServiceLevel

QUOTE_CHUNK = 250
_DOWN = {
    grpc.StatusCode.UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED,
    grpc.StatusCode.INTERNAL,
    grpc.StatusCode.UNKNOWN,
    grpc.StatusCode.RESOURCE_EXHAUSTED,
    grpc.StatusCode.UNIMPLEMENTED,
}


class RoutingUnavailable(Exception):
    """Routing did not answer in time; intake goes on with the promise pending."""


class NoService(Exception):
    """Routing answered: this shipment cannot be carried (the message says why)."""


@dataclass(frozen=True, slots=True)
class Coverage:
    served: bool
    remote_area: bool
    outlet_code: str
    city_code: str
    reason: str


class Routing(Protocol):
    async def coverage(self, address: AddressIn, level: ServiceLevel) -> Coverage: ...

    async def quote(
        self,
        origin: AddressIn,
        destination: AddressIn,
        parcels: list[ParcelIn],
        level: ServiceLevel,
        ship_at: datetime | None,
        cod: MoneyIn | None,
        customer_id: str,
    ) -> routes_pb2.Quote: ...

    async def quote_many(
        self, requests: list[routes_pb2.QuoteRequest]
    ) -> list[routes_pb2.Quote | NoService]: ...


class QuoteArgs(NamedTuple):
    origin: AddressIn
    destination: AddressIn
    parcels: list[ParcelIn]
    level: ServiceLevel
    ship_at: datetime | None
    cod: MoneyIn | None
    customer_id: str


class Customers(Protocol):
    async def tier(self, customer_id: str) -> str: ...


class GrpcRouting:
    def __init__(self, channel: grpc.aio.Channel, deadline_s: float, cache_s: float) -> None:
        self.stub: Any = routes_pb2_grpc.RouteServiceStub(channel)
        self.deadline_s = deadline_s
        self._coverage: TtlCache[Coverage] = TtlCache(cache_s)

    async def coverage(self, address: AddressIn, level: ServiceLevel) -> Coverage:
        key = (address.country, address.province, address.city, address.district, level)
        cached = self._coverage.get(key)
        if cached is not None:
            return cached
        request = routes_pb2.CheckCoverageRequest(
            address=convert.address(address), service_level=convert.SERVICE_LEVELS[level]
        )
        reply = await self._call(self.stub.CheckCoverage, request)
        result = Coverage(
            reply.served, reply.remote_area, reply.outlet_code, reply.city_code, reply.reason
        )
        self._coverage.put(key, result)
        return result

    async def quote(
        self,
        origin: AddressIn,
        destination: AddressIn,
        parcels: list[ParcelIn],
        level: ServiceLevel,
        ship_at: datetime | None,
        cod: MoneyIn | None,
        customer_id: str,
    ) -> routes_pb2.Quote:
        request = _quote_request(
            QuoteArgs(origin, destination, parcels, level, ship_at, cod, customer_id)
        )
        reply = await self._call(self.stub.Quote, request)
        return reply.quote  # type: ignore[no-any-return]

    async def quote_many(
        self, requests: list[routes_pb2.QuoteRequest]
    ) -> list[routes_pb2.Quote | NoService]:
        """One call per ``QUOTE_CHUNK`` shipments, chunks in parallel (the requests come
        from ``convert.quote_request``: a batch builds its orders' messages once)."""
        chunks = [requests[i : i + QUOTE_CHUNK] for i in range(0, len(requests), QUOTE_CHUNK)]
        replies = await asyncio.gather(
            *(
                self._call(
                    self.stub.QuoteMany,
                    routes_pb2.QuoteManyRequest(requests=chunk),
                    deadline_scale=len(chunk) / 50,
                )
                for chunk in chunks
            )
        )
        results: list[routes_pb2.Quote | NoService] = []
        for reply in replies:
            for result in reply.results:
                results.append(
                    result.quote if result.HasField("quote") else NoService(result.refusal)
                )
        return results

    async def _call(self, method: Any, request: Any, deadline_scale: float = 1.0) -> Any:
        try:
            return await method(request, timeout=self.deadline_s * max(1.0, deadline_scale))
        except grpc.aio.AioRpcError as exc:
            if exc.code() in _DOWN:
                raise RoutingUnavailable(f"routing: {exc.code().name}") from exc
            raise NoService(exc.details() or exc.code().name) from exc


def _quote_request(args: QuoteArgs) -> routes_pb2.QuoteRequest:
    request = routes_pb2.QuoteRequest(
        origin=convert.address(args.origin),
        destination=convert.address(args.destination),
        parcels=[convert.parcel(p) for p in args.parcels],
        service_level=convert.SERVICE_LEVELS[args.level],
        customer_id=args.customer_id,
    )
    if args.ship_at is not None:
        request.ship_at.CopyFrom(convert.timestamp(args.ship_at))
    if args.cod is not None:
        request.cod_amount.CopyFrom(convert.money_in(args.cod))
    return request


class GrpcCustomers:
    def __init__(
        self,
        channel: grpc.aio.Channel,
        deadline_s: float,
        cache_s: float,
        default_tier: str,
        unknown_cache_s: float = 30,
    ) -> None:
        self.stub: Any = crm_pb2_grpc.CustomerServiceStub(channel)
        self.deadline_s = deadline_s
        self.default_tier = default_tier
        self.unknown_cache_s = unknown_cache_s
        self._tiers: TtlCache[str] = TtlCache(cache_s)

    async def tier(self, customer_id: str) -> str:
        cached = self._tiers.get(customer_id)
        if cached is not None:
            return cached
        try:
            reply = await self.stub.GetProfile(
                crm_pb2.GetProfileRequest(customer_id=customer_id), timeout=self.deadline_s
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.NOT_FOUND:
                # A definite answer, but a new customer may be imported any minute: briefly.
                self._tiers.put(customer_id, self.default_tier, self.unknown_cache_s)
            return self.default_tier  # CRM down: not cached, ask again next time
        tier = convert.TIER_NAMES.get(reply.profile.tier, self.default_tier)
        self._tiers.put(customer_id, tier)
        return tier
