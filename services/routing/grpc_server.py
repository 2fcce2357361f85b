"""RouteService over gRPC (thin): validate, call the domain or a handler, map errors to
status codes (INVALID_ARGUMENT for bad input, FAILED_PRECONDITION when there is no service,
NOT_FOUND for unknown waybills)."""

from __future__ import annotations

import base64
from typing import Any

import grpc

from fairwind.v1 import routes_pb2, routes_pb2_grpc
from services.routing import convert
from services.routing.domain.clock import to_minutes
from services.routing.domain.promise import NoService
from services.routing.handlers import plan_route
from services.routing.service import RoutingService

Context = grpc.aio.ServicerContext[Any, Any]
STATUSES = {
    "assigned": routes_pb2.COURIER_TASK_STATUS_ASSIGNED,
    "accepted": routes_pb2.COURIER_TASK_STATUS_ACCEPTED,
    "picked_up": routes_pb2.COURIER_TASK_STATUS_PICKED_UP,
    "failed": routes_pb2.COURIER_TASK_STATUS_FAILED,
    "cancelled": routes_pb2.COURIER_TASK_STATUS_CANCELLED,
}
STATUS_NAMES = {code: name for name, code in STATUSES.items()}


class BadRequest(ValueError):
    pass


def _check_quote(request: routes_pb2.QuoteRequest) -> None:
    if not request.parcels:
        raise BadRequest("a quote needs at least one parcel")
    if len(request.parcels) > 1000:
        raise BadRequest("at most 1,000 parcels")
    for index, parcel in enumerate(request.parcels):
        if not 0 < parcel.weight_kg <= 1000:
            raise BadRequest(f"parcels[{index}].weight_kg must be in (0, 1000]")
        size = parcel.dimensions
        if (
            min(size.length_cm, size.width_cm, size.height_cm) < 0
            or max(size.length_cm, size.width_cm, size.height_cm) > 1000
        ):
            raise BadRequest(f"parcels[{index}].dimensions must be within 0..1000 cm")


class RouteServicer(routes_pb2_grpc.RouteServiceServicer):
    def __init__(self, svc: RoutingService) -> None:
        self.svc = svc

    def _quote(self, request: routes_pb2.QuoteRequest) -> routes_pb2.Quote:
        _check_quote(request)
        router = self.svc.router
        origin = router.outlet_of(request.origin.city, request.origin.district, "pickup")
        destination = router.outlet_of(
            request.destination.city, request.destination.district, "delivery"
        )
        zone = router.network.time_zone
        placed = (
            convert.minutes_of(request.ship_at, zone)
            if request.HasField("ship_at")
            else to_minutes(self.svc.clock.now(), zone)
        )
        level = convert.level_of(request.service_level)
        cod = convert.decimal_of(request.cod_amount) if request.HasField("cod_amount") else None
        offer = router.offer(
            origin, destination, level, placed, None, convert.pieces_of(request.parcels), cod
        )
        return convert.quote_message(router.network, offer.plan, offer.promise, offer.price, level)

    async def Quote(
        self,
        request: routes_pb2.QuoteRequest,
        context: Context,
    ) -> routes_pb2.QuoteResponse:
        try:
            quote = self._quote(request)
        except BadRequest as exc:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
        except NoService as exc:
            self.svc.metrics.quotes.labels("no_service").inc()
            await context.abort(grpc.StatusCode.FAILED_PRECONDITION, str(exc))
        self.svc.metrics.quotes.labels("quoted").inc()
        return routes_pb2.QuoteResponse(quote=quote)

    async def QuoteMany(
        self,
        request: routes_pb2.QuoteManyRequest,
        context: Context,
    ) -> routes_pb2.QuoteManyResponse:
        if len(request.requests) > self.svc.settings.max_quote_batch:
            await context.abort(
                grpc.StatusCode.INVALID_ARGUMENT,
                f"at most {self.svc.settings.max_quote_batch} quotes per call",
            )
        results = []
        for one in request.requests:
            try:
                results.append(routes_pb2.QuoteResult(quote=self._quote(one)))
                self.svc.metrics.quotes.labels("quoted").inc()
            except (BadRequest, NoService) as exc:
                results.append(routes_pb2.QuoteResult(refusal=str(exc)))
                self.svc.metrics.quotes.labels("no_service").inc()
        return routes_pb2.QuoteManyResponse(results=results)

    async def CheckCoverage(
        self,
        request: routes_pb2.CheckCoverageRequest,
        context: Context,
    ) -> routes_pb2.CheckCoverageResponse:
        if not request.address.city or not request.address.district:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "city and district are needed")
        found = self.svc.router.coverage(request.address.city, request.address.district)
        outlet = found.outlet
        return routes_pb2.CheckCoverageResponse(
            served=found.served,
            remote_area=found.remote_area,
            outlet_code=outlet.code if outlet else "",
            city_code=outlet.city_code if outlet else "",
            reason=found.reason,
            extra_working_days=found.extra_working_days,
        )

    async def GetRoute(
        self,
        request: routes_pb2.GetRouteRequest,
        context: Context,
    ) -> routes_pb2.GetRouteResponse:
        doc = await self.svc.store.routes.get(request.waybill)
        if doc is None or not doc.get("versions"):
            await context.abort(grpc.StatusCode.NOT_FOUND, f"no route for {request.waybill!r}")
        versions = [routes_pb2.Route.FromString(v["route"]) for v in doc["versions"]]
        if request.HasField("version"):
            chosen = [r for r in versions if r.version == request.version]
            if not chosen:
                await context.abort(
                    grpc.StatusCode.NOT_FOUND,
                    f"{request.waybill} has no route version {request.version}",
                )
            return routes_pb2.GetRouteResponse(route=chosen[0])
        return routes_pb2.GetRouteResponse(route=versions[-1], previous_versions=versions[:-1])

    async def PlanRoute(
        self, request: routes_pb2.PlanRouteRequest, context: Context
    ) -> routes_pb2.PlanRouteResponse:
        if not request.waybill:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "waybill is needed")
        try:
            route = await plan_route(self.svc, request)
        except NoService as exc:
            await context.abort(grpc.StatusCode.FAILED_PRECONDITION, str(exc))
        return routes_pb2.PlanRouteResponse(route=route)

    async def ListCourierTasks(
        self,
        request: routes_pb2.ListCourierTasksRequest,
        context: Context,
    ) -> routes_pb2.ListCourierTasksResponse:
        if not request.courier_id:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "courier_id is needed")
        size = request.page_size or 100
        if not 0 < size <= 500:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "page_size must be 1..500")
        try:
            skip = (
                int(base64.urlsafe_b64decode(request.page_token or "MA=="))
                if request.page_token
                else 0
            )
        except ValueError:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "bad page_token")
        statuses = [STATUS_NAMES[s] for s in request.statuses if s in STATUS_NAMES] or [
            "assigned",
            "accepted",
            "failed",
        ]
        docs = await self.svc.store.tasks.courier_tasks(
            request.courier_id, statuses, skip, size + 1
        )
        token = (
            base64.urlsafe_b64encode(str(skip + size).encode()).decode() if len(docs) > size else ""
        )
        return routes_pb2.ListCourierTasksResponse(
            tasks=[task_message(d) for d in docs[:size]], next_page_token=token
        )

    async def AcceptCourierTask(
        self,
        request: routes_pb2.AcceptCourierTaskRequest,
        context: Context,
    ) -> routes_pb2.AcceptCourierTaskResponse:
        task = await self.svc.store.tasks.accept(
            request.waybill, request.courier_id, self.svc.clock.now()
        )
        if task is None:
            await context.abort(
                grpc.StatusCode.FAILED_PRECONDITION,
                f"{request.waybill} is not an open task of {request.courier_id}",
            )
        return routes_pb2.AcceptCourierTaskResponse(task=task_message(task))


def task_message(doc: dict[str, Any]) -> routes_pb2.CourierTask:
    task = routes_pb2.CourierTask.FromString(doc["card"])
    task.status = STATUSES[doc["status"]]
    task.attempt = doc["attempt"]
    task.dispatched_at.CopyFrom(convert.stamp(doc["dispatched_at"]))
    return task
