"""CustomerService over gRPC (thin): tiers for order intake, caller ID for the call centre."""

from __future__ import annotations

from typing import Any

import grpc

from fairwind.v1 import crm_pb2, crm_pb2_grpc
from services.crm import convert, phones
from services.crm.handlers import CrmService, live_totals

Context = grpc.aio.ServicerContext[Any, Any]
DEFAULT_RECENT, MAX_RECENT = 10, 50
MAX_ID = 64


class CustomerServicer(crm_pb2_grpc.CustomerServiceServicer):
    def __init__(self, svc: CrmService) -> None:
        self.svc = svc

    async def GetProfile(
        self, request: crm_pb2.GetProfileRequest, context: Context
    ) -> crm_pb2.GetProfileResponse:
        if not request.customer_id or len(request.customer_id) > MAX_ID:
            await context.abort(
                grpc.StatusCode.INVALID_ARGUMENT, f"customer_id must be 1..{MAX_ID} characters"
            )
        doc = await self.svc.store.customers.get(request.customer_id)
        if doc is None:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"no customer {request.customer_id!r}")
        totals = await live_totals(self.svc, doc)
        return crm_pb2.GetProfileResponse(
            profile=convert.profile_message(doc, totals, self.svc.settings.currency)
        )

    async def LookupByPhone(
        self, request: crm_pb2.LookupByPhoneRequest, context: Context
    ) -> crm_pb2.LookupByPhoneResponse:
        if request.recent_orders_limit < 0:
            await context.abort(
                grpc.StatusCode.INVALID_ARGUMENT, "recent_orders_limit must not be negative"
            )
        try:
            phone = phones.normalise(request.phone, self.svc.settings.default_country_code)
        except ValueError as exc:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
        doc = await self.svc.store.customers.by_phone(phone)
        if doc is None:
            await context.abort(grpc.StatusCode.NOT_FOUND, "no customer has this number")
        limit = min(request.recent_orders_limit or DEFAULT_RECENT, MAX_RECENT)
        recent = await self.svc.store.orders.recent(doc["_id"], limit)
        totals = await live_totals(self.svc, doc)
        return crm_pb2.LookupByPhoneResponse(
            profile=convert.profile_message(doc, totals, self.svc.settings.currency),
            recent_orders=[convert.order_summary(o) for o in recent],
        )
