"""The timer index: per partition, which shipment's clocks fall due next (no I/O, no Faust).

A heap with lazy deletion. A shipment is rescheduled on every event that changes it, so the
heap may hold older entries for it; only the entry matching its current due time counts.
Without that, every event left one more entry behind, and each fired at the due time: a
burst of identical table writes per shipment (the "producer buffer full" warnings)."""

from __future__ import annotations

import heapq
from collections import defaultdict
from datetime import datetime


class TimerIndex:
    def __init__(self) -> None:
        self._heaps: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
        self._when: dict[int, dict[str, datetime]] = defaultdict(dict)

    def schedule(self, partition: int, waybill: str, when: datetime | None) -> None:
        """``waybill`` is next due at ``when`` (None: nothing left to time)."""
        scheduled = self._when[partition]
        if when is None:
            scheduled.pop(waybill, None)
        elif scheduled.get(waybill) != when:
            scheduled[waybill] = when
            heapq.heappush(self._heaps[partition], (when, waybill))

    def pop_due(self, partition: int, now: datetime) -> list[str]:
        """The shipments due by ``now``, each once; they are unscheduled until scheduled
        again."""
        heap, scheduled = self._heaps[partition], self._when[partition]
        due: list[str] = []
        while heap and heap[0][0] <= now:
            when, waybill = heapq.heappop(heap)
            if scheduled.get(waybill) == when:
                del scheduled[waybill]
                due.append(waybill)
        return due

    def forget(self, partition: int) -> None:
        self._heaps.pop(partition, None)
        self._when.pop(partition, None)

    def __len__(self) -> int:
        return sum(len(scheduled) for scheduled in self._when.values())
