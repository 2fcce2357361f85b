"""Who a partner's key belongs to, over gRPC, for services that accept partners' keys."""

from __future__ import annotations

from typing import Any

import grpc
import pytest

from fairwind.v1 import orders_pb2, orders_pb2_grpc
from services.orders.bootstrap import OrdersApp

pytestmark = pytest.mark.integration


async def test_a_key_is_answered_with_its_partner_and_scopes_until_it_is_revoked(
    orders: OrdersApp,
) -> None:
    keys = orders.service.keys
    issued = await keys.create("acme", {"orders:read", "webhooks:manage"}, "cust-9")
    server = orders.grpc_server
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            stub: Any = orders_pb2_grpc.OrdersServiceStub(channel)
            ask = orders_pb2.AuthenticatePartnerRequest
            found = await stub.AuthenticatePartner(ask(api_key=issued.plain))
            assert found.partner_id == "acme"
            assert found.customer_id == "cust-9"
            assert list(found.scopes) == ["orders:read", "webhooks:manage"]
            await keys.revoke(issued.key_id)
            for presented in (issued.plain, "fw_nope_nope", ""):
                with pytest.raises(grpc.aio.AioRpcError) as refused:
                    await stub.AuthenticatePartner(ask(api_key=presented))
                assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
    finally:
        await server.stop(0)
