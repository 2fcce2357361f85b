"""What every handler of the tracking service is given, and the refusals they share."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from fairwind.clock import PlatformClock
from fairwind.domain.waybill import InvalidWaybill, parse_waybill
from fairwind.events import EventCodec
from fairwind.mongo.group_commit import GroupCommitter, KeyLocks
from fairwind.mongo.uow import Units
from fairwind.problems import Rejected
from services.tracking.devices import DeviceRegistry
from services.tracking.guesses import GuessThrottle
from services.tracking.metrics import TrackingMetrics
from services.tracking.recording import ScanCommand, record_batch
from services.tracking.settings import TrackingSettings
from services.tracking.store import TrackingStore, TrackingUnit

Document = dict[str, Any]
T = TypeVar("T")


@dataclass
class TrackingService:
    settings: TrackingSettings
    store: TrackingStore
    uow: Units[TrackingUnit]
    devices: DeviceRegistry
    codec: EventCodec
    guesses: GuessThrottle
    metrics: TrackingMetrics
    clock: PlatformClock = field(default_factory=PlatformClock)
    writer: GroupCommitter[TrackingUnit, ScanCommand] = field(init=False)
    locks: KeyLocks = field(default_factory=KeyLocks)  # by waybill, for this process's units

    def __post_init__(self) -> None:
        # Single scans share transactions (group commit): a group is one unit of work,
        # recorded as a batch is (its shipments read once, in the transaction).
        self.writer = GroupCommitter(
            self.uow,
            functools.partial(record_batch, self),
            hold=lambda commands: self.locks.hold(c.doc["waybill"] for c in commands),
            in_flight=2,
        )

    async def run_on(
        self, waybills: Iterable[str], work: Callable[[TrackingUnit], Awaitable[T]]
    ) -> T:
        """``uow.run(work)`` once no other unit of this process is writing one of these
        shipments: they would conflict in mongod and one would run again."""
        async with self.locks.hold(waybills):
            return await self.uow.run(work)

    @property
    def late_tolerance(self) -> timedelta:
        return timedelta(minutes=self.settings.late_departure_tolerance_min)


def waybill_of(svc: TrackingService, text: str) -> str:
    """The normalised waybill, or 400 ``invalid_waybill`` (as orders answers it): a wrong
    check digit is a typo, not a shipment that does not exist."""
    try:
        return parse_waybill(text, svc.settings.waybill_prefix)
    except InvalidWaybill as exc:
        raise Rejected(400, "invalid_waybill", str(exc)) from exc
