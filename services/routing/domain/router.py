"""Coverage, offers (route + promise + price) and re-plans: the routing rules in one place,
on top of the network, the planner and the price table."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from services.routing.domain.network import Network, OutletRecord
from services.routing.domain.planner import ALL_MODES, NoRoute, Plan, RoutePlanner
from services.routing.domain.pricing import Piece, Price, PriceTable, distance_km
from services.routing.domain.promise import NoService, Promise, pickup_by, promise

ROAD_ONLY = frozenset({"road"})


class Unserved(NoService):
    """No outlet serves one of the shipment's addresses; ``side`` is pickup or delivery."""

    def __init__(self, side: str, reason: str) -> None:
        super().__init__(f"{side} address not served: {reason}")
        self.side = side


@dataclass(frozen=True, slots=True)
class Coverage:
    served: bool
    remote_area: bool
    outlet: OutletRecord | None
    reason: str

    @property
    def extra_working_days(self) -> int:
        return self.outlet.remote_extra_days if self.outlet else 0


@dataclass(frozen=True, slots=True)
class Offer:
    origin: OutletRecord
    destination: OutletRecord
    plan: Plan
    promise: Promise
    price: Price


class Router:
    def __init__(self, network: Network, prices: PriceTable) -> None:
        self.network = network
        self.planner = RoutePlanner(network)
        self.prices = prices

    def coverage(self, city: str, district: str) -> Coverage:
        outlet = self.network.outlet_for(city, district)
        if outlet is None:
            return Coverage(False, False, None, f"no outlet serves {district}, {city}")
        remote = outlet.remote_extra_days > 0
        reason = f"remote area: +{outlet.remote_extra_days} working days" if remote else ""
        return Coverage(True, remote, outlet, reason)

    def outlet_of(self, city: str, district: str, side: str) -> OutletRecord:
        found = self.coverage(city, district)
        if found.outlet is None:
            raise Unserved(side, found.reason)
        return found.outlet

    def offer(
        self,
        origin: OutletRecord,
        destination: OutletRecord,
        level: str,
        placed: int,
        window_start: int | None,
        pieces: list[Piece],
        cod: Decimal | None = None,
    ) -> Offer:
        """Route, promise and price for one shipment. Raises NoService saying why not."""
        pickup = pickup_by(placed, window_start)
        modes = ROAD_ONLY if level == "economy" else ALL_MODES
        try:
            plan = self.planner.plan(origin.code, destination.code, pickup, modes)
        except NoRoute as exc:
            raise NoService(str(exc)) from exc
        terms = promise(level, pickup, plan.arrival, origin, destination)
        try:
            price = self.prices.price(
                level,
                self.distance(origin, destination),
                pieces,
                destination.remote_extra_days,
                cod,
            )
        except KeyError as exc:
            raise NoService(str(exc.args[0])) from exc
        return Offer(origin, destination, plan, terms, price)

    def replan(
        self, location: str, at: int, destination: OutletRecord, level: str, pickup: int
    ) -> tuple[Plan, Promise]:
        """A new plan from where the parcel is; the promise keeps its pickup time and is
        recomputed without the next-day / same-day gates (the parcel is already moving)."""
        modes = ROAD_ONLY if level == "economy" else ALL_MODES
        plan = self.planner.plan_from(location, at, destination.code, modes)
        origin = self.network.outlets.get(location) or destination
        return plan, promise("standard", pickup, plan.arrival, origin, destination)

    def distance(self, origin: OutletRecord, destination: OutletRecord) -> float:
        return distance_km(
            (origin.latitude, origin.longitude), (destination.latitude, destination.longitude)
        )
