"""Stand-ins for the services notify calls, on real gRPC."""

from __future__ import annotations

from typing import Any, ClassVar

import grpc

from fairwind.v1 import orders_pb2, orders_pb2_grpc


class FakeOrders(orders_pb2_grpc.OrdersServiceServicer):
    """The orders service's key check, for three keys: two partners', one without the scope."""

    KEYS: ClassVar[dict[str, tuple[str, list[str]]]] = {
        "fw_acme_key": ("acme", ["orders:write", "webhooks:manage"]),
        "fw_rival_key": ("rival", ["webhooks:manage"]),
        "fw_reader_key": ("acme", ["orders:read"]),
    }

    def __init__(self) -> None:
        self.asked = 0

    async def AuthenticatePartner(self, request: Any, context: Any) -> Any:
        self.asked += 1
        if request.api_key not in self.KEYS:
            await context.abort(grpc.StatusCode.UNAUTHENTICATED, "unknown key")
        partner, scopes = self.KEYS[request.api_key]
        return orders_pb2.AuthenticatePartnerResponse(partner_id=partner, scopes=scopes)
