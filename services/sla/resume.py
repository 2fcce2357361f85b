"""Where a restarted worker's event clock resumes: the newest time its ticks carried.

In event mode "now" is the newest event time seen. A restarted worker re-reads only what
follows its committed offsets, and some of that can be older than where its clock stood (the
topics commit independently). Without a starting point its clock would step back: the pages
would hide the newest hours' counts and ``as_of`` would regress. Every tick carries its
sender's clock, so the last tick of each partition says where the workers' clocks were.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from fairwind.events.kafka import make_reader
from fairwind.settings import ServiceSettings
from services.sla.counts import topic_partitions
from services.sla.processing import tick_time


async def last_tick_time(
    settings: ServiceSettings, topic: str, timeout_s: float = 10
) -> datetime | None:
    """The newest clock carried by the last tick of any partition of ``topic``; None for a
    new topic or ticks without a clock (wall mode)."""
    partitions = await topic_partitions(settings, topic)
    if not partitions:
        return None
    consumer = make_reader(settings)
    await consumer.start()
    try:
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        waiting = {tp for tp in partitions if ends.get(tp, 0) > 0}
        for tp in waiting:
            consumer.seek(tp, ends[tp] - 1)
        newest: datetime | None = None
        deadline = asyncio.get_running_loop().time() + timeout_s
        while waiting and asyncio.get_running_loop().time() < deadline:
            batches = await consumer.getmany(*waiting, timeout_ms=500)
            for tp, records in batches.items():
                for record in records:
                    at = tick_time(record.value)
                    if at is not None and (newest is None or at > newest):
                        newest = at
                waiting.discard(tp)
        return newest
    finally:
        await consumer.stop()
