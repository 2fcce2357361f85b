"""Partners' API keys, checked with the orders service that owns them (gRPC
``AuthenticatePartner``), never by reading its database. Answers are cached for
``cache_s``, refusals too, so a revoked key stops working within that time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import grpc

from fairwind.cache import TtlCache
from fairwind.v1 import orders_pb2, orders_pb2_grpc


@dataclass(frozen=True, slots=True)
class PartnerKey:
    partner_id: str
    scopes: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Answer:
    key: PartnerKey | None  # None: refused (cached as well)


class KeysUnavailable(Exception):
    """The orders service did not answer: the key can be neither accepted nor refused."""


class PartnerKeys:
    def __init__(self, channel: grpc.aio.Channel, deadline_s: float, cache_s: float) -> None:
        self.stub: Any = orders_pb2_grpc.OrdersServiceStub(channel)
        self.deadline_s = deadline_s
        self._cache: TtlCache[_Answer] = TtlCache(cache_s)

    async def authenticate(self, presented: str) -> PartnerKey | None:
        if not presented:
            return None
        cached = self._cache.get(presented)
        if cached is not None:
            return cached.key
        request = orders_pb2.AuthenticatePartnerRequest(api_key=presented)
        try:
            reply = await self.stub.AuthenticatePartner(request, timeout=self.deadline_s)
        except grpc.aio.AioRpcError as exc:
            if exc.code() != grpc.StatusCode.UNAUTHENTICATED:
                raise KeysUnavailable(f"orders: {exc.code().name}") from exc
            self._cache.put(presented, _Answer(None))
            return None
        key = PartnerKey(reply.partner_id, frozenset(reply.scopes))
        self._cache.put(presented, _Answer(key))
        return key
