"""Earliest-arrival routes on the time-dependent network.

A parcel ready at the origin outlet takes the first outlet→hub departure it can make (it
must be at the outlet ``cutoff_minutes`` before departure), is sorted at every hub (no
departure before arrival + the hub's sort time) and rides scheduled legs to the
destination outlet. Legs have fixed durations, so leaving later never arrives earlier (FIFO):
Dijkstra over arrival times is exact.

The hub network is small and departures repeat daily, so the search from a hub depends
only on the hub, the minute of day the parcel is ready there and the allowed modes: those
searches are computed once and reused (shifted by whole days), and a plan costs a few
dictionary lookups. Times are minutes on the network's local clock (see ``clock``).
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache

from services.routing.domain.network import DAY, Leg, Network

ALL_MODES = frozenset({"road", "air"})


class NoRoute(Exception):
    """No route exists; the message says why."""


@dataclass(frozen=True, slots=True)
class PlannedLeg:
    origin: str
    destination: str
    mode: str
    depart: int
    arrive: int


@dataclass(frozen=True, slots=True)
class Plan:
    origin: str
    destination: str
    ready: int
    legs: tuple[PlannedLeg, ...]

    @property
    def arrival(self) -> int:
        return self.legs[-1].arrive if self.legs else self.ready

    @property
    def hubs(self) -> list[str]:
        return [leg.destination for leg in self.legs[:-1]]


@dataclass(frozen=True, slots=True)
class _Tree:
    """Earliest arrival at every hub from one hub and ready minute (day 0)."""

    arrival: dict[str, int]
    via: dict[str, tuple[str, Leg, int]]  # hub -> (previous hub, leg, departure)


class RoutePlanner:
    def __init__(self, network: Network, cache_size: int = 4096) -> None:
        self.network = network
        self._hub_legs = {
            hub: [leg for leg in network.legs_from.get(hub, []) if leg.destination in network.hubs]
            for hub in network.hubs
        }
        self._legs_into: dict[str, list[Leg]] = defaultdict(list)
        for leg in network.legs:
            if leg.destination in network.outlets:
                self._legs_into[leg.destination].append(leg)
        self._tree = lru_cache(maxsize=cache_size)(self._search)

    def plan(
        self, origin: str, destination: str, ready: int, modes: Collection[str] = ALL_MODES
    ) -> Plan:
        """The earliest-arriving route from outlet ``origin`` (parcel there at ``ready``) to
        outlet ``destination``. Raises NoRoute."""
        outlets = self.network.outlets
        for code in (origin, destination):
            if code not in outlets:
                raise NoRoute(f"unknown outlet {code!r}")
        if origin == destination:
            return Plan(origin, destination, ready, ())
        allowed = frozenset(modes)
        cutoff = outlets[origin].cutoff_minutes
        best: tuple[int, tuple[PlannedLeg, ...]] | None = None
        for first in self.network.legs_from.get(origin, []):
            if first.mode not in allowed:
                continue
            depart = first.next_departure(ready + cutoff)
            step = PlannedLeg(
                origin, first.destination, first.mode, depart, depart + first.duration
            )
            candidate: tuple[int, tuple[PlannedLeg, ...]] | None
            if first.destination == destination:
                candidate = (step.arrive, (step,))
            elif first.destination in self.network.hubs:
                hub_ready = step.arrive + self.network.sort_minutes(step.destination)
                onward = self._via_hubs(step.destination, hub_ready, destination, allowed)
                candidate = None if onward is None else (onward[0], (step, *onward[1]))
            else:
                continue
            if candidate is not None and (best is None or candidate[0] < best[0]):
                best = candidate
        if best is None:
            raise NoRoute(f"no {'/'.join(sorted(allowed))} route from {origin} to {destination}")
        return Plan(origin, destination, ready, best[1])

    def plan_from(
        self, location: str, at: int, destination: str, modes: Collection[str] = ALL_MODES
    ) -> Plan:
        """Re-planning: the parcel is at ``location`` (an outlet or a hub) at ``at``."""
        if location in self.network.outlets:
            return self.plan(location, destination, at, modes)
        if location not in self.network.hubs or destination not in self.network.outlets:
            raise NoRoute(f"unknown location {location!r} or outlet {destination!r}")
        ready = at + self.network.sort_minutes(location)
        found = self._via_hubs(location, ready, destination, frozenset(modes))
        if found is None:
            raise NoRoute(f"no route from {location} to {destination}")
        return Plan(location, destination, at, found[1])

    def _via_hubs(
        self,
        start: str,
        ready: int,
        destination: str,
        modes: frozenset[str],
    ) -> tuple[int, tuple[PlannedLeg, ...]] | None:
        """From hub ``start`` (sorted, ready to leave at ``ready``) to outlet ``destination``."""
        day, minute = divmod(ready, DAY)
        tree = self._tree(start, minute, modes)
        shift = day * DAY
        best: tuple[int, str, PlannedLeg] | None = None
        for last in self._legs_into.get(destination, []):
            hub = last.origin
            if last.mode not in modes or hub not in tree.arrival:
                continue
            at_hub = tree.arrival[hub] + shift
            hub_ready = ready if hub == start else at_hub + self.network.sort_minutes(hub)
            depart = last.next_departure(hub_ready)
            step = PlannedLeg(hub, destination, last.mode, depart, depart + last.duration)
            if best is None or step.arrive < best[0]:
                best = (step.arrive, hub, step)
        if best is None:
            return None
        arrive, hub, last_step = best
        return arrive, (*self._path(tree, start, hub, shift), last_step)

    @staticmethod
    def _path(tree: _Tree, start: str, hub: str, shift: int) -> list[PlannedLeg]:
        steps: list[PlannedLeg] = []
        while hub != start:
            previous, leg, depart = tree.via[hub]
            steps.append(
                PlannedLeg(previous, hub, leg.mode, depart + shift, depart + leg.duration + shift)
            )
            hub = previous
        return steps[::-1]

    def _search(self, start: str, ready: int, modes: frozenset[str]) -> _Tree:
        """Time-dependent Dijkstra over the hubs from ``start``, ready there at ``ready``."""
        arrival = {start: ready}
        via: dict[str, tuple[str, Leg, int]] = {}
        queue = [(ready, start)]
        settled: set[str] = set()
        while queue:
            at, hub = heapq.heappop(queue)
            if hub in settled:
                continue
            settled.add(hub)
            hub_ready = at if hub == start else at + self.network.sort_minutes(hub)
            for leg in self._hub_legs[hub]:
                if leg.mode not in modes or leg.destination in settled:
                    continue
                depart = leg.next_departure(hub_ready)
                arrive = depart + leg.duration
                if arrive < arrival.get(leg.destination, arrive + 1):
                    arrival[leg.destination] = arrive
                    via[leg.destination] = (hub, leg, depart)
                    heapq.heappush(queue, (arrive, leg.destination))
        return _Tree(arrival, via)
