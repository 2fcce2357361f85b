"""OrdersService over gRPC (thin): who a partner's API key belongs to, for the services
that accept partners' keys without reading the orders database."""

from __future__ import annotations

from typing import Any

import grpc

from fairwind.v1 import orders_pb2, orders_pb2_grpc
from services.orders.keys import KeyStore

Context = grpc.aio.ServicerContext[Any, Any]


class OrdersServicer(orders_pb2_grpc.OrdersServiceServicer):
    def __init__(self, keys: KeyStore) -> None:
        self.keys = keys

    async def AuthenticatePartner(
        self, request: orders_pb2.AuthenticatePartnerRequest, context: Context
    ) -> orders_pb2.AuthenticatePartnerResponse:
        partner = await self.keys.authenticate(request.api_key)
        if partner is None:
            await context.abort(grpc.StatusCode.UNAUTHENTICATED, "unknown or revoked API key")
        assert partner is not None  # abort raises
        return orders_pb2.AuthenticatePartnerResponse(
            partner_id=partner.id, customer_id=partner.customer_id, scopes=sorted(partner.scopes)
        )
