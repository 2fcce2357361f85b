"""TrackingService over gRPC (thin): shipments for other services and operations."""

from __future__ import annotations

import base64
from typing import Any

import grpc

from fairwind.problems import Rejected
from fairwind.v1 import common_pb2, tracking_pb2, tracking_pb2_grpc
from services.tracking import convert
from services.tracking.service import TrackingService, waybill_of
from services.tracking.store import hops_of

Context = grpc.aio.ServicerContext[Any, Any]
Document = dict[str, Any]


def shipment_message(ship: Document, timeline: list[Document]) -> tracking_pb2.Shipment:
    message = tracking_pb2.Shipment(
        waybill=ship["_id"],
        status=convert.status_code(ship["status"]),
        substatus=convert.enum(convert.SUBSTATUS.get(ship.get("substatus") or "", 0)),
        reason=convert.reason_code(ship.get("reason")),
        current_location=convert.location_ref(ship.get("location")),
        origin_outlet=common_pb2.LocationRef(code=ship.get("origin_outlet") or ""),
        destination_outlet=common_pb2.LocationRef(code=ship.get("destination_outlet") or ""),
        timeline=[convert.scan_message(s) for s in timeline],
        service_level=convert.level_code(ship.get("service_level")),
        partner_id=ship.get("partner_id") or "",
        customer_id=ship.get("customer_id") or "",
        courier_id=ship.get("courier_id") or "",
    )
    route = ship.get("route") or {}
    message.route_version = route.get("version", 0)
    message.planned_legs.extend(
        convert.route_leg(index, leg) for index, leg in enumerate(route.get("legs", []))
    )
    for hop, planned in hops_of(ship):
        entry = message.actual_hops.add(
            location=convert.location_ref(hop["location"]), planned=planned
        )
        for name in ("arrived_at", "sorted_at", "departed_at"):
            if hop.get(name):
                getattr(entry, name).CopyFrom(convert.stamp(hop[name]))
    if (promise := convert.promise_message(ship.get("promise"))) is not None:
        message.promise.CopyFrom(promise)
    for name in ("eta", "created_at", "updated_at", "delivered_at"):
        if ship.get(name):
            getattr(message, name).CopyFrom(convert.stamp(ship[name]))
    if ship.get("pod"):
        message.proof_of_delivery.CopyFrom(convert.pod_message(ship["pod"]))
    message.late = bool(
        ship.get("eta")
        and (ship.get("promise") or {}).get("deliver_by")
        and ship["eta"] > ship["promise"]["deliver_by"]
    )
    return message


class TrackingServicer(tracking_pb2_grpc.TrackingServiceServicer):
    def __init__(self, svc: TrackingService) -> None:
        self.svc = svc

    async def GetShipment(
        self, request: tracking_pb2.GetShipmentRequest, context: Context
    ) -> tracking_pb2.GetShipmentResponse:
        try:
            waybill = waybill_of(self.svc, request.waybill)
        except Rejected as exc:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, exc.detail)
        ship, timeline = await self.svc.store.shipments.with_timeline(waybill)
        if ship is None:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"no shipment {waybill!r}")
        return tracking_pb2.GetShipmentResponse(shipment=shipment_message(ship, timeline))

    async def ListShipments(
        self, request: tracking_pb2.ListShipmentsRequest, context: Context
    ) -> tracking_pb2.ListShipmentsResponse:
        which = request.WhichOneof("filter")
        if which is None:
            await context.abort(
                grpc.StatusCode.INVALID_ARGUMENT, "filter by courier_id or outlet_code"
            )
        size = request.page_size or 50
        if not 0 < size <= 500:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "page_size must be 1..500")
        try:
            skip = int(base64.urlsafe_b64decode(request.page_token)) if request.page_token else 0
        except ValueError:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "bad page_token")
        field = "courier_id" if which == "courier_id" else "location.code"
        value = getattr(request, which)
        statuses = [s for s in (convert.status_name(code) for code in request.statuses) if s]
        docs = await self.svc.store.shipments.listing(
            field, value, [s.value for s in statuses], skip, size + 1
        )
        token = (
            base64.urlsafe_b64encode(str(skip + size).encode()).decode() if len(docs) > size else ""
        )
        return tracking_pb2.ListShipmentsResponse(
            shipments=[shipment_message(d, []) for d in docs[:size]], next_page_token=token
        )
